// The E2B provider after create, against the strict fake SDK: re-attaching from another replica,
// pause and resume, restarts, commands, health, keepalive and listing.
import { describe, expect, it } from "vitest";
import { SandboxNotFoundError } from "../errors.ts";
import { E2B_ENV_FILE, startServerCommand, stopServerCommand } from "./commands.ts";
import { fakeE2BProvider } from "./fake-agent.ts";
import { E2BSandboxProvider } from "./provider.ts";

const LAUNCHER = "/home/user/.local/share/sandbox-agent/bin/agent_processes/opencode-acp";
const AGENT_FILE = "/home/user/.studio/agent.json";

describe("E2BSandboxProvider lifecycle", () => {
  it("re-attaches from another provider instance through the sandbox's agent.json", async () => {
    const { sdk, provider } = fakeE2BProvider();
    const handle = await provider.create({ sessionId: "sess-1", env: {}, files: [] });
    const other = new E2BSandboxProvider({ sdk, installationId: "installation-a", fetch: sdk.fetch });
    expect(await other.connect(handle.id)).toEqual(handle);
    // Looked at first (never resumes), then connected with the TTL kept.
    expect(sdk.callsOf("getInfo").map((c) => c.args)).toEqual([[handle.id, {}]]);
    expect(sdk.callsOf("connect").map((c) => c.args)).toEqual([[handle.id, { timeoutMs: 3_600_000 }]]);
    expect(await other.health(handle.id)).toBe(true);
  });

  it("pauses on destroy({ keepWorkspace }) and resume restarts the server with the new env", async () => {
    const { sdk, provider } = fakeE2BProvider();
    const handle = await provider.create({ sessionId: "sess-1", env: { A: "1" }, files: [] });
    await provider.destroy(handle.id, { keepWorkspace: true });
    const sandbox = sdk.sandboxes.get(handle.id)!;
    expect(sandbox.state).toBe("paused");
    expect(sdk.callsOf("pause").map((c) => c.args)).toEqual([[handle.id, {}]]);
    expect(sdk.callsOf("kill")).toEqual([]);

    const resumed = await provider.resume(handle.id, {
      sessionId: "sess-1b",
      env: { A: "2" },
      files: [{ path: "note.md", content: "hi" }],
    });
    expect(sdk.callsOf("connect").at(-1)!.args).toEqual([handle.id, { timeoutMs: 3_600_000 }]);
    expect(sandbox.state).toBe("running");
    expect(sandbox.fs.get("/home/user/workspace/note.md")).toBe("hi");
    expect(sandbox.fs.get(E2B_ENV_FILE)).toContain("export A='2'");
    // The old server (alive in the memory snapshot) is stopped before the new one starts.
    const commands = sdk.callsOf("commands.run").map((c) => c.args[0]);
    expect(commands.slice(-4)).toEqual([
      "chmod 600 '/home/user/.studio/agent.env'",
      stopServerCommand(),
      `chmod 755 '${LAUNCHER}' && chmod 600 '${AGENT_FILE}'`,
      startServerCommand(3000),
    ]);
    expect(resumed.sessionId).toBe("sess-1b");
    expect(resumed.agentToken).not.toBe(handle.agentToken);
    expect(await provider.health(handle.id)).toBe(true);
    expect(sandbox.running()).toHaveLength(1);
  });

  it("restarts the agent server, destroys by kill, and pauses on request", async () => {
    const { sdk, provider } = fakeE2BProvider();
    const handle = await provider.create({ sessionId: "sess-1", env: {}, files: [] });
    const restarted = await provider.restartAgentServer(handle.id);
    expect(restarted.agentToken).not.toBe(handle.agentToken);
    expect(sdk.callsOf("commands.run").map((c) => c.args[0])).toContain(stopServerCommand());
    expect(await provider.health(handle.id)).toBe(true);
    expect(await provider.pause(handle.id)).toBe(true);
    expect(await provider.pause(handle.id)).toBe(true); // already paused: the API's 409 is no error
    await provider.destroy(handle.id);
    expect(sdk.callsOf("kill").map((c) => c.args)).toEqual([[handle.id, {}]]);
    await expect(provider.pause(handle.id)).rejects.toBeInstanceOf(SandboxNotFoundError);
    await expect(provider.destroy(handle.id, { keepWorkspace: true })).resolves.toBeUndefined();
  });

  it("lists this installation's sandboxes through every page of the paginator", async () => {
    const { sdk, provider } = fakeE2BProvider();
    sdk.pageSize = 2;
    const ids: string[] = [];
    for (const sessionId of ["s1", "s2", "s3"])
      ids.push((await provider.create({ sessionId, env: {}, files: [] })).id);
    await provider.pause(ids[1]!);
    expect(await provider.list()).toEqual([
      { id: ids[0], sessionId: "s1", state: "running" },
      { id: ids[1], sessionId: "s2", state: "paused" },
      { id: ids[2], sessionId: "s3", state: "running" },
    ]);
    expect(sdk.callsOf("list")[0]!.args).toEqual([
      { query: { metadata: { studioInstallation: "installation-a" } } },
    ]);
    expect(sdk.callsOf("list.nextItems")).toHaveLength(2);
  });

  it("runs commands with the agent's environment and reports failures as results", async () => {
    const { sdk, provider } = fakeE2BProvider(
      {},
      {
        also: ({ cmd }) => {
          if (cmd.endsWith("\nfalse")) return { exitCode: 1, stderr: "no" };
          if (cmd.endsWith("\nsleep 99")) return { running: true };
          if (cmd.endsWith("\necho hi")) return { stdout: "hi\n" };
          return undefined;
        },
      },
    );
    const handle = await provider.create({ sessionId: "sess-1", env: {}, files: [] });
    expect(await provider.runCommand(handle.id, "echo hi")).toEqual({
      exitCode: 0,
      stdout: "hi\n",
      stderr: "",
    });
    expect(sdk.callsOf("commands.run").at(-1)!.args).toEqual([
      `set -a; [ -f ${E2B_ENV_FILE} ] && . ${E2B_ENV_FILE}; set +a\necho hi`,
      { cwd: "/home/user/workspace", timeoutMs: 60_000 },
    ]);
    // The SDK throws CommandExitError on a non-zero exit: the caller gets the result.
    expect(await provider.runCommand(handle.id, "false")).toEqual({ exitCode: 1, stdout: "", stderr: "no" });
    // A cwd that does not exist fails the start as envd does, as an error, not a result.
    await expect(provider.runCommand(handle.id, "echo hi", { cwd: "sub" })).rejects.toThrow(
      /cwd '\/home\/user\/workspace\/sub' does not exist/,
    );
    // The command's own timeout (the sandbox still runs) reads as `timeout`'s 124.
    const timedOut = await provider.runCommand(handle.id, "sleep 99", { timeoutMs: 5 });
    expect(timedOut).toEqual({ exitCode: 124, stdout: "", stderr: "command timed out after 5 ms" });
  });

  it("health never resumes a paused sandbox; keepAlive pushes the TTL", async () => {
    const { sdk, provider } = fakeE2BProvider();
    const handle = await provider.create({ sessionId: "sess-1", env: {}, files: [] });
    await provider.keepAlive(handle.id);
    expect(sdk.callsOf("setTimeout").map((c) => c.args)).toEqual([[handle.id, 3_600_000, {}]]);
    expect(await provider.pause(handle.id)).toBe(true);

    const other = new E2BSandboxProvider({ sdk, installationId: "installation-a", fetch: sdk.fetch });
    expect(await other.health(handle.id)).toBe(false);
    expect(sdk.callsOf("connect")).toEqual([]);
    expect(sdk.sandboxes.get(handle.id)!.state).toBe("paused");
    await expect(other.keepAlive(handle.id)).resolves.toBeUndefined();
    expect(await other.health("missing")).toBe(false);
    await expect(other.connect("missing")).rejects.toBeInstanceOf(SandboxNotFoundError);
  });

  it("shutdown leaves remote sandboxes running", async () => {
    const { sdk, provider } = fakeE2BProvider();
    await provider.create({ sessionId: "sess-1", env: {}, files: [] });
    await provider.shutdown();
    expect(sdk.callsOf("kill")).toEqual([]);
    expect(sdk.callsOf("pause")).toEqual([]);
  });

  it("refuses to run without an installation id", () => {
    expect(() => new E2BSandboxProvider({ installationId: "" })).toThrow(/installationId/);
  });
});
