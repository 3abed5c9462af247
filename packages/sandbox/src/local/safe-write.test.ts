import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SandboxPathError } from "../files.ts";
import { safeWriteFile } from "./safe-write.ts";

let dir: string;
let sandbox: string;
let outside: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), "studio-safe-write-")));
  sandbox = path.join(dir, "workspace");
  outside = path.join(dir, "outside");
  mkdirSync(sandbox);
  mkdirSync(outside);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("safeWriteFile", () => {
  it("writes with the mode, creating directories", () => {
    safeWriteFile(path.join(sandbox, "a/b/run.sh"), "#!/bin/sh\n", 0o755, [sandbox]);
    expect(readFileSync(path.join(sandbox, "a/b/run.sh"), "utf8")).toBe("#!/bin/sh\n");
  });

  it("replaces a planted symlink instead of writing through it", () => {
    writeFileSync(path.join(outside, "victim"), "original");
    symlinkSync(path.join(outside, "victim"), path.join(sandbox, "opencode.json"));
    safeWriteFile(path.join(sandbox, "opencode.json"), "{}", 0o644, [sandbox]);
    expect(readFileSync(path.join(outside, "victim"), "utf8")).toBe("original");
    expect(readFileSync(path.join(sandbox, "opencode.json"), "utf8")).toBe("{}");
  });

  it("refuses a symlinked directory that leads out of the sandbox, creating nothing there", () => {
    symlinkSync(outside, path.join(sandbox, "escape"));
    expect(() => safeWriteFile(path.join(sandbox, "escape/new/x"), "x", 0o644, [sandbox])).toThrow(
      SandboxPathError,
    );
    expect(existsSync(path.join(outside, "new"))).toBe(false);
    expect(() => safeWriteFile(path.join(sandbox, "escape/x"), "x", 0o644, [sandbox])).toThrow(
      SandboxPathError,
    );
    expect(existsSync(path.join(outside, "x"))).toBe(false);
  });
});
