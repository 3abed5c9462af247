// Cloning through the studio's git gateway against cloning the same repository directly from the
// git server, in the same run: a repository of 20,000 files and about 100 MB of incompressible
// content, `git clone --bare` (the transfer and git's own pack indexing; no checkout, which would
// cost the same both ways and only dilute the comparison). The git server runs in a process of its
// own; the studio serves the gateway in this one, whose RSS is sampled while the gateway clones.
import { execFile, fork, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { newKeyring, setGitCredential } from "@studio/core";
import { issueGatewayToken } from "@studio/core/runner";
import { createDbClient } from "@studio/db";
import { createStudioServer } from "@studio/server/app";
import { loadConfig } from "@studio/server/config";
import { createLogger } from "@studio/server/logger";
import { seedSessionRow } from "@studio/testkit";
import type { BenchStack } from "./stack.ts";
import { median, ok, round } from "./stats.ts";

const run = promisify(execFile);
const FILES = 20_000;
const FILE_BYTES = 5_000;
const ROUNDS = 9;
const REPO = "bench/large";

interface GitServerInfo {
  url: string;
  username: string;
  token: string;
  repoUrl: string;
  bareDir: string;
}

/**
 * The floor: a pass-through proxy in this process that pipes requests and answers both ways and
 * does nothing else (no token, no session, no policy). What it adds over a direct clone is what
 * one more loopback hop and Node's HTTP streaming cost on this machine.
 */
async function startBareGitProxy(target: string): Promise<{ url: string; close(): void }> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers, host: upstream.host };
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

export interface GitCloneResult {
  files: number;
  contentMb: number;
  packMb: number;
  rounds: number;
  directMedianMs: number;
  bareProxyMedianMs: number;
  gatewayMedianMs: number;
  /** Gateway ÷ direct, and the bare proxy's (the floor) ÷ direct. */
  ratio: number;
  bareProxyRatio: number;
  directMs: number[];
  bareProxyMs: number[];
  gatewayMs: number[];
  /** CPU time of this process (the studio) per clone, median, through the bare proxy and the gateway. */
  bareProxyCpuMs: number;
  gatewayCpuMs: number;
  /** This process (the studio) before the gateway clones, and at its peak during them. */
  rssBeforeMb: number;
  rssPeakMb: number;
}

const gitEnv = (home: string) => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: home,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_TERMINAL_PROMPT: "0",
  LANG: "C",
});

/** One commit on `main` replacing the seeded files with FILES random ones, through git fast-import. */
async function fillRepository(bareDir: string, home: string): Promise<void> {
  const child = spawn("git", ["--git-dir", bareDir, "fast-import", "--quiet"], {
    env: gitEnv(home),
    stdio: ["pipe", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve, reject) =>
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`fast-import exited ${code}`)))),
  );
  const write = (data: string | Buffer) =>
    child.stdin.write(data) ? Promise.resolve() : new Promise<void>((r) => child.stdin.once("drain", r));
  for (let index = 1; index <= FILES; index += 1) {
    await write(`blob\nmark :${index}\ndata ${FILE_BYTES}\n`);
    await write(randomBytes(FILE_BYTES));
    await write("\n");
  }
  const message = "a large tree";
  await write(
    `commit refs/heads/main\nmark :${FILES + 1}\ncommitter Bench <bench@example.invalid> 1767225600 +0000\ndata ${message.length}\n${message}\nfrom refs/heads/main^0\ndeleteall\n`,
  );
  for (let index = 1; index <= FILES; index += 1)
    await write(`M 100644 :${index} d${index % 200}/f${index}.bin\n`);
  child.stdin.end();
  await exited;
  await run("git", ["--git-dir", bareDir, "repack", "-a", "-d", "-q"], { env: gitEnv(home) });
}

