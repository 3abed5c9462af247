// Provisioning, for each agent: sessions.create → ready through the studio (local provider)
// against the bare minimum done by hand in the same run for that agent: start sandbox-agent with
// the agent installed (its CLI on PATH, its ACP adapter's launcher), `initialize`, `session/new`.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { findFreePort } from "@studio/db/postgres";
import {
  agentLauncherPath,
  type BuildWorkspaceOptions,
  buildAdapterLauncher,
  buildCodexConfig,
  claudeAgentEnv,
  codexAgentEnv,
  resolveAgentBinaries,
} from "@studio/sandbox";
import { type BenchStack, readySession, type SessionChoice } from "./stack.ts";
import { median, round } from "./stats.ts";

type BenchAgent = "opencode" | "claude" | "codex";

/** Each agent on a model the scripted upstream answers for its wire format. */
const CHOICES: Record<BenchAgent, Required<SessionChoice>> = {
  opencode: { agent: "opencode", provider: "custom", model: "scripted-1" },
  claude: { agent: "claude", provider: "anthropic", model: "claude-sonnet-4-6" },
  codex: { agent: "codex", provider: "custom", model: "scripted-1" },
};

/** OpenCode's figure has a target; the others start a heavier agent, a few rounds are enough. */
const ROUNDS: Record<BenchAgent, number> = { opencode: 4, claude: 3, codex: 3 };

/** A bound on one provisioning: a stuck agent fails the bench instead of hanging it. */
const TIMEOUT_MS = 120_000;

export interface AgentProvisioning {
  provider: string;
  model: string;
  rounds: number;
  studioMedianMs: number;
  bareMedianMs: number;
  ratio: number;
}

export type ProvisioningResult = Record<BenchAgent, AgentProvisioning | { error: string }>;

async function rpc(url: string, token: string, body: unknown) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  const reply = (await response.json()) as { result?: unknown; error?: unknown };
  if (reply.error) throw new Error(`${JSON.stringify(body)} failed: ${JSON.stringify(reply.error)}`);
  return reply;
}

/**
 * What the agent needs beyond sandbox-agent and OpenCode: directories for PATH, and its launcher,
 * environment and config files as the local provider lays them out (SANDBOX_AGENT_REQUIRE_PREINSTALL
 * makes sandbox-agent refuse an agent whose CLI is not on PATH). Model calls would go to `upstream`;
 * none is made before a prompt.
 */
function agentSetup(agent: BenchAgent, dir: string, upstream: string) {
  if (agent === "opencode") return { pathDirs: [], env: { OPENCODE_DISABLE_MODELS_FETCH: "1" } };
  const binaries = resolveAgentBinaries()[agent];
  if (!binaries) throw new Error(`${agent}'s CLI or ACP adapter is not installed`);
  const launcher = path.join(dir, "data", agentLauncherPath(agent));
  mkdirSync(path.dirname(launcher), { recursive: true });
  writeFileSync(launcher, buildAdapterLauncher(binaries.adapter, binaries.adapterEnv), { mode: 0o755 });
  const options: BuildWorkspaceOptions = {
    ...CHOICES[agent],
    gateway: null,
    toolPermissions: "allow",
  };
  if (agent === "claude") {
    const env = claudeAgentEnv({ ...options, directKey: { apiKey: "sk-bench", baseUrl: upstream } });
    return { pathDirs: binaries.pathDirs, env };
  }
  const codexOptions = { ...options, customEndpoint: { baseUrl: `${upstream}/v1`, apiKey: "sk-bench" } };
  mkdirSync(path.join(dir, ".codex"));
  writeFileSync(path.join(dir, ".codex", "config.toml"), buildCodexConfig(codexOptions));
  return { pathDirs: binaries.pathDirs, env: codexAgentEnv(codexOptions) };
}

