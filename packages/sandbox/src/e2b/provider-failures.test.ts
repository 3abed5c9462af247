// The five ways a first live E2B run was likely to fail (issue 25), each against the strict fake:
// an unreachable gateway, the base template, a crashing sandbox-agent, two studios on one E2B team,
// and stale state after E2B paused a sandbox on its own.
import { describe, expect, it } from "vitest";
import { SandboxNotRunningError } from "../errors.ts";
import { E2B_AGENT_FILE, gatewayProbeCommand, logTailCommand, stopServerCommand } from "./commands.ts";
import { fakeE2BProvider } from "./fake-agent.ts";
import { E2BSandboxProvider } from "./provider.ts";

const GATEWAY = "https://studio.example.test/api/llm";

describe("1. a gateway E2B cannot reach", () => {
  it("fails provisioning at the gateway step, naming GATEWAY_PUBLIC_URL, before any agent starts", async () => {
    const { sdk, provider } = fakeE2BProvider({ gatewayUrl: () => GATEWAY }, { gatewayReachable: false });
    const steps: Array<{ step: string; state: string; detail?: string }> = [];
    const failure = provider.create({ sessionId: "s", env: {}, files: [], onStep: (s) => steps.push(s) });
    await expect(failure).rejects.toThrow(
      /cannot reach the studio at https:\/\/studio\.example\.test\/api\/health/,
    );
    await expect(failure).rejects.toThrow(
      /Failed to connect to studio\.example\.test port 443.*GATEWAY_PUBLIC_URL/s,
    );
    expect(steps.at(-1)).toMatchObject({ step: "gateway", state: "failed" });
    expect(sdk.callsOf("commands.run").some((c) => String(c.args[0]).includes("sandbox-agent server"))).toBe(
      false,
    );
    expect(sdk.sandboxes.get("sbx1")!.state).toBe("killed");
  });

  it("checks again on resume (the studio may have moved), and accepts a degraded studio", async () => {
    let reachable = true;
    const { sdk, provider } = fakeE2BProvider(
      { gatewayUrl: () => GATEWAY },
      {
        also: ({ cmd }) =>
          cmd === gatewayProbeCommand("https://studio.example.test/api/health")
            ? reachable
              ? { stdout: '{"status":"degraded","database":{"status":"down"}}' }
              : { stdout: "<html>502 Bad Gateway</html>" }
            : undefined,
      },
    );
    const handle = await provider.create({ sessionId: "s", env: {}, files: [] });
    await provider.pause(handle.id);
    reachable = false;
    await expect(provider.resume(handle.id, { sessionId: "s", env: {} })).rejects.toThrow(
      /\(<html>502 Bad Gateway<\/html>\)\. GATEWAY_PUBLIC_URL/,
    );
    expect(sdk.callsOf("commands.run").filter((c) => String(c.args[0]).startsWith("URL="))).toHaveLength(2);
  });
});

describe("3. sandbox-agent exits during startup", () => {
  it("fails at once with the end of its log, read before the sandbox is killed", async () => {
    const log = "Error: agent_not_installed: opencode is not on PATH\n";
    const { sdk, provider } = fakeE2BProvider({ healthTimeoutMs: 60_000 }, { crash: { exitCode: 1, log } });
    const started = Date.now();
    const failure = provider.create({ sessionId: "s", env: {}, files: [] });
    await expect(failure).rejects.toThrow(/sandbox-agent did not start: it exited with code 1/);
    await expect(failure).rejects.toThrow(/agent\.log:\nError: agent_not_installed: opencode is not on PATH/);
    expect(Date.now() - started).toBeLessThan(5_000);
    const order = sdk.calls.map((c) => (c.method === "commands.run" ? String(c.args[0]) : c.method));
    expect(order.indexOf(logTailCommand())).toBeGreaterThan(-1);
    expect(order.indexOf(logTailCommand())).toBeLessThan(order.indexOf("kill"));
  });

  it("says so when the server's process ends because the sandbox paused mid-start", async () => {
    const { sdk, provider } = fakeE2BProvider({ healthTimeoutMs: 60_000 }, { slowStart: 5 });
    const handle = await provider.create({ sessionId: "s", env: {}, files: [] });
    sdk.script = ((model) => (context) => {
      const outcome = model?.(context);
      if (context.cmd.includes("exec sandbox-agent server")) queueMicrotask(() => sdk.autoPause(handle.id));
      return outcome;
    })(sdk.script);
    await expect(provider.restartAgentServer(handle.id)).rejects.toThrow(/its process ended/);
  });
});

