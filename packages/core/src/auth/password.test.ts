import { describe, expect, it } from "vitest";
import {
  configurePasswordHashing,
  hashPassword,
  passwordHashingStats,
  UNKNOWN_ACCOUNT_HASH,
  verifyPassword,
} from "./password.ts";

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

describe("password hashing under load", () => {
  it("runs a few at a time and queues the rest", async () => {
    configurePasswordHashing({ concurrency: 2, maxQueued: 64 });
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, passwordHashingStats().running);
    }, 1);
    const before = passwordHashingStats().verifications;
    await Promise.all(
      Array.from({ length: 8 }, () => verifyPassword("anything at all", UNKNOWN_ACCOUNT_HASH)),
    );
    clearInterval(sampler);
    expect(peak).toBeLessThanOrEqual(2);
    expect(passwordHashingStats()).toMatchObject({ running: 0, queued: 0 });
    expect(passwordHashingStats().verifications - before).toBe(8);
  });

  it("refuses, with a typed error, what would wait past the queue", async () => {
    configurePasswordHashing({ concurrency: 1, maxQueued: 2 });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => verifyPassword("anything at all", UNKNOWN_ACCOUNT_HASH)),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(3);
    const refused = results.find((result) => result.status === "rejected");
    expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    configurePasswordHashing({ threadPoolSize: 4, maxQueued: 128 });
  });
});
