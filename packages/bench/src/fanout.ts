// Fan-out: 50 live sessions, 3 subscribers each, events appended through the runner's own writer
// (the agents are left out so the studio's path is what is measured): delivered events per second
// and delivery latency from the writer's push to a subscriber in the clients' process.
import os from "node:os";
import { newId } from "@studio/core";
import { EventWriter } from "@studio/runner";
import { startClientsProcess } from "./clients.ts";
import type { BenchStack } from "./stack.ts";
import { now, percentile, round } from "./stats.ts";

const SESSIONS = 50;
const SUBSCRIBERS = 3;
const EVENTS_PER_SESSION = 400;
const INTERVAL_MS = 10;

export interface FanoutResult {
  sessions: number;
  subscribersPerSession: number;
  eventsAppended: number;
  deliveries: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU used while events flowed, by the studio's process and by the subscribers' process. */
  studioCpuSeconds: number;
  clientsCpuSeconds: number;
  /** The 1-minute load average when events started flowing. */
  load: number;
}

export async function benchFanout(stack: BenchStack): Promise<FanoutResult> {
  // Log-only sessions (marked stopped so no runner provisions 50 agents): the subscription path is
  // the same for any status.
  const owner = await stack.db.membership.findFirstOrThrow({
    select: { userId: true, organizationId: true },
  });
  const sessionIds: string[] = [];
  for (let index = 0; index < SESSIONS; index++) {
    const session = await stack.db.studioSession.create({
      data: {
        id: newId(),
        ...owner,
        environment: "development",
        status: "stopped",
        provider: "custom",
        model: "scripted-1",
        keySource: "platform",
        upstreamProvider: "custom",
        upstreamModel: "scripted-1",
        sandboxProvider: "local",
        idleTimeoutSeconds: 900,
      },
    });
    sessionIds.push(session.id);
  }
  const expected = SESSIONS * SUBSCRIBERS * EVENTS_PER_SESSION;
  const clients = await startClientsProcess();
  try {
    const { results } = await clients.start({
      kind: "fanout",
      url: stack.url,
      token: stack.token,
      sessionIds,
      subscribers: SUBSCRIBERS,
      expected,
      timeoutMs: 30_000,
    });
    const sentAt = sessionIds.map(() => new Array<number>(EVENTS_PER_SESSION));
    const load = round(os.loadavg()[0]!);
    const started = now();
    const cpu = process.cpuUsage();
    await Promise.all(
      sessionIds.map(async (sessionId, session) => {
        const writer = new EventWriter(stack.appendQueue, sessionId, (error) => console.error(error));
        for (let index = 0; index < EVENTS_PER_SESSION; index++) {
          sentAt[session]![index] = now();
          writer.push([{ type: "usage", usedTokens: index, contextSize: null }]);
          await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
        }
        await writer.flushed();
      }),
    );
    const { arrivals, cpuSeconds } = await results;
    const studioCpu = process.cpuUsage(cpu);
    const elapsed = (arrivals.reduce((last, [, , at]) => Math.max(last, at), started) - started) / 1000;
    const latencies = arrivals.map(([session, index, at]) => at - sentAt[session]![index]!);
    return {
      sessions: SESSIONS,
      subscribersPerSession: SUBSCRIBERS,
      eventsAppended: SESSIONS * EVENTS_PER_SESSION,
      deliveries: arrivals.length,
      deliveriesPerSecond: Math.round(arrivals.length / elapsed),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      studioCpuSeconds: round((studioCpu.user + studioCpu.system) / 1e6, 1),
      clientsCpuSeconds: round(cpuSeconds, 1),
      load,
    };
  } finally {
    clients.close();
  }
}
