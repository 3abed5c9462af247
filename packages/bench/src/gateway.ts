// Gateway: the latency the studio's model gateway adds to a call (time to first byte and total)
// against calling the scripted upstream directly, in one run, with a bare proxy in the studio's
// process taking the same calls as the floor (bare-proxy.ts); then sustained metered calls per
// second, with the ledger checked to hold exactly what the upstream reported. The calls are made
// from the clients' process, as a sandbox makes them from its own, to the organisation's own
// OpenAI-compatible endpoint: the scripted provider in a third process.
import { hashSecret, newId, randomToken, setModelPrice, setPriceInput } from "@studio/core";
import type { ScriptedReply } from "@studio/testkit";
import { startBareProxy } from "./bare-proxy.ts";
import { type GatewayRound, startClientsProcess } from "./clients.ts";
import type { BenchStack } from "./stack.ts";
import { percentile, round } from "./stats.ts";
import { startUpstreamProcess } from "./upstream.ts";

const WARMUP_ROUNDS = 50;
const LATENCY_ROUNDS = 1000;
const SUSTAINED_CALLS = 3000;
const CONCURRENCY = 16;
const USAGE = { inputTokens: 1200, outputTokens: 80, cachedTokens: 300, reasoningTokens: 0 };
const REPLY: ScriptedReply = {
  steps: [{ text: "A short metered answer, in a few chunks.", chunkSize: 8 }],
  usage: USAGE,
};

/** Percentiles of one measure (time to first byte, or total) on each path. */
export interface AddedLatency {
  directP50Ms: number;
  bareProxyP50Ms: number;
  gatewayP50Ms: number;
  directP99Ms: number;
  bareProxyP99Ms: number;
  gatewayP99Ms: number;
  /** Gateway percentile minus direct percentile: what the gateway adds to the distribution. */
  addedP50Ms: number;
  addedP99Ms: number;
  /** The same for the bare proxy: the floor any proxy in the studio's process starts from. */
  bareProxyAddedP50Ms: number;
  bareProxyAddedP99Ms: number;
}

export interface GatewayResult {
  rounds: number;
  ttfb: AddedLatency;
  total: AddedLatency;
  sustainedCalls: number;
  concurrency: number;
  callsPerSecond: number;
  directCallsPerSecond: number;
  ledgerExact: boolean;
}