describe("4. two studios on one E2B team", () => {
  it("tags each installation's sandboxes and lists (so reaps) only its own", async () => {
    const { sdk, provider: studioA } = fakeE2BProvider();
    const studioB = new E2BSandboxProvider({ sdk, installationId: "installation-b", fetch: sdk.fetch });
    const a = await studioA.create({ sessionId: "a1", env: {}, files: [] });
    const b = await studioB.create({ sessionId: "b1", env: {}, files: [] });
    // One made before installations were tagged: no studio may claim it.
    await sdk.create("base", { metadata: { studio: "studio", studioSessionId: "old" } });

    expect((await sdk.getInfo(b.id)).metadata).toEqual({
      studio: "studio",
      studioInstallation: "installation-b",
      studioSessionId: "b1",
    });
    expect(await studioA.list()).toEqual([{ id: a.id, sessionId: "a1", state: "running" }]);
    expect(await studioB.list()).toEqual([{ id: b.id, sessionId: "b1", state: "running" }]);
    // The boot reaper of A pauses what A's list shows: B's sandbox keeps running.
    for (const sandbox of await studioA.list()) await studioA.destroy(sandbox.id, { keepWorkspace: true });
    expect(sdk.sandboxes.get(a.id)!.state).toBe("paused");
    expect(sdk.sandboxes.get(b.id)!.state).toBe("running");
    expect(await studioB.health(b.id)).toBe(true);
  });
});

describe("5. stale state after E2B paused a sandbox on its own", () => {
  it("a cached sandbox E2B paused fails health, then restart resumes it instead of failing", async () => {
    const { sdk, provider } = fakeE2BProvider();
    const handle = await provider.create({ sessionId: "s", env: {}, files: [] });
    sdk.autoPause(handle.id); // the TTL ran out; the provider still has it cached as running
    expect(await provider.health(handle.id)).toBe(false);
    expect(sdk.sandboxes.get(handle.id)!.state).toBe("paused"); // looking did not resume it
    expect(sdk.callsOf("connect")).toEqual([]);
    const restarted = await provider.restartAgentServer(handle.id);
    expect(sdk.callsOf("connect").map((c) => c.args[0])).toEqual([handle.id]);
    expect(sdk.sandboxes.get(handle.id)!.state).toBe("running");
    expect(await provider.health(handle.id)).toBe(true);
    expect(restarted.sessionId).toBe("s");
  });

  it("restart resumes an auto-paused sandbox even while it is still cached", async () => {
    const { sdk, provider } = fakeE2BProvider();
    const handle = await provider.create({ sessionId: "s", env: {}, files: [] });
    sdk.autoPause(handle.id);
    const restarted = await provider.restartAgentServer(handle.id);
    expect(sdk.callsOf("getInfo").map((c) => c.args[0])).toEqual([handle.id]);
    expect(await provider.health(restarted.id)).toBe(true);
  });

  it("a transient read error is not 'no server': connect retries and no healthy agent is restarted", async () => {
    const { sdk, provider } = fakeE2BProvider();
    const handle = await provider.create({ sessionId: "s", env: {}, files: [] });
    const sandbox = sdk.sandboxes.get(handle.id)!;
    sandbox.failures.set("files.read", [new TypeError("fetch failed")]);
    expect(await provider.connect(handle.id)).toEqual(handle);
    expect(sdk.callsOf("commands.run").some((c) => c.args[0] === stopServerCommand())).toBe(false);
    // Failing twice while the sandbox runs: the error itself, never SandboxNotRunningError.
    sandbox.failures.set("files.read", [new TypeError("fetch failed"), new TypeError("fetch failed")]);
    await expect(provider.connect(handle.id)).rejects.toThrow(/fetch failed/);
    // Only a missing agent.json means no server.
    sandbox.fs.delete(E2B_AGENT_FILE);
    await expect(provider.connect(handle.id)).rejects.toBeInstanceOf(SandboxNotRunningError);
  });

  it("a command cut off because the sandbox paused is not exit code 124", async () => {
    const { sdk, provider } = fakeE2BProvider(
      {},
      { also: ({ cmd }) => (cmd.endsWith("\nnpm test") ? { running: true } : undefined) },
    );
    const handle = await provider.create({ sessionId: "s", env: {}, files: [] });
    const running = provider.runCommand(handle.id, "npm test", { timeoutMs: 60_000 });
    await new Promise((resolve) => setImmediate(resolve));
    sdk.autoPause(handle.id);
    await expect(running).rejects.toBeInstanceOf(SandboxNotRunningError);
    // And the next command does not trust the cache, nor resume the sandbox to run.
    await expect(provider.runCommand(handle.id, "ls")).rejects.toBeInstanceOf(SandboxNotRunningError);
    await expect(provider.writeFiles(handle.id, [{ path: "a", content: "b" }])).rejects.toBeInstanceOf(
      SandboxNotRunningError,
    );
    expect(sdk.callsOf("connect")).toEqual([]);
  });

  it("attach (connect) looks at a paused sandbox without resuming it", async () => {
    const { sdk, provider } = fakeE2BProvider();
    const handle = await provider.create({ sessionId: "s", env: {}, files: [] });
    await provider.destroy(handle.id, { keepWorkspace: true });
    const other = new E2BSandboxProvider({ sdk, installationId: "installation-a", fetch: sdk.fetch });
    for (const attach of [provider, other])
      await expect(attach.connect(handle.id)).rejects.toBeInstanceOf(SandboxNotRunningError);
    expect(sdk.callsOf("connect")).toEqual([]);
    expect(sdk.sandboxes.get(handle.id)!.state).toBe("paused");
    // A cached connection the sandbox's pause made stale: the 502 behind the read says paused.
    const running = await provider.resume(handle.id, { sessionId: "s", env: {} });
    sdk.autoPause(running.id);
    await expect(provider.connect(running.id)).rejects.toBeInstanceOf(SandboxNotRunningError);
  });
});