/** The least anyone could do: sandbox-agent with the agent installed, then two JSON-RPC calls. */
async function bareProvision(agent: BenchAgent, upstream: string): Promise<number> {
  const binaries = resolveAgentBinaries();
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-bare-"));
  const workspace = path.join(dir, "workspace");
  mkdirSync(workspace);
  const port = await findFreePort();
  const token = "bench-token";
  const started = performance.now();
  let child: ChildProcess | null = null;
  try {
    const setup = agentSetup(agent, dir, upstream);
    const programs = [path.dirname(binaries.opencode), ...setup.pathDirs];
    child = spawn(
      binaries.sandboxAgent,
      ["server", "--token", token, "--no-telemetry", "--host", "127.0.0.1", "--port", String(port)],
      {
        cwd: workspace,
        env: {
          ...setup.env,
          PATH: `${programs.join(":")}:/usr/bin:/bin`,
          HOME: dir,
          XDG_DATA_HOME: path.join(dir, "data"),
          XDG_CONFIG_HOME: path.join(dir, "config"),
          // OpenCode leaves the native library it unpacks at start in TMPDIR.
          TMPDIR: dir,
          SANDBOX_AGENT_REQUIRE_PREINSTALL: "1",
        },
        stdio: "ignore",
        detached: true,
      },
    );
    const base = `http://127.0.0.1:${port}`;
    const deadline = performance.now() + TIMEOUT_MS;
    for (;;) {
      const ok = await fetch(`${base}/v1/health`, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (performance.now() > deadline) throw new Error("sandbox-agent did not become healthy");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const acp = `${base}/v1/acp/bench`;
    await rpc(`${acp}?agent=${agent}`, token, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: 1, clientCapabilities: {} },
    });
    await rpc(acp, token, {
      jsonrpc: "2.0",
      id: 2,
      method: "session/new",
      params: { cwd: workspace, mcpServers: [] },
    });
    return performance.now() - started;
  } finally {
    // The whole group: claude-agent-acp and codex-acp do not exit when sandbox-agent does.
    if (child?.pid) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function studioProvision(stack: BenchStack, agent: BenchAgent): Promise<number> {
  const started = performance.now();
  const sessionId = await readySession(stack, CHOICES[agent], TIMEOUT_MS);
  const elapsed = performance.now() - started;
  await stack.client.sessions.stop.mutate({ sessionId });
  return elapsed;
}

async function benchAgent(stack: BenchStack, agent: BenchAgent): Promise<AgentProvisioning> {
  const rounds = ROUNDS[agent];
  // Warm both (page cache, the adapter's Node modules) and fail early on either side.
  await bareProvision(agent, stack.upstream.url);
  await studioProvision(stack, agent);
  const studio: number[] = [];
  const bare: number[] = [];
  for (let index = 0; index < rounds; index++) {
    // Alternate, so drift in the machine's load hits both alike.
    if (index % 2 === 0) {
      studio.push(await studioProvision(stack, agent));
      bare.push(await bareProvision(agent, stack.upstream.url));
    } else {
      bare.push(await bareProvision(agent, stack.upstream.url));
      studio.push(await studioProvision(stack, agent));
    }
  }
  return {
    provider: CHOICES[agent].provider,
    model: CHOICES[agent].model,
    rounds,
    studioMedianMs: round(median(studio)),
    bareMedianMs: round(median(bare)),
    ratio: round(median(studio) / median(bare), 3),
  };
}

/** Each agent in turn; one that cannot provision is reported with its error, the others still run. */
export async function benchProvisioning(stack: BenchStack): Promise<ProvisioningResult> {
  // Claude Code's sessions are on a priced platform provider.
  await stack.grantCredits();
  const result = {} as ProvisioningResult;
  for (const agent of Object.keys(CHOICES) as BenchAgent[]) {
    try {
      result[agent] = await benchAgent(stack, agent);
    } catch (error) {
      result[agent] = { error: error instanceof Error ? error.message : String(error) };
    }
  }
  return result;
}
