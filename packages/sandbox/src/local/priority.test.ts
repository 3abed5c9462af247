import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { inLoweredSessionGroup } from "./priority.ts";

/** Runs argv in a session of its own, as local sandboxes' commands run, and returns its output. */
function runDetached(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = argv;
    const child = spawn(command!, args, { detached: true, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", () => resolve(out));
  });
}

describe("inLoweredSessionGroup", () => {
  it("leaves the command alone at niceness 0", () => {
    expect(inLoweredSessionGroup(0, ["echo", "hi"])).toEqual(["echo", "hi"]);
  });

  it("passes the arguments through unchanged, spaces and quotes included", async () => {
    const argv = inLoweredSessionGroup(10, ["printf", "%s|", "a b", "it's", "$HOME"]);
    expect(await runDetached(argv)).toBe("a b|it's|$HOME|");
  });

  it.runIf(existsSync("/proc/self/autogroup"))(
    "has the session's group lowered before the command's first instruction",
    async () => {
      // The command reads its own group as it starts: nothing after spawning could have set it yet.
      const argv = inLoweredSessionGroup(10, ["cat", "/proc/self/autogroup"]);
      expect(await runDetached(argv)).toMatch(/ nice 10$/m);
    },
  );
});
