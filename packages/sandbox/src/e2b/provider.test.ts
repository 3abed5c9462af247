// The E2B provider against a recorded fake of the SDK: the exact calls, commands and files.
// Nothing here reaches E2B (see README: not run against the live service).
import { describe, expect, it } from "vitest";
import { buildWorkspace } from "../workspace/build.ts";
import {
  E2B_AGENT_FILE,
  E2B_ENV_FILE,
  installCommand,
  startServerCommand,
  stopServerCommand,
} from "./commands.ts";
import { FakeE2BSdk, fakeHealthFetch } from "./fake-sdk.ts";
import { E2BSandboxProvider } from "./provider.ts";

const PLANTED_KEY = "sk-PLANTED-provider-key-0123456789";
const noSleep = async () => {};

const workspace = buildWorkspace({
  provider: "anthropic",
  model: "claude-sonnet-4-6",
  gateway: { baseUrl: "https://studio.example.test/api/llm", token: "gw-session-token" },
  directKey: { apiKey: PLANTED_KEY },
  toolPermissions: "ask",
});

function setup(options: ConstructorParameters<typeof E2BSandboxProvider>[0] = {}, healthFailures = 0) {
  const sdk = new FakeE2BSdk();
  const health = fakeHealthFetch(healthFailures);
  const provider = new E2BSandboxProvider({ sdk, fetch: health.fetch, sleep: noSleep, ...options });
  return { sdk, health, provider };
}

const LAUNCHER = "/home/user/.local/share/sandbox-agent/bin/agent_processes/opencode-acp";

