import { describe, expect, it } from "vitest";
import { newSecret } from "./agent-server.ts";

describe("newSecret", () => {
  it("is 256 random bits in hex, so it can never look like a command-line flag", () => {
    const secrets = Array.from({ length: 200 }, newSecret);
    for (const secret of secrets) expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(secrets).size).toBe(200);
  });
});
