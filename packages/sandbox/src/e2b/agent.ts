// What the E2B provider does inside one sandbox: run commands, write files, and (re)start
// sandbox-agent. The sandbox keeps agent.json (token, OpenCode password, ports) so any studio
// replica can re-attach from the sandbox alone.
import {
  AgentServerStartError,
  type FetchLike,
  newSecret,
  OPENCODE_USERNAME,
  opencodeAuthHeaders,
  waitForHealth,
} from "../agent-server.ts";
import { resolveFiles } from "../files.ts";
import type { CommandResult, SandboxHandle, WorkspaceFile } from "../types.ts";
import { buildOpencodeLauncher, launcherPathForHome } from "../workspace/launcher.ts";
import { skipPluginInstallFiles } from "../workspace/plugin-install.ts";
import {
  chmodCommand,
  E2B_AGENT_FILE,
  E2B_ENV_FILE,
  E2B_HOME,
  E2B_LOG_FILE,
  E2B_WORKSPACE,
  envFile,
  gatewayProbeCommand,
  logTailCommand,
  startServerCommand,
  stopServerCommand,
} from "./commands.ts";
import { type E2BSandboxLike, exitResult, isFileMissing } from "./sdk.ts";

export const COMMAND_TIMEOUT_MS = 60_000;

export interface AgentRecord {
  sessionId: string;
  token: string;
  opencodePassword: string;
  agentPort: number;
  opencodePort: number;
  startedAt: string;
}

