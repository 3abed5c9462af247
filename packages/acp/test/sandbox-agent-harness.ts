// Runs the REAL sandbox-agent 0.4.2 with the REAL opencode 1.18.33 for integration tests: its
// own temp HOME / XDG dirs, opencode on PATH, a workspace whose opencode.json points every model
// call at the scripted model server. No other model endpoint exists in these tests.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const sandboxAgentBin = join(
  repoRoot,
  "node_modules/.pnpm/@sandbox-agent+cli-linux-x64@0.4.2/node_modules/@sandbox-agent/cli-linux-x64/bin/sandbox-agent",
);
// The .bin entry is a sh wrapper that does not exec; link the real binary so that the agent
// process sandbox-agent spawns IS opencode (killing it kills the agent).
const opencodeBin = realpathSync(
  join(repoRoot, "packages/sandbox/node_modules/opencode-ai/bin/opencode.exe"),
);

export interface HarnessOptions {
  /** The scripted model server's base URL (http://127.0.0.1:<port>). */
  modelUrl: string;
  /** Start opencode with its HTTP API on this port and the question tool enabled. */
  opencodePort?: number;
  /** sandbox-agent's own POST timeout; default one day (what the studio runs with). */
  acpRequestTimeoutMs?: number;
}

export interface SandboxAgentHarness {
  baseUrl: string;
  token: string;
  workspace: string;
  opencodeUrl: string | null;
  /** Pids of the agent processes sandbox-agent is running now. */
  agentPids(): number[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

export async function startSandboxAgent(options: HarnessOptions): Promise<SandboxAgentHarness> {
  const root = await mkdtemp(join(tmpdir(), "acp-int-"));
  const home = join(root, "home");
  const bin = join(root, "bin");
  const workspace = join(root, "ws");
  const dataHome = join(home, ".local/share");
  await Promise.all([
    mkdir(bin, { recursive: true }),
    mkdir(workspace),
    mkdir(dataHome, { recursive: true }),
  ]);
  await symlink(opencodeBin, join(bin, "opencode"));
  await writeFile(
    join(workspace, "opencode.json"),
    JSON.stringify(opencodeConfig(options.modelUrl), null, 2),
  );
  if (options.opencodePort !== undefined) {
    // sandbox-agent runs this launcher instead of `opencode acp` when it exists.
    const launchers = join(dataHome, "sandbox-agent/bin/agent_processes");
    await mkdir(launchers, { recursive: true });
    const script = `#!/bin/sh\nexec opencode acp --port ${options.opencodePort} --hostname 127.0.0.1 "$@"\n`;
    await writeFile(join(launchers, "opencode-acp"), script, { mode: 0o755 });
  }

  const port = await freePort();
  const token = `tok-${port}`;
  const env: Record<string, string> = {
    PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: dataHome,
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_STATE_HOME: join(home, ".local/state"),
    // OpenCode (a Bun binary) unpacks a 5 MB native library into TMPDIR at each start and leaves
    // it there: inside the root, it goes with the root.
    TMPDIR: root,
    SANDBOX_AGENT_REQUIRE_PREINSTALL: "1",
    SANDBOX_AGENT_ACP_REQUEST_TIMEOUT_MS: String(options.acpRequestTimeoutMs ?? 24 * 60 * 60 * 1000),
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    // As the studio's launcher sets it (launcher.ts): a second of CPU less per OpenCode start.
    BUN_JSC_useFTLJIT: "0",
    // opencode installs its plugin package in the background at start; offline it fails fast
    // and harmlessly instead of downloading into every test's fresh HOME.
    npm_config_offline: "true",
    FAKE_LLM_API_KEY: "scripted-key",
    ...(options.opencodePort !== undefined ? { OPENCODE_ENABLE_QUESTION_TOOL: "1" } : {}),
  };
  const child = spawn(
    sandboxAgentBin,
    ["server", "--token", token, "--no-telemetry", "--host", "127.0.0.1", "--port", String(port)],
    { cwd: workspace, env, stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(baseUrl, token, child);
  } catch (error) {
    await stopGroup(child);
    throw new Error(`sandbox-agent did not start: ${error}\n${stderr}`);
  }

  return {
    baseUrl,
    token,
    workspace,
    opencodeUrl: options.opencodePort !== undefined ? `http://127.0.0.1:${options.opencodePort}` : null,
    agentPids: () => childPids(child.pid!),
    async stop() {
      await stopGroup(child);
      await rm(root, { recursive: true, force: true });
    },
  };
}

function opencodeConfig(modelUrl: string) {
  const limit = { context: 128000, output: 8192 }; // limit.context makes opencode send usage_update
  return {
    provider: {
      fake: {
        npm: "@ai-sdk/openai-compatible",
        name: "Scripted model",
        options: { baseURL: `${modelUrl}/v1`, apiKey: "{env:FAKE_LLM_API_KEY}" },
        models: { "scripted-1": { name: "Scripted 1", tool_call: true, reasoning: false, limit } },
      },
    },
    model: "fake/scripted-1",
    small_model: "fake/scripted-1",
    enabled_providers: ["fake"],
    autoupdate: false,
    share: "disabled",
    permission: { bash: "ask", edit: "ask", webfetch: "deny" },
  };
}

async function waitForHealth(baseUrl: string, token: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${baseUrl}/v1/health`, { headers: { authorization: `Bearer ${token}` } });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("no healthy answer");
}

/** Pids whose parent is `parent`, from /proc (Linux only, like the binaries). */
export function childPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid ...": comm may contain spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    return existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}

/** sandbox-agent and the agents it spawned share its process group (it was started detached). */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const agents = childPids(child.pid);
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    for (const pid of [-child.pid!, ...agents]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}
