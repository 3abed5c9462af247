import { describe, expect, it } from "vitest";
import { resolveSandboxPath, SandboxPathError } from "./files.ts";

const context = { workspace: "/s/workspace", home: "/s/home", allowed: ["/s/workspace", "/s/home"] };

describe("resolveSandboxPath", () => {
  it("resolves relative, home and absolute paths", () => {
    expect(resolveSandboxPath("opencode.json", context)).toBe("/s/workspace/opencode.json");
    expect(resolveSandboxPath("a/./b/../c.txt", context)).toBe("/s/workspace/a/c.txt");
    expect(resolveSandboxPath(".", context)).toBe("/s/workspace");
    expect(resolveSandboxPath("~/.profile", context)).toBe("/s/home/.profile");
    expect(resolveSandboxPath("/s/home/x", context)).toBe("/s/home/x");
  });

  it("refuses paths that leave the sandbox", () => {
    for (const bad of ["../x", "a/../../x", "/etc/passwd", "~/../workspace2/x", "/s/workspace2/x", ""]) {
      expect(() => resolveSandboxPath(bad, context)).toThrow(SandboxPathError);
    }
  });

  it("allows any absolute path without an allow-list (inside an E2B VM)", () => {
    expect(resolveSandboxPath("/tmp/x", { workspace: "/w", home: "/h" })).toBe("/tmp/x");
  });
});