export async function runIn(
  sandbox: E2BSandboxLike,
  command: string,
  options: { cwd?: string; user?: string; timeoutMs: number },
): Promise<CommandResult> {
  try {
    const result = await sandbox.commands.run(command, options);
    return { exitCode: result.exitCode ?? 0, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
  } catch (error) {
    // The SDK throws CommandExitError on a non-zero exit; callers want the result.
    const result = exitResult(error);
    if (result) return result;
    throw error;
  }
}

export function envFileEntry(env: Record<string, string>): WorkspaceFile {
  return { path: E2B_ENV_FILE, content: envFile(env), mode: 0o600 };
}

export async function writeIn(sandbox: E2BSandboxLike, files: WorkspaceFile[]): Promise<void> {
  const resolved = resolveFiles(files, { workspace: E2B_WORKSPACE, home: E2B_HOME });
  if (resolved.length === 0) return;
  await sandbox.files.write(resolved.map((f) => ({ path: f.target, data: f.content })));
  // The write API has no mode: launchers must be executable, secrets private.
  const modes = resolved.flatMap((f) => (f.mode === undefined ? [] : [{ target: f.target, mode: f.mode }]));
  if (modes.length) {
    const result = await runIn(sandbox, chmodCommand(modes), { timeoutMs: COMMAND_TIMEOUT_MS });
    if (result.exitCode !== 0) throw new Error(`chmod failed: ${result.stderr}`);
  }
}

/**
 * The sandbox's agent.json; null only when there is none (no server was ever started). Any other
 * failure (the proxy's 502, a network error) is thrown: it says nothing about the server.
 */
export async function readRecord(sandbox: E2BSandboxLike): Promise<AgentRecord | null> {
  let text: string;
  try {
    text = await sandbox.files.read(E2B_AGENT_FILE);
  } catch (error) {
    if (await isFileMissing(error)) return null;
    throw error;
  }
  return JSON.parse(text) as AgentRecord;
}

export function handleFor(sandbox: E2BSandboxLike, record: AgentRecord): SandboxHandle {
  return {
    id: sandbox.sandboxId,
    provider: "e2b",
    sessionId: record.sessionId,
    workspaceDir: E2B_WORKSPACE,
    agentUrl: `https://${sandbox.getHost(record.agentPort)}`,
    agentToken: record.token,
    // OpenCode listens on 127.0.0.1; E2B's envd forwards loopback ports to its public proxy, which
    // is why OpenCode's API needs its password there.
    opencodeUrl: `https://${sandbox.getHost(record.opencodePort)}`,
    opencodeHeaders: opencodeAuthHeaders(record.opencodePassword),
  };
}

export interface StartAgentOptions {
  sessionId: string;
  agentPort: number;
  opencodePort: number;
  healthTimeoutMs: number;
  /** A fresh sandbox has no server to stop; a resumed one may (memory snapshot, same port). */
  fresh: boolean;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

/** (Re)starts sandbox-agent with a fresh token and OpenCode password; waits until healthy. */
export async function startAgent(
  sandbox: E2BSandboxLike,
  options: StartAgentOptions,
): Promise<SandboxHandle> {
  const record: AgentRecord = {
    sessionId: options.sessionId,
    token: newSecret(),
    opencodePassword: newSecret(),
    agentPort: options.agentPort,
    opencodePort: options.opencodePort,
    startedAt: new Date().toISOString(),
  };
  if (!options.fresh) await runIn(sandbox, stopServerCommand(), { timeoutMs: COMMAND_TIMEOUT_MS });
  await writeIn(sandbox, [
    {
      path: launcherPathForHome(E2B_HOME),
      content: buildOpencodeLauncher({ port: record.opencodePort }),
      mode: 0o755,
    },
    { path: E2B_AGENT_FILE, content: `${JSON.stringify(record, null, 2)}\n`, mode: 0o600 },
    ...skipPluginInstallFiles(`${E2B_HOME}/.config/opencode`),
  ]);
  const server = await sandbox.commands.run(startServerCommand(record.agentPort), {
    background: true,
    // 0: no limit. Any other value ends the server when it expires (envd drops the process).
    timeoutMs: 0,
    cwd: E2B_WORKSPACE,
    envs: {
      SA_TOKEN: record.token,
      OPENCODE_SERVER_USERNAME: OPENCODE_USERNAME,
      OPENCODE_SERVER_PASSWORD: record.opencodePassword,
      // Fail fast with agent_not_installed rather than download an agent.
      SANDBOX_AGENT_REQUIRE_PREINSTALL: "1",
      SANDBOX_AGENT_LOG_STDOUT: "1",
    },
  });
  // A server that exits while we poll fails the start at once, not after the health timeout.
  let exited: string | null = null;
  server.wait().then(
    (result) => {
      exited ??= `it exited with code ${result.exitCode}`;
    },
    (error: Error) => {
      const result = exitResult(error);
      exited ??= result ? `it exited with code ${result.exitCode}` : `its process ended (${error.message})`;
    },
  );
  const handle = handleFor(sandbox, record);
  try {
    // A 502 from E2B's proxy means the port is not open yet: keep polling.
    await waitForHealth({
      agentUrl: handle.agentUrl,
      token: handle.agentToken,
      timeoutMs: options.healthTimeoutMs,
      fetch: options.fetch,
      sleep: options.sleep,
      signal: options.signal,
      failure: () => exited,
    });
  } catch (error) {
    // Whoever gives up next may kill the sandbox, and its log with it: the log goes in the error.
    const tail = await logTail(sandbox);
    if (!tail) throw error;
    throw new AgentServerStartError(`${(error as Error).message}. The end of ${E2B_LOG_FILE}:\n${tail}`, {
      cause: error,
    });
  } finally {
    // The server runs on; only the studio's stream of it ends.
    await server.disconnect().catch(() => {});
  }
  return handle;
}

async function logTail(sandbox: E2BSandboxLike): Promise<string> {
  try {
    const result = await runIn(sandbox, logTailCommand(), { timeoutMs: 10_000 });
    return result.stdout.trim();
  } catch {
    return "";
  }
}

/**
 * Calls the studio's health endpoint from inside the sandbox. Provisioning that skipped this looked
 * healthy until the agent's first model call failed inside OpenCode, far from the cause.
 */
export async function probeGateway(sandbox: E2BSandboxLike, gatewayUrl: string): Promise<void> {
  const url = `${gatewayUrl.replace(/\/api\/llm\/?$/, "").replace(/\/+$/, "")}/api/health`;
  const result = await runIn(sandbox, gatewayProbeCommand(url), { timeoutMs: 30_000 });
  let status: unknown;
  try {
    status = (JSON.parse(result.stdout) as { status?: unknown }).status;
  } catch {}
  if (result.exitCode === 0 && (status === "ok" || status === "degraded")) return;
  const answer = (result.stderr.trim() || result.stdout.trim() || `exit code ${result.exitCode}`).slice(
    0,
    300,
  );
  throw new Error(
    `The sandbox cannot reach the studio at ${url} (${answer}). GATEWAY_PUBLIC_URL must be the studio's address as E2B sandboxes reach it: public, over https.`,
  );
}
