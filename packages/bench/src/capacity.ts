// Fan-out capacity: how many live sessions one replica carries. Each session gets a realistic 20
// events a second (what the runner stores after coalescing an agent's chunks), with 3 subscribers
// each; the number of sessions steps up until delivery p99 exceeds 100 ms. Events go through the
// runner's own EventWriter (agents left out, so the studio's path is what is measured) and reach
// plain SSE readers in a process of their own over real `sessions.events` subscriptions. Reported
// per step: p50/p99 delivery latency, deliveries per second, and the studio's process CPU per
// delivery (`process.cpuUsage` of this process, which runs the studio; it includes the appends).
// Each step runs twice in the same run: through the studio's own SSE writer for `sessions.events`
// and through tRPC's own handler (as before that writer; trpc-sse.ts), each failing step once more
// (the machine is shared). Baseline in the same run: a bare SSE server in the same process writing
// the same events, already serialised, straight to its sockets: the floor of what a delivery costs.
import { writeFileSync } from "node:fs";
import http from "node:http";
import { Session } from "node:inspector/promises";
import os from "node:os";
import path from "node:path";
import { newId } from "@studio/core";
import { EventWriter } from "@studio/runner";
import { startClientsProcess } from "./clients.ts";
import type { BenchStack } from "./stack.ts";
import { now, percentile, round } from "./stats.ts";
import { startTrpcSse } from "./trpc-sse.ts";

/** `CAPACITY_STEPS=100,200` runs just those steps (for profiling one load). */
const STEPS = process.env.CAPACITY_STEPS?.split(",").map(Number) ?? [25, 50, 100, 150, 200, 250, 300, 400];
const SUBSCRIBERS = 3;
const EVENTS_PER_SECOND = 20;
const SECONDS = 10;
/** Events of the first seconds of each step are delivered but left out of the figures (warm-up). */
const WARMUP_SECONDS = 2;
const P99_LIMIT_MS = 100;
/**
 * `CAPACITY_PROFILE=<dir>`: writes a CPU profile of the studio's process for each step's measured
 * part (after the warm-up) into that directory, as `capacity-<sessions>.cpuprofile`.
 */
const PROFILE_DIR = process.env.CAPACITY_PROFILE;
/** A coalesced chunk of an agent's reply: about what 50 ms of a fast model's text is. */
const TEXT = " the parser now keeps the position of each token so errors can point at the column".repeat(2);

/**
 * `own`: the studio's SSE writer for `sessions.events`; `trpc`: tRPC's own handler, as before it;
 * `bare`: the baseline, a bare SSE server (no database, no studio) with the same load.
 */
export type Transport = "bare" | "trpc" | "own";

export interface CapacityStep {
  transport: Transport;
  sessions: number;
  /** 2 when the first attempt failed and the step was run again (a neighbour's burst on a shared machine). */
  attempts: number;
  p50Ms: number;
  p99Ms: number;
  deliveriesPerSecond: number;
  /** Deliveries that never arrived (counted as a failed step). */
  missing: number;
  /** The studio's process CPU (user + system) per delivery, in microseconds. */
  cpuPerDeliveryUs: number;
  /** The 1-minute load average when the step started. */
  load: number;
  held: boolean;
}

export interface CapacityResult {
  subscribersPerSession: number;
  eventsPerSecondPerSession: number;
  /** The largest number of sessions whose delivery p99 stayed within the limit, each transport. */
  capacity: Record<Transport, number>;
  steps: CapacityStep[];
  /** Each transport's CPU per delivery against the bare server's at the same step, per step. */
  cpuRatios: Array<{ sessions: number; own: number | null; trpc: number | null }>;
  load: number;
}

async function createSessions(stack: BenchStack, count: number): Promise<string[]> {
  const owner = await stack.db.membership.findFirstOrThrow({
    select: { userId: true, organizationId: true },
  });
  const ids = Array.from({ length: count }, () => newId());
  // Log-only sessions (stopped, so no runner provisions agents): the subscription path is the same.
  await stack.db.studioSession.createMany({
    data: ids.map((id) => ({
      id,
      ...owner,
      environment: "development",
      status: "stopped" as const,
      provider: "custom",
      model: "scripted-1",
      keySource: "platform" as const,
      upstreamProvider: "custom",
      upstreamModel: "scripted-1",
      sandboxProvider: "local",
      idleTimeoutSeconds: 900,
    })),
  });
  return ids;
}

const chunk = (index: number) => ({
  type: "agent_message_chunk" as const,
  messageId: `m${index}`,
  text: `#${index}${TEXT}`,
});

/**
 * One step: `push(session, index)` is called for every session 20 times a second (sessions spread
 * evenly over each 50 ms), for SECONDS. Returns latencies and CPU of the measured part.
 */
