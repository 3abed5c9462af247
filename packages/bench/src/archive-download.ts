// The workspace download (issue 19): `GET /api/sessions/<id>/download` as .tar.gz and .zip against
// `tar -czf` of the same workspace run directly on the host, in the same run. The studio runs in a
// process of its own (on a database of its own, its local sandbox running the real sandbox-agent),
// so its RSS, read from /proc while the archives stream, is the studio's alone: the downloads are
// read by this process.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { scanSandboxProcesses } from "@studio/sandbox";
import { signUpAccount, startStudioProcess } from "@studio/server/testing";
import { createTestDatabase } from "@studio/testkit";
import type { BenchStack } from "./stack.ts";
import { median, ok, round } from "./stats.ts";

const run = promisify(execFile);
const FILES = 3_200;
const FILE_BYTES = 32 * 1024;
const DIRECTORIES = 40;
const ROUNDS = 3;
const SAMPLE_EVERY_MS = 50;
// Half an archive: growth near the archive's size would mean it is held whole somewhere.
const RSS_GROWTH_TARGET_MB = 50;
const WAYS = ["direct", "tar.gz", "zip"] as const;
type Way = (typeof WAYS)[number];

export interface ArchiveWay {
  medianMs: number;
  /** Bytes of the archive, in MB (2^20). */
  archiveMb: number;
  /** Archive bytes received per second, and the workspace's content per second. */
  archiveMbPerSecond: number;
  contentMbPerSecond: number;
  /** Median time ÷ the direct `tar -czf`'s median. */
  ratio: number;
  /** CPU the studio process spent per download, median (0 for the direct way: it is not involved). */
  studioCpuMs: number;
  ms: number[];
}

export interface ArchiveDownloadResult {
  files: number;
  contentMb: number;
  rounds: number;
  direct: ArchiveWay;
  tarGz: ArchiveWay;
  zip: ArchiveWay;
  /** The studio process's VmRSS: quiet before the measured downloads, and the peak while they streamed. */
  rssIdleMb: number;
  rssPeakMb: number;
  rssGrowthMb: number;
  rssSamples: number;
}

