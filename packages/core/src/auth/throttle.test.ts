import { describe, expect, it } from "vitest";
import { lockDurationMs, signInThrottleRules } from "./throttle.ts";

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
});
