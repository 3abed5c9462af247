// Gateway: the latency the studio's model gateway adds to a call (time to first byte and total)
// against calling the scripted upstream directly, alternating in one run; then sustained metered
// calls per second, with the ledger checked to hold exactly what the upstream reported.
import { hashSecret, newId, randomToken } from "@studio/core";
import type { ScriptedReply } from "@studio/testkit";
import type { BenchStack } from "./stack.ts";
import { percentile, round } from "./stats.ts";

const LATENCY_ROUNDS = 400;
const SUSTAINED_CALLS = 3000;
const CONCURRENCY = 16;
const USAGE = { inputTokens: 1200, outputTokens: 80, cachedTokens: 300, reasoningTokens: 0 };
const REPLY: ScriptedReply = {
  steps: [{ text: "A short metered answer, in a few chunks.", chunkSize: 8 }],
  usage: USAGE,
};

export interface GatewayResult {
  rounds: number;
  directTtfbP50Ms: number;
  gatewayTtfbP50Ms: number;
  addedTtfbP50Ms: number;
  addedTtfbP99Ms: number;
  addedTotalP50Ms: number;
  addedTotalP99Ms: number;
  sustainedCalls: number;
  concurrency: number;
  callsPerSecond: number;
  directCallsPerSecond: number;
  ledgerExact: boolean;
}

async function timedCall(url: string, token: string) {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({
      model: "scripted-1",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "bench" }],
    }),
  });
  const reader = response.body!.getReader();
  let firstByte = Number.NaN;
  for (;;) {
    const { done } = await reader.read();
    if (Number.isNaN(firstByte)) firstByte = performance.now() - started;
    if (done) break;
  }
  if (response.status !== 200) throw new Error(`call failed with ${response.status}`);
  return { ttfb: firstByte, total: performance.now() - started };
}

async function gatewaySession(stack: BenchStack) {
  // The bench account's organisation (signed up by the stack).
  const account = await stack.db.membership.findFirstOrThrow({
    select: { organizationId: true, userId: true },
  });
  const token = randomToken(20);
  const session = await stack.db.studioSession.create({
    data: {
      id: newId(),
      ...account,
      environment: "development",
      status: "ready",
      provider: "custom",
      model: "scripted-1",
      keySource: "platform",
      upstreamProvider: "custom",
      upstreamModel: "scripted-1",
      sandboxProvider: "local",
      idleTimeoutSeconds: 3600,
      gatewayTokenHash: hashSecret(token),
      // A lease held elsewhere keeps this replica's runners from adopting a session with no sandbox.
      runnerId: "bench-gateway",
      runnerLeaseExpiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  return { sessionId: session.id, token };
}

async function runConcurrently(total: number, concurrency: number, call: () => Promise<unknown>) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        await call();
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

export async function benchGateway(stack: BenchStack): Promise<GatewayResult> {
  const { sessionId, token } = await gatewaySession(stack);
  const direct = `${stack.upstream.url}/v1/chat/completions`;
  const viaGateway = `${stack.url}/api/llm/custom/chat/completions`;

  // Warm both paths (connections, JIT, caches), then alternate so drift hits both equally.
  for (let i = 0; i < 30; i++) {
    stack.upstream.enqueue(REPLY, REPLY);
    await timedCall(direct, token);
    await timedCall(viaGateway, token);
  }
  const pairs: {
    direct: Awaited<ReturnType<typeof timedCall>>;
    gateway: Awaited<ReturnType<typeof timedCall>>;
  }[] = [];
  for (let i = 0; i < LATENCY_ROUNDS; i++) {
    stack.upstream.enqueue(REPLY, REPLY);
    const first = i % 2 === 0 ? "direct" : "gateway";
    const a = await timedCall(first === "direct" ? direct : viaGateway, token);
    const b = await timedCall(first === "direct" ? viaGateway : direct, token);
    pairs.push(first === "direct" ? { direct: a, gateway: b } : { direct: b, gateway: a });
  }
  const addedTtfb = pairs.map((p) => p.gateway.ttfb - p.direct.ttfb);
  const addedTotal = pairs.map((p) => p.gateway.total - p.direct.total);

  const ledgerBefore = await stack.db.ledgerEntry.count({ where: { sessionId } });
  for (let i = 0; i < SUSTAINED_CALLS * 2; i++) stack.upstream.enqueue(REPLY);
  const directCallsPerSecond = await runConcurrently(SUSTAINED_CALLS, CONCURRENCY, () =>
    timedCall(direct, token),
  );
  const callsPerSecond = await runConcurrently(SUSTAINED_CALLS, CONCURRENCY, () =>
    timedCall(viaGateway, token),
  );

  // Recording happens after each response: wait for the last entries, then check the sums exactly.
  const expectedCount = ledgerBefore + SUSTAINED_CALLS;
  const deadline = Date.now() + 60_000;
  while (
    (await stack.db.ledgerEntry.count({ where: { sessionId } })) < expectedCount &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const sums = await stack.db.ledgerEntry.aggregate({
    where: { sessionId },
    _count: true,
    _sum: { inputTokens: true, outputTokens: true, cachedTokens: true },
  });
  // Every call through the gateway in this run (warm-up and latency rounds included) was metered.
  const calls = expectedCount;
  const ledgerExact =
    sums._count === calls &&
    sums._sum.inputTokens === calls * USAGE.inputTokens &&
    sums._sum.outputTokens === calls * USAGE.outputTokens &&
    sums._sum.cachedTokens === calls * USAGE.cachedTokens;

  return {
    rounds: LATENCY_ROUNDS,
    directTtfbP50Ms: round(
      percentile(
        pairs.map((p) => p.direct.ttfb),
        50,
      ),
      3,
    ),
    gatewayTtfbP50Ms: round(
      percentile(
        pairs.map((p) => p.gateway.ttfb),
        50,
      ),
      3,
    ),
    addedTtfbP50Ms: round(percentile(addedTtfb, 50), 3),
    addedTtfbP99Ms: round(percentile(addedTtfb, 99), 3),
    addedTotalP50Ms: round(percentile(addedTotal, 50), 3),
    addedTotalP99Ms: round(percentile(addedTotal, 99), 3),
    sustainedCalls: SUSTAINED_CALLS,
    concurrency: CONCURRENCY,
    callsPerSecond: round(callsPerSecond, 1),
    directCallsPerSecond: round(directCallsPerSecond, 1),
    ledgerExact,
  };
}
