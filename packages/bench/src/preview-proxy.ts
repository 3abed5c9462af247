// The preview proxy (issue 22): a small HTTP server started in a session's sandbox through
// sandbox-agent's process API (as an agent's tools start one), reached directly (the target the
// sandbox side gives the proxy: a forwarder's Unix socket into the sandbox's network, or an
// origin) and through the studio's `/preview/<session>/<port>/` with the account's API token, in
// the same run. The requests come from a process of their own, so the studio's process (this one)
// runs only the studio.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type PreviewTarget, sandboxPreviews } from "@studio/sandbox";
import { type BenchStack, readySession } from "./stack.ts";
import { median, percentile, round } from "./stats.ts";

const run = promisify(execFile);
const SMALL_REQUESTS = 1_000;
const WARM_UP_REQUESTS = 50;
const DOWNLOAD_BYTES = 50 * 2 ** 20;
const DOWNLOAD_ROUNDS = 5;
const TARGET_LOOKUPS = 100;

// The app under preview: a tiny answer, and the large file streamed from the workspace.
const APP = `
const http = require("node:http");
const fs = require("node:fs");
http.createServer((req, res) => {
  if (req.url === "/small") { res.writeHead(200, { "content-type": "text/plain", "content-length": 2 }); return res.end("ok"); }
  if (req.url === "/big") {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": fs.statSync("big.bin").size });
    return fs.createReadStream("big.bin").pipe(res);
  }
  res.writeHead(404); res.end();
}).listen(Number(process.argv[2]), "127.0.0.1");
`;

// The client, in a process of its own: keep-alive connections either way (as a browser holds
// them), small GETs alternating in a random order per pair, then the downloads the same way.
const CLIENT = `
const http = require("node:http");
const { direct, proxy, smallRequests, warmUp, downloadRounds, downloadBytes } = JSON.parse(process.argv[1]);
const directAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const proxyAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function get(way, rest) {
  const options = way === "direct"
    ? (direct.socketPath
      ? { socketPath: direct.socketPath, path: rest, agent: directAgent, headers: { host: "localhost" } }
      : { ...splitUrl(direct.origin + rest), agent: directAgent })
    : { ...splitUrl(proxy.url + rest), agent: proxyAgent, headers: { authorization: "Bearer " + proxy.token } };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.request(options, (response) => {
      let bytes = 0;
      response.on("data", (chunk) => { bytes += chunk.length; });
      response.on("end", () => {
        if (response.statusCode !== 200) return reject(new Error(way + " " + rest + ": " + response.statusCode));
        resolve({ ms: performance.now() - started, bytes });
      });
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}
function splitUrl(url) {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: parsed.port, path: parsed.pathname + parsed.search };
}
const pairs = () => (Math.random() < 0.5 ? ["direct", "proxy"] : ["proxy", "direct"]);
(async () => {
  const result = { small: { direct: [], proxy: [] }, download: { direct: [], proxy: [] } };
  for (let i = 0; i < warmUp; i++) for (const way of pairs()) await get(way, "/small");
  for (let i = 0; i < smallRequests; i++)
    for (const way of pairs()) result.small[way].push((await get(way, "/small")).ms);
  await get("direct", "/big");
  await get("proxy", "/big");
  for (let i = 0; i < downloadRounds; i++)
    for (const way of pairs()) {
      const { ms, bytes } = await get(way, "/big");
      if (bytes !== downloadBytes) throw new Error(way + " download: " + bytes + " bytes");
      result.download[way].push(ms);
    }
  process.stdout.write(JSON.stringify(result));
})().catch((error) => { console.error(error); process.exit(1); });
`;

