// The local provider across studio restarts: re-attaching, shutting down while a restart is under
// way, and reaping what a crashed instance left. Real sandbox-agent and OpenCode binaries.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SandboxHandle } from "../types.ts";
import { readState, sandboxPaths } from "./layout.ts";
import { isAlive, scanSandboxProcesses } from "./procfs.ts";
import { createOptions, processesOf, useLocalSandboxProviders } from "./test-support.ts";

const { newRoot, provider } = useLocalSandboxProviders();

/** A handle's data: its fetch functions are made anew for each handle. */
function withoutFetch({ agentFetch, opencodeFetch, ...data }: SandboxHandle) {
  return { ...data, hasAgentFetch: Boolean(agentFetch), hasOpencodeFetch: Boolean(opencodeFetch) };
}

describe("local provider across studio restarts", () => {
  it("re-attaches from a second provider instance", async () => {
    const root = newRoot();
    const first = provider(root);
    const handle = await first.create(createOptions("session-3"));

    const second = provider(root);
    const attached = await second.connect(handle.id);
    expect(withoutFetch(attached)).toEqual(withoutFetch(handle));
    expect(await second.health(handle.id)).toBe(true);
    expect((await second.runCommand(handle.id, "echo again")).stdout).toBe("again\n");

    await second.destroy(handle.id);
    expect(processesOf(root, handle.id)).toEqual([]);
    await expect(first.connect(handle.id)).rejects.toThrow(/not found/);
  }, 60_000);

  it("once shut down, lets nothing start: a restart under way ends what it started, creations are refused", async () => {
    const root = newRoot();
    const sandboxes = provider(root);
    const handle = await sandboxes.create(createOptions("session-5"));
    // A runner restarting its agent as the studio stops: the shutdown lands while the old server
    // is being stopped, before the new one starts.
    const restarting = sandboxes.restartAgentServer(handle.id);
    await sandboxes.shutdown();
    await expect(restarting).rejects.toThrow(/shut down/);
    expect(processesOf(root, handle.id)).toEqual([]);
    expect(await sandboxes.health(handle.id)).toBe(false);
    await expect(sandboxes.create(createOptions("session-6"))).rejects.toThrow(/shut down/);
    await expect(sandboxes.resume(handle.id, createOptions("session-5"))).rejects.toThrow(/shut down/);
    await expect(sandboxes.connect(handle.id)).rejects.toThrow(/shut down/);
    expect(scanSandboxProcesses(root).size).toBe(0);
    // The workspace is kept for the next start to resume.
    expect(existsSync(sandboxPaths(root, handle.id).workspace)).toBe(true);
  }, 120_000);

  it("reapOrphans ends sandboxes a crashed instance left, keeping live sessions", async () => {
    const root = newRoot();
    const crashed = provider(root);
    const orphan = await crashed.create(createOptions("dead-session"));
    const live = await crashed.create(createOptions("live-session"));
    const orphanPid = readState(sandboxPaths(crashed.rootDir, orphan.id))!.server!.pid;
    // "crashed": the instance is simply abandoned, its processes keep running.

    const rebooted = provider(root);
    const reaped = await rebooted.reapOrphans(({ sessionId }) => sessionId === "live-session");
    expect(reaped.map((r) => r.id)).toEqual([orphan.id]);
    expect(reaped[0]!.pids).toContain(orphanPid);
    expect(isAlive(orphanPid)).toBe(false);
    expect(processesOf(root, orphan.id)).toEqual([]);
    expect(await rebooted.health(live.id)).toBe(true);
    const states = Object.fromEntries((await rebooted.list()).map((s) => [s.id, s.state]));
    expect(states).toEqual({ [orphan.id]: "stopped", [live.id]: "running" });

    await rebooted.destroy(orphan.id);
    await rebooted.destroy(live.id);
    expect(processesOf(root, live.id)).toEqual([]);
  }, 60_000);
});