describe("E2BSandboxProvider.create", () => {
  it("creates, installs at run time, writes files and starts sandbox-agent with a token", async () => {
    const { sdk, health, provider } = setup({}, 2);
    const steps: string[] = [];
    const handle = await provider.create({
      sessionId: "sess-1",
      env: workspace.env,
      files: workspace.files,
      onStep: (s) => steps.push(`${s.step}:${s.state}`),
    });

    expect(sdk.callsOf("create")[0]!.args).toEqual([
      "base",
      {
        metadata: { studio: "studio", studioSessionId: "sess-1" },
        envs: {
          ...workspace.env,
          STUDIO_AGENT_DIR: "/home/user/.studio/agent",
          OPENCODE_CONFIG: "/home/user/.studio/agent/opencode.json",
        },
        timeoutMs: 3_600_000,
        lifecycle: { onTimeout: "pause", autoResume: false },
        allowInternetAccess: true,
      },
    ]);
    const runs = sdk.callsOf("commands.run").map((c) => c.args);
    expect(runs[0]).toEqual([installCommand(), { user: "root", timeoutMs: 600_000 }]);
    expect(runs[1]![0]).toBe("chmod 600 '/home/user/.studio/agent.env'");
    expect(runs[2]![0]).toBe(`chmod 755 '${LAUNCHER}' && chmod 600 '${E2B_AGENT_FILE}'`);
    const [command, options] = runs[3] as [string, Record<string, any>];
    expect(command).toBe(startServerCommand(3000));
    expect(command).toContain('--token "$SA_TOKEN"');
    expect(command).toContain("--host 0.0.0.0 --port 3000");
    expect(options).toEqual({
      background: true,
      timeoutMs: 0,
      cwd: "/home/user/workspace",
      envs: {
        SA_TOKEN: handle.agentToken,
        OPENCODE_SERVER_USERNAME: "opencode",
        OPENCODE_SERVER_PASSWORD: expect.any(String),
        SANDBOX_AGENT_REQUIRE_PREINSTALL: "1",
        SANDBOX_AGENT_LOG_STDOUT: "1",
      },
    });
    expect(runs).toHaveLength(4); // a fresh sandbox has no old server to stop

    const sandbox = sdk.sandboxes.get(handle.id)!;
    // The studio's config and instructions are outside the workspace, which it leaves untouched.
    expect(JSON.parse(sandbox.fs.get("/home/user/.studio/agent/opencode.json")!).model).toBe(
      "anthropic/claude-sonnet-4-6",
    );
    expect(sandbox.fs.has("/home/user/.studio/agent/instructions.md")).toBe(true);
    expect([...sandbox.fs.keys()].filter((file) => file.startsWith("/home/user/workspace"))).toEqual([]);
    expect(sandbox.fs.get(E2B_ENV_FILE)).toContain("export STUDIO_GATEWAY_TOKEN='gw-session-token'");
    expect(sandbox.fs.get(E2B_ENV_FILE)).toContain(
      "export OPENCODE_CONFIG='/home/user/.studio/agent/opencode.json'",
    );
    expect(sandbox.fs.get(E2B_ENV_FILE)).toContain("export STUDIO_AGENT_DIR='/home/user/.studio/agent'");
    expect(sandbox.fs.get(E2B_ENV_FILE)).toContain("export OPENCODE_CONFIG_CONTENT='{");
    expect(sandbox.fs.get(LAUNCHER)).toContain("acp --port 4096 --hostname '127.0.0.1'");
    // OpenCode's global config says its plugin package is there, so it downloads nothing at start.
    expect(sandbox.fs.has("/home/user/.config/opencode/node_modules/.studio")).toBe(true);
    expect(JSON.parse(sandbox.fs.get("/home/user/.config/opencode/package.json")!).dependencies).toEqual({
      "@opencode-ai/plugin": "*",
    });
    expect(JSON.parse(sandbox.fs.get(E2B_AGENT_FILE)!)).toMatchObject({
      sessionId: "sess-1",
      token: handle.agentToken,
      agentPort: 3000,
      opencodePort: 4096,
    });

    expect(handle).toEqual({
      id: "sbx1",
      provider: "e2b",
      sessionId: "sess-1",
      workspaceDir: "/home/user/workspace",
      agentUrl: "https://3000-sbx1.e2b.app",
      agentToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      opencodeUrl: "https://4096-sbx1.e2b.app",
      opencodeHeaders: { authorization: expect.stringMatching(/^Basic /) },
    });
    // Health polled through the public URL with the token until the port answered.
    expect(health.requests).toHaveLength(3);
    expect(health.requests[2]).toEqual({
      url: "https://3000-sbx1.e2b.app/v1/health",
      authorization: `Bearer ${handle.agentToken}`,
    });
    expect(steps).toEqual([
      "sandbox:started",
      "sandbox:completed",
      "install:started",
      "install:completed",
      "files:started",
      "files:completed",
      "agent-server:started",
      "agent-server:completed",
    ]);
  });

  it("never sends a provider key to E2B in gateway mode", async () => {
    const { sdk, provider } = setup();
    await provider.create({ sessionId: "sess-1", env: workspace.env, files: workspace.files });
    const everything = JSON.stringify(sdk.calls);
    expect(everything).toContain("gw-session-token");
    expect(everything).not.toContain(PLANTED_KEY);
    expect(everything).not.toContain("PLANTED");
  });

  it("uses the baked template without installing, and kill-on-timeout when pausing is off", async () => {
    const { sdk, provider } = setup({
      template: "studio-opencode",
      pauseOnTimeout: false,
      apiKey: "e2b-key",
    });
    const handle = await provider.create({ sessionId: "sess-2", env: {}, files: [] });
    const [template, options] = sdk.callsOf("create")[0]!.args as [string, Record<string, unknown>];
    expect(template).toBe("studio-opencode");
    expect(options).toMatchObject({ apiKey: "e2b-key", lifecycle: { onTimeout: "kill" } });
    expect(sdk.callsOf("commands.run").some((c) => c.args[0] === installCommand())).toBe(false);
    expect(await provider.pause(handle.id)).toBe(false);
    await provider.destroy(handle.id, { keepWorkspace: true });
    expect(sdk.callsOf("kill").map((c) => c.args)).toEqual([[handle.id, { apiKey: "e2b-key" }]]);
  });

  it("kills the sandbox when sandbox-agent never becomes healthy", async () => {
    const { sdk, provider } = setup({ healthTimeoutMs: 0 }, 1_000);
    await expect(provider.create({ sessionId: "sess-3", env: {}, files: [] })).rejects.toThrow(/not healthy/);
    expect(sdk.callsOf("kill").map((c) => c.args)).toEqual([["sbx1", {}]]);
  });
});