export interface PreviewProxyResult {
  /** How the direct requests reached the server: the forwarder's Unix socket or an origin. */
  directTarget: PreviewTarget["kind"];
  smallRequests: number;
  small: {
    directP50Ms: number;
    directP99Ms: number;
    proxyP50Ms: number;
    proxyP99Ms: number;
    /** The proxy's percentile minus the direct one. */
    addedP50Ms: number;
    addedP99Ms: number;
  };
  downloadMb: number;
  downloadRounds: number;
  download: {
    /** Median of the rounds, in MB (2^20) per second. */
    directMbPerSecond: number;
    proxyMbPerSecond: number;
    /** Proxy throughput ÷ direct throughput. */
    ratio: number;
    directMs: number[];
    proxyMs: number[];
  };
  /**
   * \`previewTarget\` alone, as the proxy calls it for every request (a fresh listing of the
   * sandbox's listeners through sandbox-agent's process API), in the studio's process: the part
   * of the added latency that is the port check.
   */
  targetLookupP50Ms: number;
  targetLookupP99Ms: number;
  /** 1-minute load average when the requests started and when they ended. */
  loadAtStart: number;
  loadAtEnd: number;
}

async function startInSandbox(
  handle: Awaited<ReturnType<BenchStack["provider"]["connect"]>>,
  command: string,
  args: string[],
) {
  const response = await (handle.agentFetch ?? fetch)(`${handle.agentUrl}/v1/processes`, {
    method: "POST",
    headers: {
      ...(handle.agentToken ? { authorization: `Bearer ${handle.agentToken}` } : {}),
      "content-type": "application/json",
    },
    body: JSON.stringify({ command, args, cwd: handle.workspaceDir }),
  });
  if (response.status !== 200)
    throw new Error(`starting ${command} in the sandbox: ${response.status} ${await response.text()}`);
}

