import { describe, expect, it } from "vitest";
import { isServerPath, safeNext } from "./auth-links.ts";

describe("where signing in leads", () => {
  it("keeps only same-site paths", () => {
    expect(safeNext("/sessions/abc")).toBe("/sessions/abc");
    expect(safeNext("//evil.example/x")).toBe("/");
    expect(safeNext("/\\evil.example")).toBe("/");
    expect(safeNext("https://evil.example")).toBe("/");
  });

  it("sends previews and server routes to the server, everything else to the app", () => {
    expect(isServerPath("/preview/s1/5173/")).toBe(true);
    expect(isServerPath("/api/previews/authorize?session=s1&port=5173")).toBe(true);
    expect(isServerPath("/sessions/abc")).toBe(false);
    expect(isServerPath("/invite/abc")).toBe(false);
  });
});