async function runStep(
  sessions: number,
  subscribe: { url: string; token: string; sessionIds: string[] },
  push: (session: number, index: number) => void,
  settle: () => Promise<void>,
  profileAs: string | null,
) {
  const perSession = EVENTS_PER_SECOND * SECONDS;
  const clients = await startClientsProcess();
  try {
    const { results } = await clients.start({
      kind: "fanout",
      ...subscribe,
      subscribers: SUBSCRIBERS,
      expected: sessions * SUBSCRIBERS * perSession,
      timeoutMs: (SECONDS + 15) * 1000,
    });
    const load = round(os.loadavg()[0]!);
    const sentAt = Array.from({ length: sessions }, () => new Array<number>(perSession));
    const warmupEvents = EVENTS_PER_SECOND * WARMUP_SECONDS;
    const intervalMs = 1000 / EVENTS_PER_SECOND;
    const SLOTS = 10; // each session's tick lands in one of 10 slots of 5 ms
    const cpu: { from?: NodeJS.CpuUsage } = {};
    const profiler = PROFILE_DIR && profileAs ? new Session() : null;
    const started = now();
    await new Promise<void>((resolve) => {
      let tick = 0;
      const timer = setInterval(() => {
        // Catch up by the clock rather than by ticks, so a late timer does not lower the rate.
        const due = Math.floor((now() - started) / (intervalMs / SLOTS));
        for (; tick <= due; tick++) {
          const index = Math.floor(tick / SLOTS);
          if (index >= perSession) {
            clearInterval(timer);
            resolve();
            return;
          }
          if (index === warmupEvents && tick % SLOTS === 0) {
            cpu.from = process.cpuUsage();
            if (profiler) {
              profiler.connect();
              void profiler.post("Profiler.enable").then(() => profiler.post("Profiler.start"));
            }
          }
          for (let session = tick % SLOTS; session < sessions; session += SLOTS) {
            sentAt[session]![index] = now();
            push(session, index);
          }
        }
      }, intervalMs / SLOTS);
    });
    await settle();
    const { arrivals } = await results;
    const cpuEnd = process.cpuUsage(cpu.from);
    if (profiler) {
      const { profile } = await profiler.post("Profiler.stop");
      writeFileSync(path.join(PROFILE_DIR!, `${profileAs}.cpuprofile`), JSON.stringify(profile));
      profiler.disconnect();
    }
    const measured = arrivals.filter(([, index]) => index >= warmupEvents);
    const latencies = measured.map(([session, index, at]) => at - sentAt[session]![index]!);
    const span = (arrivals.reduce((last, [, , at]) => Math.max(last, at), started) - started) / 1000;
    const missing = sessions * SUBSCRIBERS * perSession - arrivals.length;
    const cpuUs = cpuEnd.user + cpuEnd.system;
    return {
      load,
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      deliveriesPerSecond: Math.round(arrivals.length / span),
      missing,
      cpuPerDeliveryUs: round(cpuUs / Math.max(1, measured.length), 1),
    };
  } finally {
    clients.close();
  }
}

/** The studio: events appended by EventWriters, delivered by `sessions.events`. */
async function studioStep(
  stack: BenchStack,
  sessions: number,
  transport: Transport,
  url: string,
  attempts: number,
): Promise<CapacityStep> {
  const sessionIds = await createSessions(stack, sessions);
  const writers = sessionIds.map(
    (id) => new EventWriter(stack.appendQueue, id, (error) => console.error(error)),
  );
  const step = await runStep(
    sessions,
    { url, token: stack.token, sessionIds },
    (session, index) => writers[session]!.push([chunk(index)]),
    async () => {
      await Promise.all(writers.map((writer) => writer.flushed()));
    },
    `capacity-${transport}-${sessions}`,
  );
  const held = step.missing === 0 && step.p99Ms <= P99_LIMIT_MS;
  return { transport, sessions, attempts, ...step, held };
}

/**
 * The floor: an SSE server in this process that writes each event, serialised once, to every
 * subscriber of its session with one `write`, in the wire format tRPC uses (so the same reader reads it).
 */