/** VmRSS of a process, in bytes, from /proc (0 once it has gone). */
function residentBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** User plus system CPU of a process (all its threads, zlib's included), in ms, from /proc. */
function cpuMs(pid: number, ticksPerSecond: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The fields after the command's name: state is the first, utime the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** Poorly compressible content (random bytes: gzip cannot shrink it) in FILES files over DIRECTORIES folders. */
function fillWorkspace(workspace: string): void {
  for (let dir = 0; dir < DIRECTORIES; dir += 1)
    mkdirSync(path.join(workspace, `data${dir}`), { recursive: true });
  for (let index = 0; index < FILES; index += 1)
    writeFileSync(
      path.join(workspace, `data${index % DIRECTORIES}`, `blob${index}.bin`),
      randomBytes(FILE_BYTES),
    );
}

/** The floor: the same archive the sandbox makes (`.git` left out), made and counted on the host. */
async function directArchive(workspace: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const { stdout } = await run("sh", [
    "-c",
    'tar -czf - --exclude=./.git -C "$1" . | wc -c',
    "sh",
    workspace,
  ]);
  return { ms: performance.now() - started, bytes: Number(stdout.trim()) };
}

/** One download read to its end, counting bytes (nothing kept). */
async function download(url: string, token: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok || !response.body)
    throw new Error(`download: ${response.status} ${await response.text()}`);
  let bytes = 0;
  for await (const chunk of response.body) bytes += chunk.byteLength;
  return { ms: performance.now() - started, bytes };
}

/** Every process of the data directory's sandboxes (should one outlive its stop), as the studio finds them. */
function pidsUnder(dataDir: string): number[] {
  const root = path.join(dataDir, "sandboxes");
  return existsSync(root) ? [...scanSandboxProcesses(realpathSync(root)).values()].flat() : [];
}

export async function benchArchiveDownload(
  stack: Pick<BenchStack, "databaseUrl" | "upstream">,
): Promise<ArchiveDownloadResult> {
  // A database of its own on the stack's PostgreSQL, cloned from the migrated template.
  const admin = new URL(stack.databaseUrl);
  admin.pathname = "/postgres";
  const database = await createTestDatabase(admin.toString());
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "studio-bench-archive-"));
  let studio: Awaited<ReturnType<typeof startStudioProcess>> | null = null;
  try {
    studio = await startStudioProcess({
      DATABASE_URL: database.url,
      STUDIO_DATA_DIR: dataDir,
      CUSTOM_OPENAI_BASE_URL: `${stack.upstream.url}/v1`,
      CUSTOM_OPENAI_API_KEY: "sk-bench",
      LOG_LEVEL: "warn",
    });
    const pid = studio.child.pid!;
    const ticksPerSecond = Number((await run("getconf", ["CLK_TCK"])).stdout.trim()) || 100;
    const { client, token } = await signUpAccount(studio.url);
    const session = await client.sessions.create.mutate({
      environment: "development",
      provider: "custom",
      model: "scripted-1",
    });
    let sandboxId: string | null = null;
    for (const deadline = Date.now() + 90_000; sandboxId === null; ) {
      const row = await database.db.studioSession.findUniqueOrThrow({
        where: { id: session.id },
        select: { status: true, errorReason: true, sandboxId: true },
      });
      if (row.status === "ready") sandboxId = row.sandboxId;
      else if (row.status === "error") throw new Error(`session failed: ${row.errorReason}`);
      else if (Date.now() > deadline) throw new Error(`session not ready after 90 s (${row.status})`);
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const workspace = path.join(dataDir, "sandboxes", sandboxId!, "workspace");
    fillWorkspace(workspace);

    const base = `${studio.url}/api/sessions/${session.id}/download?git=0&format=`;
    const once = (way: Way) =>
      way === "direct" ? directArchive(workspace) : download(`${base}${way}`, token);
    // Warm-up: the page cache, and the studio's first archive and zip (its modules, its buffers).
    for (const way of WAYS) await once(way);

    // Quiet: the studio's resting size before the measured downloads.
    const quiet: number[] = [];
    for (let index = 0; index < 10; index += 1) {
      quiet.push(residentBytes(pid));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const rssIdle = median(quiet);
    let rssPeak = rssIdle;
    let rssSamples = 0;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, residentBytes(pid));
      rssSamples += 1;
    }, SAMPLE_EVERY_MS);

    const times: Record<Way, number[]> = { direct: [], "tar.gz": [], zip: [] };
    const sizes: Record<Way, number> = { direct: 0, "tar.gz": 0, zip: 0 };
    const studioCpu: Record<Way, number[]> = { direct: [], "tar.gz": [], zip: [] };
    try {
      for (let index = 0; index < ROUNDS; index += 1) {
        // A random order each round, so drift in the machine's load hits every way alike.
        for (const way of [...WAYS].sort(() => Math.random() - 0.5)) {
          const cpuBefore = cpuMs(pid, ticksPerSecond);
          const { ms, bytes } = await once(way);
          studioCpu[way].push(cpuMs(pid, ticksPerSecond) - cpuBefore);
          times[way].push(ms);
          sizes[way] = bytes;
        }
      }
    } finally {
      clearInterval(sampler);
    }

    const contentMb = (FILES * FILE_BYTES) / 2 ** 20;
    const directMedian = median(times.direct);
    const summary = (way: Way): ArchiveWay => {
      const ms = median(times[way]);
      const archiveMb = sizes[way] / 2 ** 20;
      return {
        medianMs: round(ms, 0),
        archiveMb: round(archiveMb, 1),
        archiveMbPerSecond: round(archiveMb / (ms / 1000), 1),
        contentMbPerSecond: round(contentMb / (ms / 1000), 1),
        ratio: round(ms / directMedian, 3),
        studioCpuMs: way === "direct" ? 0 : round(median(studioCpu[way]), 0),
        ms: times[way].map((value) => round(value, 0)),
      };
    };
    await client.sessions.stop.mutate({ sessionId: session.id });
    return {
      files: FILES,
      contentMb: round(contentMb, 1),
      rounds: ROUNDS,
      direct: summary("direct"),
      tarGz: summary("tar.gz"),
      zip: summary("zip"),
      rssIdleMb: round(rssIdle / 2 ** 20, 1),
      rssPeakMb: round(rssPeak / 2 ** 20, 1),
      rssGrowthMb: round((rssPeak - rssIdle) / 2 ** 20, 1),
      rssSamples,
    };
  } catch (error) {
    if (studio) console.error(studio.output.join("").slice(-4000));
    throw error;
  } finally {
    await studio?.stop();
    // The session's stop ends its sandbox; this is for a bench that failed before it.
    for (const pid of pidsUnder(dataDir)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The section of docs/benchmarks.md. */
export function archiveDownloadSection(result: ArchiveDownloadResult): string {
  const row = (label: string, way: ArchiveWay, studioCpu: string) =>
    `| ${label} | ${way.medianMs} ms | ${way.archiveMb} MB | ${way.archiveMbPerSecond} MB/s | ${way.contentMbPerSecond} MB/s | ${way.ratio} | ${studioCpu} | ${way.ms.join(", ")} ms |`;
  return `## Workspace download (${result.files.toLocaleString("en")} files, ${result.contentMb} MB)

A session's workspace filled with ${result.files.toLocaleString("en")} files of random content (${result.contentMb} MB;
gzip cannot shrink it), downloaded through the studio (\`GET /api/sessions/<id>/download?git=0\`:
\`tar -czf\` to a file in the sandbox, then that file streamed from sandbox-agent through the
studio; the zip converted from that tar.gz on the way through) and read to its end by a client in
another process; against the floor in the same run, \`tar -czf - | wc -c\` of the same workspace
directly on the host. The studio runs in a process of its own, its local sandbox running the real
sandbox-agent. ${result.rounds} rounds after a warm-up, each way once per round in a random order,
medians. The studio's CPU is its process's (every thread, zlib's included) per download; its RSS is
read from /proc every 50 ms while the measured downloads run (${result.rssSamples} samples), against
its quiet size after the warm-up.

| | time | archive | archive rate | content rate | ÷ direct | the studio's CPU | each round |
| --- | --- | --- | --- | --- | --- | --- | --- |
${row("direct `tar -czf` on the host (the floor)", result.direct, "")}
${row("studio, .tar.gz", result.tarGz, `${result.tarGz.studioCpuMs} ms`)}
${row("studio, .zip", result.zip, `${result.zip.studioCpuMs} ms`)}

| the studio process's RSS | value | target |
| --- | --- | --- |
| quiet / peak while streaming | ${result.rssIdleMb} MB / ${result.rssPeakMb} MB | |
| growth | ${result.rssGrowthMb} MB | flat, nothing buffered (< ${RSS_GROWTH_TARGET_MB} MB): ${ok(result.rssGrowthMb < RSS_GROWTH_TARGET_MB)} |`;
}