async function startGitServerProcess(): Promise<{ info: GitServerInfo; close(): void }> {
  const child = fork(path.join(import.meta.dirname, "git-server-process.ts"), {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.send({ repos: [{ name: REPO, private: true }], repo: REPO });
  const info = await new Promise<GitServerInfo>((resolve, reject) => {
    child.once("message", (message) => resolve(message as GitServerInfo));
    child.once("exit", (code) => reject(new Error(`the git server process exited (${code})`)));
  });
  return { info, close: () => child.disconnect() };
}

/** Milliseconds of CPU this process spent on each clone, by the clone's name prefix. */
const cpuSpent = new Map<string, number[]>();

async function timedClone(url: string, home: string, scratch: string, name: string): Promise<number> {
  const target = path.join(scratch, name);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run("git", ["clone", "--bare", "--quiet", url, target], { env: gitEnv(home), maxBuffer: 1 << 20 });
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const way = name.split("-")[0] ?? name;
  cpuSpent.set(way, [...(cpuSpent.get(way) ?? []), (used.user + used.system) / 1000]);
  rmSync(target, { recursive: true, force: true });
  return elapsed;
}

export async function benchGitClone(
  stack: Pick<BenchStack, "databaseUrl" | "dataDir" | "sessions">,
): Promise<GitCloneResult> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "studio-bench-git-"));
  const home = path.join(scratch, "home");
  const gitServer = await startGitServerProcess();
  const bareProxy = await startBareGitProxy(gitServer.info.url);
  const { db, pool } = createDbClient(stack.databaseUrl, { maxConnections: 4 });
  const keyring = newKeyring();
  // A studio server of its own in this process (the stack's keyring is its own secret), on the
  // stack's database, with the gateway as `npm start` serves it.
  const config = loadConfig({
    PORT: "0",
    STUDIO_DATA_DIR: stack.dataDir,
    STUDIO_WEB_DIST: "/nonexistent",
    LOG_LEVEL: "warn",
  });
  const studio = createStudioServer({
    config,
    db,
    pool,
    logger: createLogger("warn"),
    sessions: stack.sessions,
    keyring,
  });
  try {
    await run("mkdir", ["-p", home]);
    const { info } = gitServer;
    await fillRepository(info.bareDir, home);
    const { stdout: packSize } = await run("du", ["-sk", path.join(info.bareDir, "objects")]);
    const studioUrl = (await studio.listen()).replace("localhost", "127.0.0.1");

    const seeded = await seedSessionRow(db, {
      status: "active",
      // Held by a runner that is not this bench's: the bench stack's runners would otherwise claim
      // the session, find no sandbox and end it (and with it its git access).
      runnerId: "bench-elsewhere",
      runnerLeaseExpiresAt: new Date(Date.now() + 24 * 3600_000),
      sourceKind: "git",
      sourceUrl: info.repoUrl,
      baseBranch: "main",
      workBranch: "studio/bench",
    });
    const token = await issueGatewayToken(db, seeded.sessionId);
    await setGitCredential(
      db,
      keyring,
      { userId: seeded.userId, organizationId: seeded.organizationId, role: "owner" },
      { host: new URL(info.url).host, token: info.token, username: info.username, hostKind: null },
    );
    const direct = new URL(info.repoUrl);
    direct.username = info.username;
    direct.password = info.token;
    const gateway = new URL(`${studioUrl}/api/git/${seeded.sessionId}`);
    gateway.username = "sandbox";
    gateway.password = token;

    // Warm-up: the server's page cache, the pack's first read.
    await timedClone(direct.href, home, scratch, "warm-direct");
    await timedClone(gateway.href, home, scratch, "warm-gateway");

    const bare = new URL(direct);
    bare.host = new URL(bareProxy.url).host;
    const directMs: number[] = [];
    const bareProxyMs: number[] = [];
    const gatewayMs: number[] = [];
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    for (let index = 0; index < ROUNDS; index += 1) {
      const ways = ["direct", "bare", "gateway"].sort(() => Math.random() - 0.5);
      for (const way of ways) {
        if (way === "direct") {
          directMs.push(await timedClone(direct.href, home, scratch, `direct-${index}`));
          continue;
        }
        if (way === "bare") {
          bareProxyMs.push(await timedClone(bare.href, home, scratch, `bare-${index}`));
          continue;
        }
        const sampler = setInterval(() => {
          rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
        }, 10);
        try {
          gatewayMs.push(await timedClone(gateway.href, home, scratch, `gateway-${index}`));
        } finally {
          clearInterval(sampler);
        }
      }
    }
    const directMedianMs = round(median(directMs), 0);
    const gatewayMedianMs = round(median(gatewayMs), 0);
    const bareProxyMedianMs = round(median(bareProxyMs), 0);
    return {
      files: FILES,
      contentMb: round((FILES * FILE_BYTES) / 2 ** 20, 1),
      packMb: round(Number(packSize.split("\t")[0]) / 1024, 1),
      rounds: ROUNDS,
      directMedianMs,
      bareProxyMedianMs,
      gatewayMedianMs,
      ratio: round(gatewayMedianMs / directMedianMs, 3),
      bareProxyRatio: round(bareProxyMedianMs / directMedianMs, 3),
      directMs: directMs.map((ms) => round(ms, 0)),
      bareProxyMs: bareProxyMs.map((ms) => round(ms, 0)),
      gatewayMs: gatewayMs.map((ms) => round(ms, 0)),
      bareProxyCpuMs: round(median(cpuSpent.get("bare") ?? []), 0),
      gatewayCpuMs: round(median(cpuSpent.get("gateway") ?? []), 0),
      rssBeforeMb: round(rssBefore / 2 ** 20, 1),
      rssPeakMb: round(rssPeak / 2 ** 20, 1),
    };
  } finally {
    await studio.close();
    await db.$disconnect();
    bareProxy.close();
    gitServer.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The section of docs/benchmarks.md. */
export function gitCloneSection(result: GitCloneResult): string {
  return `## Git gateway (a clone of ${result.files.toLocaleString("en")} files, ${result.packMb} MB packed)

\`git clone --bare\` of a repository of ${result.files.toLocaleString("en")} files of random content
(${result.contentMb} MB; git cannot compress it) from the testkit's git server (git http-backend
behind Basic auth, in a process of its own) three ways: directly with the credential; through a
bare pass-through proxy in the studio's process (the floor: one more loopback hop and Node's HTTP
streaming, nothing else); and through the studio's git gateway with the session's token (session
and token check, the organisation's credential opened and sent, the answer streamed back).
${result.rounds} rounds, each way once per round in a random order, medians. No checkout: it would
cost the same every way and only dilute the comparison.

| | value | target |
| --- | --- | --- |
| direct | ${result.directMedianMs} ms | |
| bare proxy (the floor) | ${result.bareProxyMedianMs} ms (ratio ${result.bareProxyRatio}) | |
| gateway | ${result.gatewayMedianMs} ms | |
| ratio gateway ÷ direct | ${result.ratio} | ≤ 1.15: ${ok(result.ratio <= 1.15)} |
| the studio process's CPU per clone, bare proxy / gateway | ${result.bareProxyCpuMs} ms / ${result.gatewayCpuMs} ms | |
| the studio process's RSS before / peak during the gateway's clones | ${result.rssBeforeMb} MB / ${result.rssPeakMb} MB | flat (nothing buffered) |
| each round, direct / bare / gateway | ${result.directMs.map((ms, index) => `${ms} / ${result.bareProxyMs[index]} / ${result.gatewayMs[index]}`).join(", ")} ms | |`;
}
