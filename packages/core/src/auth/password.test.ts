import { describe, expect, it } from "vitest";
import { hashPassword, UNKNOWN_ACCOUNT_HASH, verifyPassword } from "./password.ts";

describe("password hashing", () => {
  it("verifies the right password and refuses others", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain("correct horse");
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterY", hash)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same password")).not.toBe(await hashPassword("same password"));
  });

  it("treats Unicode forms of one password alike", async () => {
    const hash = await hashPassword("caf\u00e9-password");
    expect(await verifyPassword("cafe\u0301-password", hash)).toBe(true);
  });

  it("matches nothing against the unknown-account hash or a malformed one", async () => {
    expect(await verifyPassword("anything at all", UNKNOWN_ACCOUNT_HASH)).toBe(false);
    expect(await verifyPassword("anything at all", "bcrypt$whatever")).toBe(false);
  });
});
