import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import {
  readCmdline,
  SANDBOX_ROOT_ENV,
  sandboxMarkers,
  sandboxRootTag,
  scanSandboxProcesses,
} from "./procfs.ts";

const started: ChildProcess[] = [];

function sleeper(env: Record<string, string>): number {
  const child = spawn("sleep", ["30"], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
  started.push(child);
  return child.pid!;
}

afterEach(() => {
  for (const child of started.splice(0)) child.kill("SIGKILL");
});

describe("sandbox markers", () => {
  const root = "/srv/studio/sandboxes";

  it("name no host path, and tell one studio's sandboxes from another's", () => {
    const markers = sandboxMarkers(`${root}/sbx-0123456789abcdef`);
    expect(markers).toEqual({
      STUDIO_SANDBOX_ID: "sbx-0123456789abcdef",
      [SANDBOX_ROOT_ENV]: sandboxRootTag(root),
    });
    expect(JSON.stringify(markers)).not.toContain("/srv");
    expect(sandboxRootTag(root)).not.toBe(sandboxRootTag("/srv/other/sandboxes"));
  });

  it("find a sandbox's processes by them, and by the directory older sandboxes carry", async () => {
    const ours = sleeper(sandboxMarkers(`${root}/sbx-0123456789abcdef`));
    const legacy = sleeper({ STUDIO_SANDBOX_DIR: `${root}/sbx-1111111111111111` });
    const otherStudio = sleeper(sandboxMarkers(`/srv/other/sandboxes/sbx-0123456789abcdef`));
    const forgedId = sleeper({ ...sandboxMarkers(`${root}/x`), STUDIO_SANDBOX_ID: "../../etc" });
    // Until each has exec'd, /proc shows it with this process's environment.
    for (const pid of [ours, legacy, otherStudio, forgedId])
      await expect.poll(() => readCmdline(pid)?.[0], { timeout: 10_000 }).toBe("sleep");
    const found = scanSandboxProcesses(root);
    expect(found.get(`${root}/sbx-0123456789abcdef`)).toEqual([ours]);
    expect(found.get(`${root}/sbx-1111111111111111`)).toEqual([legacy]);
    const all = [...found.values()].flat();
    expect(all).not.toContain(otherStudio);
    expect(all).not.toContain(forgedId);
  });
});
