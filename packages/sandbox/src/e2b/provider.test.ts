// The E2B provider's create against the strict fake SDK: the exact calls, commands and files.
// Nothing here reaches E2B (see README: not run against the live service).
import { describe, expect, it } from "vitest";
import { buildWorkspace } from "../workspace/build.ts";
import {
  E2B_AGENT_FILE,
  E2B_ENV_FILE,
  gatewayProbeCommand,
  installCommand,
  startServerCommand,
} from "./commands.ts";
import { fakeE2BProvider, STUDIO_TEMPLATE } from "./fake-agent.ts";

const PLANTED_KEY = "sk-PLANTED-provider-key-0123456789";
const GATEWAY = "https://studio.example.test/api/llm";

const workspace = buildWorkspace({
  provider: "anthropic",
  model: "claude-sonnet-4-6",
  gateway: { baseUrl: GATEWAY, token: "gw-session-token" },
  directKey: { apiKey: PLANTED_KEY },
  toolPermissions: "ask",
});

const LAUNCHER = "/home/user/.local/share/sandbox-agent/bin/agent_processes/opencode-acp";

describe("E2BSandboxProvider.create", () => {
  it("creates, installs at run time, checks the gateway, writes files and starts sandbox-agent with a token", async () => {
    const { sdk, provider } = fakeE2BProvider({ gatewayUrl: () => GATEWAY }, { slowStart: 2 });
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
        metadata: { studio: "studio", studioInstallation: "installation-a", studioSessionId: "sess-1" },
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
    expect(runs[1]).toEqual([
      gatewayProbeCommand("https://studio.example.test/api/health"),
      { timeoutMs: 30_000 },
    ]);
    // The agent directory's shell for OpenCode's bash tool is executable; the environment private.
    expect(runs[2]![0]).toBe(
      "chmod 755 '/home/user/.studio/agent/shell/bash' && chmod 600 '/home/user/.studio/agent.env'",
    );
    expect(runs[3]![0]).toBe(`chmod 755 '${LAUNCHER}' && chmod 600 '${E2B_AGENT_FILE}'`);
    const [command, options] = runs[4] as [string, Record<string, any>];
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
    expect(runs).toHaveLength(5); // a fresh sandbox has no old server to stop

    const sandbox = sdk.sandboxes.get(handle.id)!;
    // The base template has no workspace: the install made it, or the start's cwd would not exist.
    expect(sandbox.dirs.has("/home/user/workspace")).toBe(true);
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
    expect(sdk.requests.map((r) => r.status)).toEqual([502, 502, 200]);
    expect(sdk.requests[2]).toMatchObject({
      url: "https://3000-sbx1.e2b.app/v1/health",
      authorization: `Bearer ${handle.agentToken}`,
    });
    expect(steps).toEqual([
      "sandbox:started",
      "sandbox:completed",
      "install:started",
      "install:completed",
      "gateway:started",
      "gateway:completed",
      "files:started",
      "files:completed",
      "agent-server:started",
      "agent-server:completed",
    ]);
    // The server runs on after the studio stopped following its output.
    expect(sandbox.running().map((p) => p.cmd)).toEqual([startServerCommand(3000)]);
  });

  it("never sends a provider key to E2B in gateway mode", async () => {
    const { sdk, provider } = fakeE2BProvider();
    await provider.create({ sessionId: "sess-1", env: workspace.env, files: workspace.files });
    const everything = JSON.stringify(sdk.calls);
    expect(everything).toContain("gw-session-token");
    expect(everything).not.toContain(PLANTED_KEY);
    expect(everything).not.toContain("PLANTED");
  });

  it("uses the baked template without installing, and kill-on-timeout when pausing is off", async () => {
    const { sdk, provider } = fakeE2BProvider({
      template: STUDIO_TEMPLATE,
      pauseOnTimeout: false,
      apiKey: "e2b-key",
    });
    const handle = await provider.create({ sessionId: "sess-2", env: {}, files: [] });
    const [template, options] = sdk.callsOf("create")[0]!.args as [string, Record<string, unknown>];
    expect(template).toBe(STUDIO_TEMPLATE);
    expect(options).toMatchObject({ apiKey: "e2b-key", lifecycle: { onTimeout: "kill" } });
    expect(sdk.callsOf("commands.run").some((c) => c.args[0] === installCommand())).toBe(false);
    expect(await provider.pause(handle.id)).toBe(false);
    await provider.destroy(handle.id, { keepWorkspace: true });
    expect(sdk.callsOf("kill").map((c) => c.args)).toEqual([[handle.id, { apiKey: "e2b-key" }]]);
  });

  it("fails the install step when the run-time install fails, and kills the sandbox", async () => {
    const { sdk, provider } = fakeE2BProvider(
      {},
      {
        also: ({ cmd }) =>
          cmd === installCommand() ? { exitCode: 1, stderr: "npm ERR! network" } : undefined,
      },
    );
    const steps: string[] = [];
    await expect(
      provider.create({
        sessionId: "s",
        env: {},
        files: [],
        onStep: (s) => steps.push(`${s.step}:${s.state}`),
      }),
    ).rejects.toThrow(/installing failed: npm ERR! network/);
    expect(steps).toContain("install:failed");
    expect(sdk.callsOf("kill").map((c) => c.args)).toEqual([["sbx1", {}]]);
  });

  it("kills the sandbox when sandbox-agent never becomes healthy", async () => {
    const { sdk, provider } = fakeE2BProvider({ healthTimeoutMs: 0 }, { slowStart: 1_000 });
    await expect(provider.create({ sessionId: "sess-3", env: {}, files: [] })).rejects.toThrow(/not healthy/);
    expect(sdk.callsOf("kill").map((c) => c.args)).toEqual([["sbx1", {}]]);
    expect(sdk.sandboxes.get("sbx1")!.state).toBe("killed");
  });
});
