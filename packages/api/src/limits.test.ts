import { AppError } from "@studio/core";
import { describe, expect, it } from "vitest";
import { MAX_SUBSCRIPTIONS_PER_USER, Slots, subscriptionLimit } from "./limits.ts";

describe("slots for what a caller holds open", () => {
  const limits = (user: string) => [
    { key: `user:${user}`, max: 1, message: "Yours is running." },
    { key: "org", max: 2, message: "Your organisation's are running." },
  ];

  it("takes a slot under every limit or none, and says which limit was reached", () => {
    const slots = new Slots(7);
    const first = slots.acquire(limits("a"));
    const refusal = (() => {
      try {
        slots.acquire(limits("a"));
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: "Yours is running.",
      retryAfterSeconds: 7,
    });
    // The refused attempt took nothing from the organisation.
    expect(slots.held("org")).toBe(1);
    slots.acquire(limits("b"));
    expect(() => slots.acquire(limits("c"))).toThrow("Your organisation's are running.");
    expect(slots.held("user:c")).toBe(0);
    first();
    first();
    expect(slots.held("org")).toBe(1);
    expect(() => slots.acquire(limits("c"))).not.toThrow();
  });

  it("caps the live event streams of one user, not of everyone", () => {
    const slots = new Slots();
    for (let index = 0; index < MAX_SUBSCRIPTIONS_PER_USER; index += 1)
      slots.acquire([subscriptionLimit("u1")]);
    expect(() => slots.acquire([subscriptionLimit("u1")])).toThrow(/live session views/);
    expect(() => slots.acquire([subscriptionLimit("u2")])).not.toThrow();
  });
});