export async function benchPreviewProxy(stack: BenchStack): Promise<PreviewProxyResult> {
  const sessionId = await readySession(stack);
  const { sandboxId } = await stack.db.studioSession.findUniqueOrThrow({
    where: { id: sessionId },
    select: { sandboxId: true },
  });
  const handle = await stack.provider.connect(sandboxId!);
  const workspace = path.join(stack.dataDir, "sandboxes", sandboxId!, "workspace");
  writeFileSync(path.join(workspace, "app.cjs"), APP);
  // Random bytes: nothing on either path could shrink them.
  writeFileSync(path.join(workspace, "big.bin"), randomBytes(DOWNLOAD_BYTES));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  await startInSandbox(handle, "/usr/bin/node", ["app.cjs", String(port)]);

  const proxyUrl = `${stack.url}/preview/${sessionId}/${port}`;
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${proxyUrl}/small`, {
      headers: { authorization: `Bearer ${stack.token}` },
    });
    if (response.status === 200) break;
    await response.arrayBuffer();
    if (attempt >= 200) throw new Error(`the previewed server did not answer: ${response.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  // The same call the proxy makes. For a local sandbox with a network of its own this starts a
  // forwarder at the same socket path the proxy's forwarder uses, so both ways then go through one.
  const previews = sandboxPreviews(stack.provider);
  try {
    const target = await previews.previewTarget(handle, port);
    const direct = target.kind === "socket" ? { socketPath: target.socketPath } : { origin: target.origin };
    const loadAtStart = os.loadavg()[0]!;
    const { stdout } = await run(
      process.execPath,
      [
        "-e",
        CLIENT,
        JSON.stringify({
          direct,
          proxy: { url: proxyUrl, token: stack.token },
          smallRequests: SMALL_REQUESTS,
          warmUp: WARM_UP_REQUESTS,
          downloadRounds: DOWNLOAD_ROUNDS,
          downloadBytes: DOWNLOAD_BYTES,
        }),
      ],
      { maxBuffer: 16 * 2 ** 20, timeout: 300_000 },
    );
    const loadAtEnd = os.loadavg()[0]!;
    const lookups: number[] = [];
    for (let i = 0; i < TARGET_LOOKUPS; i++) {
      const started = performance.now();
      await previews.previewTarget(handle, port);
      lookups.push(performance.now() - started);
    }
    const measured = JSON.parse(stdout) as {
      small: { direct: number[]; proxy: number[] };
      download: { direct: number[]; proxy: number[] };
    };
    const p = (values: number[], at: number) => round(percentile(values, at), 3);
    const mbPerSecond = (ms: number[]) => round(DOWNLOAD_BYTES / 2 ** 20 / (median(ms) / 1000), 1);
    const small = {
      directP50Ms: p(measured.small.direct, 50),
      directP99Ms: p(measured.small.direct, 99),
      proxyP50Ms: p(measured.small.proxy, 50),
      proxyP99Ms: p(measured.small.proxy, 99),
    };
    const directMbPerSecond = mbPerSecond(measured.download.direct);
    const proxyMbPerSecond = mbPerSecond(measured.download.proxy);
    return {
      directTarget: target.kind,
      smallRequests: SMALL_REQUESTS,
      small: {
        ...small,
        addedP50Ms: round(small.proxyP50Ms - small.directP50Ms, 3),
        addedP99Ms: round(small.proxyP99Ms - small.directP99Ms, 3),
      },
      downloadMb: DOWNLOAD_BYTES / 2 ** 20,
      downloadRounds: DOWNLOAD_ROUNDS,
      download: {
        directMbPerSecond,
        proxyMbPerSecond,
        ratio: round(proxyMbPerSecond / directMbPerSecond, 2),
        directMs: measured.download.direct.map((ms) => Math.round(ms)),
        proxyMs: measured.download.proxy.map((ms) => Math.round(ms)),
      },
      targetLookupP50Ms: p(lookups, 50),
      targetLookupP99Ms: p(lookups, 99),
      loadAtStart: round(loadAtStart),
      loadAtEnd: round(loadAtEnd),
    };
  } finally {
    previews.close();
  }
}

export function previewProxySection(result: PreviewProxyResult): string {
  const { small, download } = result;
  const target =
    result.directTarget === "socket"
      ? "the forwarder's Unix socket into the sandbox's network, which the proxy itself connects through"
      : "the server's origin, which the proxy itself connects to";
  return `## Preview proxy

A small Node server started in a session's sandbox through sandbox-agent's process API (as an
agent's tools start one), reached two ways in the same run: directly, through ${target} (the
target \`previewTarget\` gives the proxy); and through the studio's \`/preview/<session>/<port>/\`
with the account's API token (session and membership check, port check against a fresh listing of
the sandbox's listeners, header rewriting, then the same target). The requests come from a process
of their own on keep-alive connections, alternating in a random order per pair. *Added* is the
proxy's percentile minus the direct one. The port check (\`previewTarget\`: a fresh listing of the
sandbox's listeners through sandbox-agent's process API) is reused by the proxy for 2 s per port, so
it is paid once per burst; timed alone ${TARGET_LOOKUPS} times in the studio's process afterwards. ${result.smallRequests.toLocaleString("en")} GETs of a 2-byte answer
each way after ${WARM_UP_REQUESTS} warm-up pairs; then a ${result.downloadMb} MB file of random bytes,
${result.downloadRounds} times each way after one warm-up each, medians. 1-minute load average
${result.loadAtStart} when the requests started, ${result.loadAtEnd} when they ended.

| | direct | through the proxy | added |
| --- | --- | --- | --- |
| small GET p50 | ${small.directP50Ms} ms | ${small.proxyP50Ms} ms | ${small.addedP50Ms} ms |
| small GET p99 | ${small.directP99Ms} ms | ${small.proxyP99Ms} ms | ${small.addedP99Ms} ms |
| a port check when not reused, p50 / p99 | | | ${result.targetLookupP50Ms} ms / ${result.targetLookupP99Ms} ms |
| ${result.downloadMb} MB download | ${download.directMbPerSecond} MB/s (${download.directMs.join(", ")} ms) | ${download.proxyMbPerSecond} MB/s (${download.proxyMs.join(", ")} ms) | ratio ${download.ratio} |`;
}
