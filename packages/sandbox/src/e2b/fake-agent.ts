// For the fake E2B SDK: what the provider's own commands do inside a sandbox, so provider tests
// see a server that listens, checks its token, crashes or logs as sandbox-agent would. The real
// commands are run against the real binaries in commands.int.test.ts; this models only their effect.
import {
  E2B_LOG_FILE,
  E2B_PID_FILE,
  E2B_STUDIO_DIR,
  E2B_WORKSPACE,
  gatewayProbeCommand,
  installCommand,
  logTailCommand,
  stopServerCommand,
} from "./commands.ts";
import type { CommandScript, FakeSandbox, ProcessContext, ScriptedOutcome } from "./fake-sandbox.ts";
import { FakeE2BSdk } from "./fake-sdk.ts";
import { E2BSandboxProvider, type E2BSandboxProviderOptions } from "./provider.ts";

export interface AgentModelOptions {
  /** Health requests answered 502 (port not open yet) after each start, before the server listens. */
  slowStart?: number;
  /** sandbox-agent exits at once with this code after writing `log` to its log file. */
  crash?: { exitCode: number; log: string };
  /** Whether the studio's health endpoint answers the in-sandbox probe (default true). */
  gatewayReachable?: boolean;
  /** Asked first; answering undefined falls through to the model. */
  also?: CommandScript;
}

const STUDIO_HEALTH = JSON.stringify({ status: "ok", database: { status: "up" } });

/** A CommandScript for FakeE2BSdk.script. */
export function agentModel(options: AgentModelOptions = {}): CommandScript {
  return (context) => {
    const extra = options.also?.(context);
    if (extra !== undefined) return extra;
    const { cmd, sandbox } = context;
    if (cmd.includes("exec sandbox-agent server")) return startServer(context, options);
    if (cmd === stopServerCommand()) return stopServer(sandbox);
    if (cmd === logTailCommand()) return { stdout: (sandbox.fs.get(E2B_LOG_FILE) ?? "").slice(-4000) };
    if (cmd === installCommand()) {
      if (context.user !== "root") return { exitCode: 1, stderr: "install: cannot change owner" };
      sandbox.mkdirs(E2B_WORKSPACE);
      sandbox.mkdirs(E2B_STUDIO_DIR);
      return { stdout: "sandbox-agent 0.4.2\nopencode 1.18.33\n" };
    }
    if (cmd.startsWith("URL=")) {
      const url = /^URL='([^']*)'/.exec(cmd)?.[1] ?? "";
      if (cmd !== gatewayProbeCommand(url)) return { exitCode: 2, stderr: "unexpected probe" };
      if (options.gatewayReachable === false)
        return { exitCode: 7, stderr: `curl: (7) Failed to connect to ${new URL(url).host} port 443` };
      return { stdout: STUDIO_HEALTH };
    }
    if (cmd.startsWith("chmod ")) return chmod(sandbox, cmd);
    return undefined;
  };
}

function startServer(context: ProcessContext, options: AgentModelOptions): ScriptedOutcome {
  const { sandbox, process, envs } = context;
  const port = Number(/--port (\d+)/.exec(context.cmd)?.[1]);
  const log = (line: string) => sandbox.fs.set(E2B_LOG_FILE, (sandbox.fs.get(E2B_LOG_FILE) ?? "") + line);
  sandbox.fs.set(E2B_PID_FILE, `${process.pid}\n`);
  if (options.crash) {
    const { exitCode, log: text } = options.crash;
    log(text);
    queueMicrotask(() => process.exit(exitCode));
    return { running: true };
  }
  if (sandbox.ports.has(port)) {
    log(`Error: address 0.0.0.0:${port} already in use\n`);
    queueMicrotask(() => process.exit(1));
    return { running: true };
  }
  log(`sandbox-agent listening on 0.0.0.0:${port}\n`);
  let closedPolls = options.slowStart ?? 0;
  sandbox.listen(
    port,
    (request) => {
      if (closedPolls > 0) {
        closedPolls--;
        return Response.json({ message: "port not open", code: 502 }, { status: 502 });
      }
      if (request.headers.get("authorization") !== `Bearer ${envs.SA_TOKEN}`)
        return Response.json({ error: "unauthorized" }, { status: 401 });
      if (new URL(request.url).pathname === "/v1/health") return Response.json({ status: "ok" });
      return Response.json({ error: "not found" }, { status: 404 });
    },
    process,
  );
  return { running: true };
}

function stopServer(sandbox: FakeSandbox): ScriptedOutcome {
  for (const process of sandbox.running())
    if (process.cmd.includes("exec sandbox-agent server")) process.exit(143, { error: "signal: terminated" });
  sandbox.fs.delete(E2B_PID_FILE);
  return {};
}

function chmod(sandbox: FakeSandbox, cmd: string): ScriptedOutcome {
  for (const [, path] of cmd.matchAll(/chmod [0-7]+ '([^']+)'/g))
    if (!sandbox.fs.has(path!))
      return { exitCode: 1, stderr: `chmod: cannot access '${path}': No such file or directory` };
  return {};
}

/** A provider on a fresh fake SDK whose sandboxes run the agent model; the studio template exists. */
export function fakeE2BProvider(
  options: Partial<E2BSandboxProviderOptions> = {},
  agent: AgentModelOptions = {},
): { sdk: FakeE2BSdk; provider: E2BSandboxProvider } {
  const sdk = new FakeE2BSdk();
  sdk.templates.set(STUDIO_TEMPLATE, { dirs: [E2B_WORKSPACE, E2B_STUDIO_DIR], cpuCount: 2, memoryMB: 4096 });
  sdk.script = agentModel(agent);
  const provider = new E2BSandboxProvider({
    sdk,
    installationId: "installation-a",
    fetch: sdk.fetch,
    // Lets the fake's timers run between polls without waiting for real.
    sleep: () => new Promise((resolve) => setImmediate(resolve)),
    ...options,
  });
  return { sdk, provider };
}

export const STUDIO_TEMPLATE = "studio-opencode";