async function baselineStep(sessions: number) {
  const subscribers = new Map<string, http.ServerResponse[]>();
  const server = http.createServer((req, res) => {
    const input = new URL(req.url ?? "/", "http://x").searchParams.get("input") ?? "{}";
    const sessionId = String(JSON.parse(input).json?.sessionId);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write("event: connected\ndata: {}\n\n");
    const list = subscribers.get(sessionId) ?? [];
    list.push(res);
    subscribers.set(sessionId, list);
    req.on("close", () => list.splice(list.indexOf(res), 1));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const sessionIds = Array.from({ length: sessions }, () => newId());
  const seqs = new Array<number>(sessions).fill(0);
  try {
    return await runStep(
      sessions,
      { url: `http://127.0.0.1:${port}`, token: "none", sessionIds },
      (session, index) => {
        seqs[session]! += 1;
        const message = `data: ${JSON.stringify({ json: chunk(index) })}\nid: ${seqs[session]}\n\n`;
        for (const res of subscribers.get(sessionIds[session]!) ?? []) res.write(message);
      },
      async () => {},
      `capacity-bare-${sessions}`,
    );
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

export async function benchCapacity(stack: BenchStack): Promise<CapacityResult> {
  const load = round(os.loadavg()[0]!);
  const trpc = await startTrpcSse(stack);
  const urls: Record<Transport, string> = { bare: "", own: stack.url, trpc: trpc.url };
  const steps: CapacityStep[] = [];
  const capacity: Record<Transport, number> = { bare: 0, own: 0, trpc: 0 };
  const holding = new Set<Transport>(["bare", "trpc", "own"]);
  const run = async (sessions: number, transport: Transport, attempts: number): Promise<CapacityStep> => {
    if (transport !== "bare") return studioStep(stack, sessions, transport, urls[transport], attempts);
    const step = await baselineStep(sessions);
    return { transport, sessions, attempts, ...step, held: step.missing === 0 && step.p99Ms <= P99_LIMIT_MS };
  };
  try {
    for (const sessions of STEPS) {
      for (const transport of [...holding]) {
        let step = await run(sessions, transport, 1);
        if (!step.held) step = await run(sessions, transport, 2);
        steps.push(step);
        console.log(
          `  ${transport} ${sessions} sessions${step.attempts > 1 ? " (again)" : ""}: p50 ${step.p50Ms} ms, p99 ${step.p99Ms} ms, ` +
            `${step.deliveriesPerSecond} deliveries/s, ${step.cpuPerDeliveryUs} µs CPU per delivery, ${step.missing} missing (load ${step.load})`,
        );
        if (step.held) capacity[transport] = sessions;
        else holding.delete(transport);
      }
      // The baseline alone says nothing about the studio: stop once both studio transports failed.
      if (!holding.has("own") && !holding.has("trpc")) break;
    }
  } finally {
    trpc.close();
  }
  const cpuOf = (transport: Transport, sessions: number) =>
    steps.find((step) => step.transport === transport && step.sessions === sessions)?.cpuPerDeliveryUs;
  const cpuRatios = STEPS.flatMap((sessions) => {
    const bare = cpuOf("bare", sessions);
    if (bare === undefined) return [];
    const ratio = (transport: Transport) => {
      const cpu = cpuOf(transport, sessions);
      return cpu === undefined ? null : round(cpu / bare);
    };
    return [{ sessions, own: ratio("own"), trpc: ratio("trpc") }];
  }).filter((row) => row.own !== null || row.trpc !== null);
  return {
    subscribersPerSession: SUBSCRIBERS,
    eventsPerSecondPerSession: EVENTS_PER_SECOND,
    capacity,
    steps,
    cpuRatios,
    load,
  };
}

/** The section of docs/benchmarks.md. */
export function capacitySection(result: CapacityResult): string {
  const rows = result.steps.map(
    (step) =>
      `| ${step.sessions} | ${step.transport} | ${step.p50Ms} / ${step.p99Ms} ms | ${step.deliveriesPerSecond} | ${step.cpuPerDeliveryUs} µs | ${step.held ? "yes" : "**no**"}${step.attempts > 1 ? " (second attempt)" : ""} | ${step.load} |`,
  );
  const ratios = result.cpuRatios.map((row) => `| ${row.sessions} | ${row.own ?? ""} | ${row.trpc ?? ""} |`);
  return `## Fan-out capacity (${result.eventsPerSecondPerSession} events/s per session, ${result.subscribersPerSession} subscribers each)

How many live sessions one replica carries: each session gets ${result.eventsPerSecondPerSession} events a second (what the
runner stores after coalescing), appended through the runner's EventWriter (agents left out), read
over real SSE subscriptions by plain readers in a process of their own; the number of sessions steps
up until delivery p99 exceeds ${P99_LIMIT_MS} ms (the first ${WARMUP_SECONDS} s of each ${SECONDS}-second step left out; a
failing step runs once more, since the machine is shared). Each step runs three ways in the same run:
\`own\`, the studio as it is (its own SSE writer for \`sessions.events\`); \`trpc\`, the same studio
serving it through tRPC's own SSE handler, as before; \`bare\`, the baseline: an SSE server in the same
process with no database, writing each event, serialised once, to each subscriber. CPU per
delivery is the studio's process (\`process.cpuUsage\`, appends included) divided by deliveries.

| | own | trpc | bare (baseline) |
| --- | --- | --- | --- |
| sessions held (p99 ≤ ${P99_LIMIT_MS} ms) | ${result.capacity.own} | ${result.capacity.trpc} | ${result.capacity.bare} |
| target: 200 sessions | ${result.capacity.own >= 200 ? "met" : "**not met**"} | | |

| sessions | way | delivery p50 / p99 | deliveries/s | CPU per delivery | held | 1-minute load |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

| sessions | CPU per delivery ÷ bare: own | trpc |
| --- | --- | --- |
${ratios.join("\n")}`;
}
