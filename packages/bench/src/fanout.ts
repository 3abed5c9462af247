// Fan-out: 50 live sessions, 3 subscribers each, events appended through the runner's own writer
// (the agents are left out so the studio's path is what is measured): delivered events per second
// and delivery latency from append to subscriber.
import { newId } from "@studio/core";
import { EventWriter } from "@studio/runner";
import type { BenchStack } from "./stack.ts";
import { percentile, round } from "./stats.ts";

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
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let deliveries = 0;
  let expected = 0;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const subscriptions = sessionIds.flatMap((sessionId) =>
    Array.from({ length: SUBSCRIBERS }, () =>
      stack.client.sessions.events.subscribe(
        { sessionId, lastEventId: null },
        {
          onData: ({ data }) => {
            if (data.type !== "usage") return;
            const sent = sentAt.get(`${sessionId}:${data.usedTokens}`);
            if (sent !== undefined) latencies.push(performance.now() - sent);
            deliveries += 1;
            if (deliveries === expected) resolveDone();
          },
        },
      ),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 1500)); // every stream open

  expected = SESSIONS * SUBSCRIBERS * EVENTS_PER_SESSION;
  const started = performance.now();
  await Promise.all(
    sessionIds.map(async (sessionId) => {
      const writer = new EventWriter(stack.db, sessionId, (error) => console.error(error));
      for (let index = 0; index < EVENTS_PER_SESSION; index++) {
        sentAt.set(`${sessionId}:${index}`, performance.now());
        writer.push([{ type: "usage", usedTokens: index, contextSize: null }]);
        await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
      }
      await writer.flushed();
    }),
  );
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  const elapsed = (performance.now() - started) / 1000;
  for (const subscription of subscriptions) subscription.unsubscribe();
  return {
    sessions: SESSIONS,
    subscribersPerSession: SUBSCRIBERS,
    eventsAppended: SESSIONS * EVENTS_PER_SESSION,
    deliveries,
    deliveriesPerSecond: Math.round(deliveries / elapsed),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
  };
}
