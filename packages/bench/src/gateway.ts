// Gateway: the latency the studio's model gateway adds to a call (time to first byte and total)
// against calling the scripted upstream directly, alternating in one run; then sustained metered
// calls per second, with the ledger checked to hold exactly what the upstream reported. The calls
// are made from the clients' process, as a sandbox makes them from its own, to the organisation's own
// OpenAI-compatible endpoint: the scripted provider in a third process.
import { hashSecret, newId, randomToken } from "@studio/core";
import type { ScriptedReply } from "@studio/testkit";
import { type ClientReply, startClientsProcess } from "./clients.ts";
import type { BenchStack } from "./stack.ts";
import { percentile, round } from "./stats.ts";
import { startUpstreamProcess } from "./upstream.ts";

const WARMUP_PAIRS = 50;
const LATENCY_PAIRS = 1000;
const SUSTAINED_CALLS = 3000;
const CONCURRENCY = 16;
const USAGE = { inputTokens: 1200, outputTokens: 80, cachedTokens: 300, reasoningTokens: 0 };
const REPLY: ScriptedReply = {
  steps: [{ text: "A short metered answer, in a few chunks.", chunkSize: 8 }],
  usage: USAGE,
};

/** Percentiles of one measure (time to first byte, or total) for both paths. */
export interface AddedLatency {
  directP50Ms: number;
  gatewayP50Ms: number;
  directP99Ms: number;
  gatewayP99Ms: number;
  /** Gateway percentile minus direct percentile: what the gateway adds to the distribution. */
  addedP50Ms: number;
  addedP99Ms: number;
  /** Percentiles of the per-pair differences (each pair: one call each way, back to back). */
  pairedP50Ms: number;
  pairedP99Ms: number;
}

export interface GatewayResult {
  pairs: number;
  ttfb: AddedLatency;
  total: AddedLatency;
  sustainedCalls: number;
  concurrency: number;
  callsPerSecond: number;
  directCallsPerSecond: number;
  ledgerExact: boolean;
}

function added(direct: number[], gateway: number[]): AddedLatency {
  const ms = (values: number[], p: number) => round(percentile(values, p), 3);
  const paired = gateway.map((value, index) => value - direct[index]!);
  return {
    directP50Ms: ms(direct, 50),
    gatewayP50Ms: ms(gateway, 50),
    directP99Ms: ms(direct, 99),
    gatewayP99Ms: ms(gateway, 99),
    addedP50Ms: round(percentile(gateway, 50) - percentile(direct, 50), 3),
    addedP99Ms: round(percentile(gateway, 99) - percentile(direct, 99), 3),
    pairedP50Ms: ms(paired, 50),
    pairedP99Ms: ms(paired, 99),
  };
}

async function gatewaySession(stack: BenchStack, upstreamUrl: string) {
  // The organisation's own OpenAI-compatible endpoint: calls go through the gateway to it.
  await stack.client.keys.set.mutate({ provider: "custom", baseUrl: `${upstreamUrl}/v1` });
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
      keySource: "direct",
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

export async function benchGateway(stack: BenchStack): Promise<GatewayResult> {
  const upstream = await startUpstreamProcess({ defaultReply: REPLY });
  const clients = await startClientsProcess();
  let measured: Extract<ClientReply, { kind: "gateway" }>;
  let sessionId: string;
  try {
    const session = await gatewaySession(stack, upstream.url);
    sessionId = session.sessionId;
    const { results } = await clients.start({
      kind: "gateway",
      url: stack.url,
      token: session.token,
      directUrl: `${upstream.url}/v1/chat/completions`,
      gatewayUrl: `${stack.url}/api/llm/custom/chat/completions`,
      warmupPairs: WARMUP_PAIRS,
      pairs: LATENCY_PAIRS,
      sustainedCalls: SUSTAINED_CALLS,
      concurrency: CONCURRENCY,
    });
    measured = await results;
  } finally {
    clients.close();
    upstream.close();
  }

  // Every call through the gateway (warm-up included) was metered. Recording follows each response:
  // wait for the last entries, then check the sums exactly.
  const calls = WARMUP_PAIRS + LATENCY_PAIRS + SUSTAINED_CALLS;
  const deadline = Date.now() + 60_000;
  while ((await stack.db.ledgerEntry.count({ where: { sessionId } })) < calls && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const sums = await stack.db.ledgerEntry.aggregate({
    where: { sessionId },
    _count: true,
    _sum: { inputTokens: true, outputTokens: true, cachedTokens: true },
  });
  const ledgerExact =
    sums._count === calls &&
    sums._sum.inputTokens === calls * USAGE.inputTokens &&
    sums._sum.outputTokens === calls * USAGE.outputTokens &&
    sums._sum.cachedTokens === calls * USAGE.cachedTokens;

  const { pairs } = measured;
  return {
    pairs: pairs.length,
    ttfb: added(
      pairs.map((pair) => pair.direct.ttfb),
      pairs.map((pair) => pair.gateway.ttfb),
    ),
    total: added(
      pairs.map((pair) => pair.direct.total),
      pairs.map((pair) => pair.gateway.total),
    ),
    sustainedCalls: SUSTAINED_CALLS,
    concurrency: CONCURRENCY,
    callsPerSecond: round(measured.gatewayCallsPerSecond, 1),
    directCallsPerSecond: round(measured.directCallsPerSecond, 1),
    ledgerExact,
  };
}
