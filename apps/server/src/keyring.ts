// The master keyring for provider keys: given in configuration, or a file generated on first run.
import { type Keyring, keyringFromKey, loadOrCreateKeyringFile } from "@studio/core";
import type { Config } from "./config.ts";

export function loadKeyring(config: Config): { keyring: Keyring; createdFile: string | null } {
  if (config.masterKey.kind === "value")
    return { keyring: keyringFromKey(config.masterKey.base64), createdFile: null };
  const { keyring, created } = loadOrCreateKeyringFile(config.masterKey.path);
  return { keyring, createdFile: created ? config.masterKey.path : null };
}
