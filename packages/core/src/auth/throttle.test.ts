import { describe, expect, it } from "vitest";
import { lockDurationMs, signInThrottleRules, signUpThrottleRules } from "./throttle.ts";

describe("sign-in throttle", () => {
  it("allows the free failures, then doubles the lock up to 15 minutes", () => {
    expect(lockDurationMs(4, 5)).toBe(0);
    expect(lockDurationMs(5, 5)).toBe(30_000);
    expect(lockDurationMs(6, 5)).toBe(60_000);
    expect(lockDurationMs(7, 5)).toBe(120_000);
    expect(lockDurationMs(50, 5)).toBe(15 * 60_000);
  });

  it("counts per account and, when known, per address", () => {
    expect(signInThrottleRules("a@b.co", "10.0.0.1").map((rule) => rule.key)).toEqual([
      "email:a@b.co",
      "ip:10.0.0.1",
    ]);
    expect(signInThrottleRules("a@b.co", null).map((rule) => rule.key)).toEqual(["email:a@b.co"]);
  });

  it("limits sign-ups per address, except from the studio's own machine", () => {
    expect(signUpThrottleRules("203.0.113.7")).toMatchObject([
      { key: "sign-up:203.0.113.7", freeFailures: 20, windowMs: 3_600_000 },
    ]);
    expect(lockDurationMs(20, 20, 3_600_000, 3_600_000)).toBe(3_600_000);
    for (const loopback of ["127.0.0.1", "::1", "::ffff:127.0.0.1", null]) {
      expect(signUpThrottleRules(loopback)).toEqual([]);
    }
  });
});