describe("E2BSandboxProvider lifecycle", () => {
  it("re-attaches from another provider instance through the sandbox's agent.json", async () => {
    const { sdk, health, provider } = setup();
    const handle = await provider.create({ sessionId: "sess-1", env: {}, files: [] });
    const other = new E2BSandboxProvider({ sdk, fetch: health.fetch, sleep: noSleep });
    expect(await other.connect(handle.id)).toEqual(handle);
    expect(sdk.callsOf("connect").map((c) => c.args)).toEqual([[handle.id, { timeoutMs: 3_600_000 }]]);
    expect(await other.health(handle.id)).toBe(true);
  });

  it("pauses on destroy({ keepWorkspace }) and resume restarts the server with the new env", async () => {
    const { sdk, provider } = setup();
    const handle = await provider.create({ sessionId: "sess-1", env: { A: "1" }, files: [] });
    await provider.destroy(handle.id, { keepWorkspace: true });
    const sandbox = sdk.sandboxes.get(handle.id)!;
    expect(sandbox.paused).toBe(true);
    expect(sdk.callsOf("kill")).toEqual([]);

    const resumed = await provider.resume(handle.id, {
      sessionId: "sess-1b",
      env: { A: "2" },
      files: [{ path: "note.md", content: "hi" }],
    });
    expect(sdk.callsOf("connect").at(-1)!.args).toEqual([handle.id, { timeoutMs: 3_600_000 }]);
    expect(sandbox.paused).toBe(false);
    expect(sandbox.fs.get("/home/user/workspace/note.md")).toBe("hi");
    expect(sandbox.fs.get(E2B_ENV_FILE)).toContain("export A='2'");
    // The old server (alive in a memory snapshot) is stopped before the new one starts.
    const commands = sdk.callsOf("commands.run").map((c) => c.args[0]);
    expect(commands.slice(-4)).toEqual([
      "chmod 600 '/home/user/.studio/agent.env'",
      stopServerCommand(),
      `chmod 755 '${LAUNCHER}' && chmod 600 '${E2B_AGENT_FILE}'`,
      startServerCommand(3000),
    ]);
    expect(resumed.sessionId).toBe("sess-1b");
    expect(resumed.agentToken).not.toBe(handle.agentToken);
  });

  it("restarts the agent server, destroys by kill, and pauses on request", async () => {
    const { sdk, provider } = setup();
    const handle = await provider.create({ sessionId: "sess-1", env: {}, files: [] });
    const restarted = await provider.restartAgentServer(handle.id);
    expect(restarted.agentToken).not.toBe(handle.agentToken);
    expect(sdk.callsOf("commands.run").map((c) => c.args[0])).toContain(stopServerCommand());
    expect(await provider.pause(handle.id)).toBe(true);
    await provider.destroy(handle.id);
    expect(sdk.callsOf("kill").map((c) => c.args)).toEqual([[handle.id, {}]]);
  });

  it("lists studio sandboxes through the paginator", async () => {
    const { sdk, provider } = setup({ metadata: { studio: "prod-eu" } });
    const info = (id: string, sessionId: string, state: "running" | "paused") =>
      ({ sandboxId: id, metadata: { studio: "prod-eu", studioSessionId: sessionId }, state }) as never;
    sdk.listPages = [[info("a", "s1", "running")], [info("b", "s2", "paused")]];
    expect(await provider.list()).toEqual([
      { id: "a", sessionId: "s1", state: "running" },
      { id: "b", sessionId: "s2", state: "paused" },
    ]);
    expect(sdk.callsOf("list")[0]!.args).toEqual([{ query: { metadata: { studio: "prod-eu" } } }]);
  });

  it("runs commands with the agent's environment and reports failures as results", async () => {
    const { sdk, provider } = setup();
    const handle = await provider.create({ sessionId: "sess-1", env: {}, files: [] });
    sdk.script = (cmd) => {
      if (cmd.endsWith("false"))
        return Object.assign(new Error("exit 1"), { exitCode: 1, stdout: "", stderr: "no" });
      if (cmd.endsWith("sleep 99")) return Object.assign(new Error("timeout"), { name: "TimeoutError" });
      return { exitCode: 0, stdout: "hi\n", stderr: "" };
    };
    expect(await provider.runCommand(handle.id, "echo hi")).toEqual({
      exitCode: 0,
      stdout: "hi\n",
      stderr: "",
    });
    expect(sdk.callsOf("commands.run").at(-1)!.args).toEqual([
      `set -a; [ -f ${E2B_ENV_FILE} ] && . ${E2B_ENV_FILE}; set +a\necho hi`,
      { cwd: "/home/user/workspace", timeoutMs: 60_000 },
    ]);
    expect(await provider.runCommand(handle.id, "false", { cwd: "sub" })).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: "no",
    });
    expect(sdk.callsOf("commands.run").at(-1)!.args[1]).toEqual({
      cwd: "/home/user/workspace/sub",
      timeoutMs: 60_000,
    });
    const timedOut = await provider.runCommand(handle.id, "sleep 99", { timeoutMs: 5 });
    expect(timedOut.exitCode).toBe(124);
  });

  it("health never resumes a paused sandbox; keepAlive pushes the TTL", async () => {
    const { sdk, provider } = setup();
    const handle = await provider.create({ sessionId: "sess-1", env: {}, files: [] });
    await provider.keepAlive(handle.id);
    expect(sdk.callsOf("setTimeout").map((c) => c.args)).toEqual([[handle.id, 3_600_000, {}]]);
    expect(await provider.pause(handle.id)).toBe(true);

    const other = new E2BSandboxProvider({ sdk, fetch: fakeHealthFetch().fetch, sleep: noSleep });
    expect(await other.health(handle.id)).toBe(false);
    expect(sdk.callsOf("connect")).toEqual([]);
    expect(sdk.sandboxes.get(handle.id)!.paused).toBe(true);
    await expect(other.keepAlive(handle.id)).resolves.toBeUndefined();
    expect(await other.health("missing")).toBe(false);
  });

  it("shutdown leaves remote sandboxes running", async () => {
    const { sdk, provider } = setup();
    await provider.create({ sessionId: "sess-1", env: {}, files: [] });
    await provider.shutdown();
    expect(sdk.callsOf("kill")).toEqual([]);
    expect(sdk.callsOf("pause")).toEqual([]);
  });
});
