import { describe, expect, it } from "vitest";
import { trimSlashes, trimTrailingSlashes } from "./slashes.ts";

describe("trimming slashes", () => {
  it("removes leading and trailing runs, and keeps inner ones", () => {
    expect(trimSlashes("//v1//chat/completions///")).toBe("v1//chat/completions");
    expect(trimSlashes("////")).toBe("");
    expect(trimSlashes("")).toBe("");
    expect(trimTrailingSlashes("http://h:1/v1///")).toBe("http://h:1/v1");
    expect(trimTrailingSlashes("/a")).toBe("/a");
  });

  it("takes linear time however the slashes are placed", () => {
    const run = "/".repeat(200_000);
    const started = performance.now();
    for (const text of [`x${run}x`, `${run}x${run}`, run]) {
      trimSlashes(text);
      trimTrailingSlashes(text);
    }
    expect(performance.now() - started).toBeLessThan(100);
  });
});
