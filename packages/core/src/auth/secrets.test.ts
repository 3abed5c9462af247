import { describe, expect, it } from "vitest";
import { randomToken } from "../shared/ids.ts";
import { hashSecret, secretMatches } from "./secrets.ts";

describe("token secrets", () => {
  it("stores a 32-byte hash and matches only the same secret", () => {
    const secret = randomToken(20);
    const hash = hashSecret(secret);
    expect(hash).toHaveLength(32);
    expect(secretMatches(secret, hash)).toBe(true);
    expect(secretMatches(`${secret}x`, hash)).toBe(false);
    expect(secretMatches(secret, hash.subarray(1))).toBe(false);
  });

  it("is SHA-256, so hashes stored by any version keep matching", () => {
    expect(Buffer.from(hashSecret("abc")).toString("hex")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("makes 120-bit lower-case base32 tokens by default", () => {
    const token = randomToken();
    expect(token).toMatch(/^[a-z2-7]{24}$/);
    expect(randomToken()).not.toBe(token);
  });
});
