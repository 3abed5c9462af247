import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { useTempDirs } from "@studio/testkit/vitest/temp-dirs";
import { describe, expect, it } from "vitest";
import {
  keyringFromKey,
  loadOrCreateKeyringFile,
  newKeyring,
  openSecret,
  parseKeyring,
  sealSecret,
  serializeKeyring,
  withNewMasterKey,
  writeKeyringFile,
} from "./keyring.ts";

const SECRET = "sk-ant-PLANTED-secret-value-1234";
const newTempDir = useTempDirs();

describe("sealing provider keys", () => {
  it("round-trips, with a fresh nonce every time and no plaintext in the ciphertext", () => {
    const keyring = newKeyring();
    const a = sealSecret(keyring, SECRET, "org1:anthropic");
    const b = sealSecret(keyring, SECRET, "org1:anthropic");
    expect(openSecret(keyring, a, "org1:anthropic")).toBe(SECRET);
    expect(Buffer.from(a.nonce).equals(Buffer.from(b.nonce))).toBe(false);
    expect(Buffer.from(a.ciphertext).toString("latin1")).not.toContain("PLANTED");
    expect(a.keyVersion).toBe(1);
  });

  it("refuses a secret moved to another row, tampered with, or sealed under an unknown version", () => {
    const keyring = newKeyring();
    const sealed = sealSecret(keyring, SECRET, "org1:anthropic");
    expect(() => openSecret(keyring, sealed, "org2:anthropic")).toThrow(/could not be decrypted/);
    const tampered = {
      ...sealed,
      ciphertext: Uint8Array.from(sealed.ciphertext, (byte, i) => (i === 0 ? byte ^ 1 : byte)),
    };
    expect(() => openSecret(keyring, tampered, "org1:anthropic")).toThrow(/could not be decrypted/);
    expect(() => openSecret(keyring, { ...sealed, keyVersion: 7 }, "org1:anthropic")).toThrow(/version 7/);
    try {
      openSecret(keyring, sealed, "org2:anthropic");
    } catch (error) {
      expect(String(error)).not.toContain(SECRET);
    }
  });

  it("opens old rows after a new master key is added, sealing new ones under it", () => {
    const first = newKeyring();
    const old = sealSecret(first, SECRET, "c");
    const rotated = withNewMasterKey(first);
    expect(rotated.current).toBe(2);
    expect(openSecret(rotated, old, "c")).toBe(SECRET);
    expect(sealSecret(rotated, SECRET, "c").keyVersion).toBe(2);
  });
});

describe("the keyring file", () => {
  it("is created once, private to its owner, and read back identically", () => {
    const file = path.join(newTempDir("keyring-"), "nested", "master-keys.json");
    const created = loadOrCreateKeyringFile(file);
    expect(created.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadOrCreateKeyringFile(file);
    expect(again.created).toBe(false);
    expect(serializeKeyring(again.keyring)).toBe(readFileSync(file, "utf8"));
  });

  it("follows the file when another process rotates it", () => {
    const file = path.join(newTempDir("keyring-"), "master-keys.json");
    const { keyring } = loadOrCreateKeyringFile(file);
    const rotated = withNewMasterKey(keyring);
    writeKeyringFile(file, rotated);
    const sealedElsewhere = sealSecret(rotated, SECRET, "c");
    expect(openSecret(keyring, sealedElsewhere, "c")).toBe(SECRET);
    expect(keyring.current).toBe(2);
  });

  it("rejects malformed keyrings and keys of the wrong size with the reason", () => {
    expect(() => parseKeyring('{"current":2,"keys":{"1":"AAAA"}}', "f")).toThrow(/32 bytes/);
    const good = serializeKeyring(newKeyring()).replace('"current": 1', '"current": 3');
    expect(() => parseKeyring(good, "f")).toThrow(/current master key version is missing/);
    expect(() => keyringFromKey("c2hvcnQ=")).toThrow(/32 bytes/);
  });
});