function added(rounds: GatewayRound[], measure: "ttfb" | "total"): AddedLatency {
  const at = (path: keyof GatewayRound, p: number) =>
    percentile(
      rounds.map((call) => call[path][measure]),
      p,
    );
  const ms = (value: number) => round(value, 3);
  const [direct50, bare50, gateway50] = [at("direct", 50), at("bareProxy", 50), at("gateway", 50)];
  const [direct99, bare99, gateway99] = [at("direct", 99), at("bareProxy", 99), at("gateway", 99)];
  return {
    directP50Ms: ms(direct50),
    bareProxyP50Ms: ms(bare50),
    gatewayP50Ms: ms(gateway50),
    directP99Ms: ms(direct99),
    bareProxyP99Ms: ms(bare99),
    gatewayP99Ms: ms(gateway99),
    addedP50Ms: ms(gateway50 - direct50),
    addedP99Ms: ms(gateway99 - direct99),
    bareProxyAddedP50Ms: ms(bare50 - direct50),
    bareProxyAddedP99Ms: ms(bare99 - direct99),
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

/** The same measurement with the organisation's hard budgets and rate limits on (none ever reached). */
export interface GuardedGatewayResult {
  ttfb: AddedLatency;
  total: AddedLatency;
  callsPerSecond: number;
  /** What budgets and rate limits add over the bare proxy, beyond what the gateway adds without them. */
  guardsAddedP50Ms: number;
  guardsAddedP99Ms: number;
  ledgerExact: boolean;
}

async function measure(stack: BenchStack, upstreamUrl: string, bareProxyUrl: string) {
  const clients = await startClientsProcess();
  try {
    const session = await gatewaySession(stack, upstreamUrl);
    const { results } = await clients.start({
      kind: "gateway",
      url: stack.url,
      token: session.token,
      directUrl: `${upstreamUrl}/v1/chat/completions`,
      bareProxyUrl: `${bareProxyUrl}/v1/chat/completions`,
      gatewayUrl: `${stack.url}/api/llm/custom/chat/completions`,
      warmupRounds: WARMUP_ROUNDS,
      rounds: LATENCY_ROUNDS,
      sustainedCalls: SUSTAINED_CALLS,
      concurrency: CONCURRENCY,
    });
    return { sessionId: session.sessionId, measured: await results };
  } finally {
    clients.close();
  }
}

/** Every call through the gateway (warm-up included) is in the ledger, with exactly the upstream's usage. */
async function ledgerHoldsEveryCall(stack: BenchStack, sessionId: string): Promise<boolean> {
  const calls = WARMUP_ROUNDS + LATENCY_ROUNDS + SUSTAINED_CALLS;
  const deadline = Date.now() + 60_000;
  while ((await stack.db.ledgerEntry.count({ where: { sessionId } })) < calls && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const sums = await stack.db.ledgerEntry.aggregate({
    where: { sessionId },
    _count: true,
    _sum: { inputTokens: true, outputTokens: true, cachedTokens: true },
  });
  return (
    sums._count === calls &&
    sums._sum.inputTokens === calls * USAGE.inputTokens &&
    sums._sum.outputTokens === calls * USAGE.outputTokens &&
    sums._sum.cachedTokens === calls * USAGE.cachedTokens
  );
}

/** Per-minute limits for the organisation and each member, far from reached. */
async function turnRateLimitsOn(stack: BenchStack) {
  const { organizationId } = await stack.db.membership.findFirstOrThrow({ select: { organizationId: true } });
  await stack.db.organization.update({
    where: { id: organizationId },
    data: { callsPerMinute: 10_000_000, memberCallsPerMinute: 10_000_000 },
  });
}

/**
 * Hard budgets at every scope a call can have (the organisation's, the members' default), far from
 * reached, with the endpoint's model priced as a paid model is (an unpriced one costs nothing, so
 * the gateway would have no worst case to hold against an allowance and read every call's spend).
 */
async function turnHardBudgetsOn(stack: BenchStack) {
  const { organizationId, userId } = await stack.db.membership.findFirstOrThrow({
    select: { organizationId: true, userId: true },
  });
  // The bench account is the studio's first, so its platform admin (prices are set in its browser).
  await setModelPrice(
    stack.db,
    { userId, platformAdmin: true },
    setPriceInput.parse({
      organizationId,
      provider: "custom",
      model: "scripted-1",
      inputPerMTok: "3000000",
      outputPerMTok: "15000000",
      cachedInputPerMTok: "300000",
    }),
  );
  const plenty = 1_000_000_000_000;
  await stack.client.budgets.set.mutate({ scope: "organization", limitMicroUsd: plenty });
  await stack.client.budgets.set.mutate({ scope: "member_default", period: "day", limitMicroUsd: plenty });
}

/** Each replica reads budgets and limits at most a few seconds late. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5_000));

export interface GatewayBench extends GatewayResult {
  /** Rate limits on. */
  limited: GuardedGatewayResult;
  /** Rate limits and hard budgets on. */
  guarded: GuardedGatewayResult;
}

export async function benchGateway(stack: BenchStack): Promise<GatewayBench> {
  const upstream = await startUpstreamProcess({ defaultReply: REPLY });
  const bareProxy = await startBareProxy(upstream.url);
  try {
    const plain = await measure(stack, upstream.url, bareProxy.url);
    const ledgerExact = await ledgerHoldsEveryCall(stack, plain.sessionId);
    const plainTotal = added(plain.measured.rounds, "total");
    const withGuards = async () => {
      await settle();
      const run = await measure(stack, upstream.url, bareProxy.url);
      const total = added(run.measured.rounds, "total");
      return {
        ttfb: added(run.measured.rounds, "ttfb"),
        total,
        callsPerSecond: round(run.measured.gatewayCallsPerSecond, 1),
        guardsAddedP50Ms: round(
          total.gatewayP50Ms - total.bareProxyP50Ms - (plainTotal.gatewayP50Ms - plainTotal.bareProxyP50Ms),
          3,
        ),
        guardsAddedP99Ms: round(
          total.gatewayP99Ms - total.bareProxyP99Ms - (plainTotal.gatewayP99Ms - plainTotal.bareProxyP99Ms),
          3,
        ),
        ledgerExact: await ledgerHoldsEveryCall(stack, run.sessionId),
      };
    };
    await turnRateLimitsOn(stack);
    const limited = await withGuards();
    await turnHardBudgetsOn(stack);
    const guarded = await withGuards();
    const { rounds } = plain.measured;
    return {
      rounds: rounds.length,
      ttfb: added(rounds, "ttfb"),
      total: plainTotal,
      sustainedCalls: SUSTAINED_CALLS,
      concurrency: CONCURRENCY,
      callsPerSecond: round(plain.measured.gatewayCallsPerSecond, 1),
      directCallsPerSecond: round(plain.measured.directCallsPerSecond, 1),
      ledgerExact,
      limited,
      guarded,
    };
  } finally {
    bareProxy.close();
    upstream.close();
  }
}
