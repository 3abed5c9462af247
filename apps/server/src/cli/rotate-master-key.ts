// `pnpm keys:rotate`: a new master key for provider keys and git credentials. The new key is added
// to the keyring file first (so a failure below loses nothing), then every stored secret is
// re-sealed under it in one transaction, then keys no row uses any more are dropped from the file.
// Running studios pick the new key up from the file on their next use of a re-sealed secret.
//
// Beside a running studio on the embedded database, it uses that studio's PostgreSQL.
import { readFileSync } from "node:fs";
import { parseKeyring, resealAllSecrets, withNewMasterKey, writeKeyringFile } from "@studio/core";
import { loadConfig } from "../config.ts";
import { withStudioDatabase } from "./studio-database.ts";

const config = loadConfig();
if (config.masterKey.kind !== "file") {
  console.error(
    "STUDIO_MASTER_KEY is set, so there is no keyring file to rotate. Move the key into a keyring file (STUDIO_MASTER_KEY_FILE), unset STUDIO_MASTER_KEY, and run this again.",
  );
  process.exit(2);
}
const file = config.masterKey.path;
const current = parseKeyring(readFileSync(file, "utf8"), file);

await withStudioDatabase(config, async (db) => {
  const rotated = withNewMasterKey(current);
  writeKeyringFile(file, rotated);
  // A running studio seals a key saved from now on under the new key (it re-reads the file first).
  // One saved while the file was being written is still under the old key: the second pass, while
  // the file still holds the old key, re-seals it.
  const first = await resealAllSecrets(db, rotated);
  const second = await resealAllSecrets(db, rotated);
  const newest = rotated.keys.get(rotated.current);
  if (newest)
    writeKeyringFile(file, { current: rotated.current, keys: new Map([[rotated.current, newest]]) });
  const providerKeys = first.providerKeys + second.providerKeys;
  const gitCredentials = first.gitCredentials + second.gitCredentials;
  const webhooks = first.alertWebhooks + second.alertWebhooks;
  console.log(
    `Re-sealed ${providerKeys} provider key(s), ${gitCredentials} git credential(s) and ${webhooks} alert webhook secret(s) under master key version ${rotated.current}; ${file} now holds only that key.`,
  );
});
