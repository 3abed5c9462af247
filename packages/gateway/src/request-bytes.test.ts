import { describe, expect, it } from "vitest";
import { RequestBytes } from "./request-bytes.ts";

describe("request bytes held at once", () => {
  it("refuses past the account's share with 429 and past the total with 503, both with Retry-After", () => {
    const bytes = new RequestBytes({ total: 100, perUser: 60 });
    const a = bytes.hold("alice");
    expect(a.grow(60)).toBeNull();
    const more = bytes.hold("alice").grow(1);
    expect(more).toMatchObject({ status: 429, headers: { "retry-after": "1" } });
    const b = bytes.hold("bob");
    expect(b.grow(40)).toBeNull();
    expect(bytes.hold("carol").grow(1)).toMatchObject({ status: 503, headers: { "retry-after": "1" } });
    expect(bytes.inUse).toBe(100);
    a.release();
    a.release(); // once only
    expect(bytes.inUse).toBe(40);
    expect(bytes.hold("carol").grow(60)).toBeNull();
    b.release();
    expect(bytes.inUse).toBe(60);
  });
});
