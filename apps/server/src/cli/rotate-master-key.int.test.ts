// `pnpm keys:rotate` as an operator runs it: a real process against the studio's database and its
// keyring file. Every sealed secret moves to the new master key: provider keys and git credentials.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  loadOrCreateKeyringFile,
  openGitCredential,
  openProviderKey,
  parseKeyring,
  setGitCredential,
  setProviderKey,
  signUp,
} from "@studio/core";
import { useTestDatabase } from "@studio/testkit/vitest";
import { useTempDirs } from "@studio/testkit/vitest/temp-dirs";
import { describe, expect, it } from "vitest";

const newTempDir = useTempDirs();
const database = useTestDatabase();
const script = fileURLToPath(new URL("./rotate-master-key.ts", import.meta.url));
const serverPackage = fileURLToPath(new URL("../..", import.meta.url));

async function rotate(env: Record<string, string>) {
  try {
    // The keyring file, not a key from the environment.
    const { STUDIO_MASTER_KEY: _fromEnvironment, ...inherited } = process.env;
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], {
      cwd: serverPackage,
      env: { ...inherited, LOG_LEVEL: "silent", ...env },
    });
    return { code: 0, out: stdout.trim() };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, out: failed.stderr.trim() };
  }
}

describe("pnpm keys:rotate", { timeout: 60_000 }, () => {
  it("re-seals provider keys and git credentials under a new master key and drops the old one", async () => {
    const file = path.join(newTempDir("keyring-"), "master-keys.json");
    const { keyring } = loadOrCreateKeyringFile(file);
    const { user, organizationId } = await signUp(database.db, {
      name: "Rotator",
      email: "rotator@example.com",
      password: "correct horse battery",
    });
    const owner = { userId: user.id, organizationId, role: "owner" as const };
    await setProviderKey(database.db, keyring, owner, {
      provider: "anthropic",
      apiKey: "sk-ant-PLANTED-rot-1111",
    });
    await setGitCredential(database.db, keyring, owner, {
      host: "github.com",
      token: "ghp_PLANTED_rotation_2222",
      username: null,
    });
    await setGitCredential(database.db, keyring, owner, {
      host: "git.example.com:8443",
      token: "glpat-PLANTED-rotation-3333",
      username: "deploy",
    });

    expect(await rotate({ DATABASE_URL: database.url, STUDIO_MASTER_KEY_FILE: file })).toEqual({
      code: 0,
      out: `Re-sealed 1 provider key(s), 2 git credential(s) and 0 alert webhook secret(s) under master key version 2; ${file} now holds only that key.`,
    });

    const rotated = parseKeyring(readFileSync(file, "utf8"), file);
    expect([rotated.current, [...rotated.keys.keys()]]).toEqual([2, [2]]);
    const rows = await database.db.gitCredential.findMany({
      where: { organizationId: owner.organizationId },
    });
    expect(rows.map((row) => row.keyVersion)).toEqual([2, 2]);
    expect((await database.db.providerKey.findFirstOrThrow()).keyVersion).toBe(2);
    // Readable with the new key alone.
    expect(await openGitCredential(database.db, rotated, owner.organizationId, "github.com")).toEqual({
      username: null,
      token: "ghp_PLANTED_rotation_2222",
    });
    expect(
      await openGitCredential(database.db, rotated, owner.organizationId, "git.example.com:8443"),
    ).toEqual({
      username: "deploy",
      token: "glpat-PLANTED-rotation-3333",
    });
    expect(await openProviderKey(database.db, rotated, owner.organizationId, "anthropic")).toMatchObject({
      apiKey: "sk-ant-PLANTED-rot-1111",
    });
  });
});
