// Provider keys and git credentials are sealed with AES-256-GCM under a master key from
// configuration. The keyring holds every master key still in use by some row, by version; new
// secrets use the current version. Each row records its version, so a rotation can re-encrypt rows
// without a window where some are unreadable.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { AppError } from "../shared/errors.ts";

const KEY_BYTES = 32;
const NONCE_BYTES = 12;

export interface Keyring {
  current: number;
  keys: ReadonlyMap<number, Buffer>;
  /** Re-reads the keyring's source (after a rotation by another process); absent for fixed keyrings. */
  reload?: () => Keyring;
}

export interface SealedSecret {
  ciphertext: Uint8Array<ArrayBuffer>;
  nonce: Uint8Array<ArrayBuffer>;
  authTag: Uint8Array<ArrayBuffer>;
  keyVersion: number;
}

const keyringFileSchema = z.object({
  current: z.number().int().positive(),
  keys: z.record(z.string().regex(/^\d+$/), z.base64()),
});

function masterKey(base64: string, where: string): Buffer {
  const key = Buffer.from(base64, "base64");
  if (key.length !== KEY_BYTES)
    throw new Error(`${where}: a master key must be ${KEY_BYTES} bytes, base64-encoded`);
  return key;
}

export function parseKeyring(json: string, where: string): Keyring {
  const parsed = keyringFileSchema.safeParse(JSON.parse(json));
  if (!parsed.success) throw new Error(`${where}: not a master keyring (${parsed.error.issues[0]?.message})`);
  const keys = new Map(
    Object.entries(parsed.data.keys).map(([version, key]) => [Number(version), masterKey(key, where)]),
  );
  if (!keys.has(parsed.data.current)) throw new Error(`${where}: the current master key version is missing`);
  return { current: parsed.data.current, keys };
}

export function serializeKeyring(keyring: Keyring): string {
  const keys = Object.fromEntries(
    [...keyring.keys].map(([version, key]) => [String(version), key.toString("base64")]),
  );
  return `${JSON.stringify({ current: keyring.current, keys }, null, 2)}\n`;
}

/** A keyring with one freshly generated key. */
export function newKeyring(): Keyring {
  return { current: 1, keys: new Map([[1, randomBytes(KEY_BYTES)]]) };
}

/** The keyring with a new current key added; older keys stay until no row uses them. */
export function withNewMasterKey(keyring: Keyring): Keyring {
  const next = Math.max(...keyring.keys.keys()) + 1;
  return { current: next, keys: new Map([...keyring.keys, [next, randomBytes(KEY_BYTES)]]) };
}

/** Writes the keyring readable by its owner only, atomically (a torn file would lose every key). */
export function writeKeyringFile(file: string, keyring: Keyring): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, serializeKeyring(keyring), { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

/**
 * Reads the keyring file, creating one with a new key on first run. The keyring it returns follows
 * the file: a rotation done by `keys:rotate` is picked up before the next seal, or the first time a
 * row needs the new key.
 */
export function loadOrCreateKeyringFile(file: string): { keyring: Keyring; created: boolean } {
  const created = !existsSync(file);
  if (created) writeKeyringFile(file, newKeyring());
  const live: Keyring = parseKeyring(readFileSync(file, "utf8"), file);
  live.reload = () => {
    const fresh = parseKeyring(readFileSync(file, "utf8"), file);
    live.current = fresh.current;
    live.keys = fresh.keys;
    return live;
  };
  return { keyring: live, created };
}

/** A single master key given directly (e.g. from a secret store), as version 1. */
export function keyringFromKey(base64: string): Keyring {
  return { current: 1, keys: new Map([[1, masterKey(base64, "STUDIO_MASTER_KEY")]]) };
}

/**
 * `context` is bound into the tag (GCM additional data), so a sealed key copied onto another
 * organisation's or provider's row fails to open instead of being used there.
 */
export function sealSecret(keyring: Keyring, plaintext: string, context: string): SealedSecret {
  // Under the newest master key, even right after `keys:rotate` ran beside this process: the old
  // key is about to leave the keyring file, and a secret sealed under it could never be opened.
  keyring.reload?.();
  const key = keyring.keys.get(keyring.current);
  if (!key) throw new Error("the current master key is missing from the keyring");
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    ciphertext: new Uint8Array(ciphertext),
    nonce: new Uint8Array(nonce),
    authTag: new Uint8Array(cipher.getAuthTag()),
    keyVersion: keyring.current,
  };
}

export function openSecret(
  keyring: Keyring,
  sealed: { ciphertext: Uint8Array; nonce: Uint8Array; authTag: Uint8Array; keyVersion: number },
  context: string,
): string {
  const key = keyring.keys.get(sealed.keyVersion) ?? keyring.reload?.().keys.get(sealed.keyVersion);
  // The message names the version, never the secret or the key.
  if (!key) throw new AppError("INTERNAL", `Master key version ${sealed.keyVersion} is not configured.`);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, sealed.nonce);
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(sealed.authTag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString("utf8");
  } catch (error) {
    throw new AppError(
      "INTERNAL",
      "A stored secret (provider key or git credential) could not be decrypted.",
      { cause: error },
    );
  }
}
