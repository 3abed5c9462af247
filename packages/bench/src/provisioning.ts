// Provisioning: sessions.create → ready through the studio (local provider) against the bare
// minimum done by hand in the same run: start sandbox-agent, initialize, session/new.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { findFreePort } from "@studio/db/postgres";
import { resolveAgentBinaries } from "@studio/sandbox";
import { type BenchStack, readySession } from "./stack.ts";
import { median, round } from "./stats.ts";

const ROUNDS = 4;

export interface ProvisioningResult {
  rounds: number;
  studioMedianMs: number;
  bareMedianMs: number;
  ratio: number;
}

async function rpc(url: string, token: string, body: unknown) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.json() as Promise<{ result?: { sessionId?: string } }>;
}

/** The least anyone could do: sandbox-agent with opencode on PATH, then two JSON-RPC calls. */
async function bareProvision(): Promise<number> {
  const binaries = resolveAgentBinaries();
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-bare-"));
  const workspace = path.join(dir, "workspace");
  mkdirSync(workspace);
  const port = await findFreePort();
  const token = "bench-token";
  const started = performance.now();
  let child: ChildProcess | null = null;
  try {
    child = spawn(
      binaries.sandboxAgent,
      ["server", "--token", token, "--no-telemetry", "--host", "127.0.0.1", "--port", String(port)],
      {
        env: {
          PATH: `${path.dirname(binaries.opencode)}:/usr/bin:/bin`,
          HOME: dir,
          XDG_DATA_HOME: path.join(dir, "data"),
          XDG_CONFIG_HOME: path.join(dir, "config"),
          // OpenCode leaves the native library it unpacks at start in TMPDIR.
          TMPDIR: dir,
          SANDBOX_AGENT_REQUIRE_PREINSTALL: "1",
          OPENCODE_DISABLE_MODELS_FETCH: "1",
        },
        stdio: "ignore",
        detached: true,
      },
    );
    const base = `http://127.0.0.1:${port}`;
    for (;;) {
      const ok = await fetch(`${base}/v1/health`, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const acp = `${base}/v1/acp/bench?agent=opencode`;
    await rpc(acp, token, {
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
    if (child?.pid) process.kill(-child.pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

async function studioProvision(stack: BenchStack): Promise<number> {
  const started = performance.now();
  const sessionId = await readySession(stack);
  const elapsed = performance.now() - started;
  await stack.client.sessions.stop.mutate({ sessionId });
  return elapsed;
}

export async function benchProvisioning(stack: BenchStack): Promise<ProvisioningResult> {
  await bareProvision(); // warm caches for both
  const studio: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate, so drift in the machine's load hits both alike.
    if (round % 2 === 0) {
      studio.push(await studioProvision(stack));
      bare.push(await bareProvision());
    } else {
      bare.push(await bareProvision());
      studio.push(await studioProvision(stack));
    }
  }
  return {
    rounds: ROUNDS,
    studioMedianMs: round(median(studio)),
    bareMedianMs: round(median(bare)),
    ratio: round(median(studio) / median(bare), 3),
  };
}
