// Metering through the gateway: for each wire format, streaming and not, the ledger holds exactly
// the usage the upstream reported, priced at the list price, charged only on platform credits.
import { callCostMicroUsd, readEvents } from "@studio/core";
import { listPriceFor, type ModelProvider } from "@studio/models";
import type { ScriptedReply } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { ORG_KEY, seedSession, useGatewayFixture } from "./test-support/gateway-fixture.ts";

const database = useTestDatabase();
const fixture = useGatewayFixture(database);

const USAGE = { inputTokens: 1234, outputTokens: 321, cachedTokens: 200, reasoningTokens: 40 };
const REPLY: ScriptedReply = {
  steps: [{ reasoning: "Let me think." }, { text: "Metered hello." }],
  usage: USAGE,
};

interface WireCase {
  name: string;
  provider: ModelProvider;
  model: string;
  keySource: "direct" | "openrouter" | "platform";
  upstreamProvider?: ModelProvider;
  upstreamModel?: string;
  request(stream: boolean, model: string): { path: string; body: unknown };
}

const cases: WireCase[] = [
  {
    name: "chat completions (custom endpoint, platform)",
    provider: "custom",
    model: "llama-3.1-8b",
    keySource: "platform",
    request: (stream, model) => ({
      path: "/custom/chat/completions",
      body: { model, stream, messages: [{ role: "user", content: "hi" }] },
    }),
  },
  {
    name: "chat completions (OpenRouter key, model mapped)",
    provider: "anthropic",
    model: "claude-sonnet-4-6",
    keySource: "openrouter",
    upstreamProvider: "openrouter",
    upstreamModel: "anthropic/claude-sonnet-4.6",
    request: (stream, model) => ({
      path: "/openrouter/api/v1/chat/completions",
      body: { model, stream, messages: [{ role: "user", content: "hi" }] },
    }),
  },
  {
    name: "Responses API (xAI, platform credits)",
    provider: "xai",
    model: "grok-4-1-fast",
    keySource: "platform",
    request: (stream, model) => ({ path: "/xai/v1/responses", body: { model, stream, input: "hi" } }),
  },
  {
    name: "Responses API (OpenAI, own key)",
    provider: "openai",
    model: "gpt-5",
    keySource: "direct",
    request: (stream, model) => ({ path: "/openai/v1/responses", body: { model, stream, input: "hi" } }),
  },
  {
    name: "Anthropic Messages (platform credits)",
    provider: "anthropic",
    model: "claude-sonnet-4-6",
    keySource: "platform",
    request: (stream, model) => ({
      path: "/anthropic/v1/messages",
      body: { model, stream, max_tokens: 1000, messages: [{ role: "user", content: "hi" }] },
    }),
  },
  {
    name: "Google generateContent (platform credits)",
    provider: "google",
    model: "gemini-2.5-pro",
    keySource: "platform",
    request: (stream, model) => ({
      path: stream
        ? `/google/v1beta/models/${model}:streamGenerateContent?alt=sse`
        : `/google/v1beta/models/${model}:generateContent`,
      body: { contents: [{ role: "user", parts: [{ text: "hi" }] }] },
    }),
  },
];

const GRANT = 50_000_000n;

describe.each(cases)("metering: $name", (wire) => {
  it.each([true, false])("records exactly the reported usage (stream: %s)", async (stream) => {
    const upstreamProvider = wire.upstreamProvider ?? wire.provider;
    const upstreamModel = wire.upstreamModel ?? wire.model;
    const { token, session, organizationId } = await seedSession(database.db, fixture.keyring, {
      provider: wire.provider,
      model: wire.model,
      keySource: wire.keySource,
      upstreamProvider,
      upstreamModel,
      creditsMicroUsd: GRANT,
      ...(wire.keySource === "platform"
        ? {}
        : { organizationKey: { provider: upstreamProvider, apiKey: ORG_KEY } }),
    });
    fixture.upstream.enqueue(REPLY);
    const { path, body } = wire.request(stream, upstreamModel);
    // Where each format's own client sends the key (Google's: x-goog-api-key; the rest: a bearer token).
    const key: Record<string, string> =
      wire.provider === "google" ? { "x-goog-api-key": token } : { authorization: `Bearer ${token}` };
    const response = await fetch(`${fixture.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...key },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Metered hell");
    await fixture.gateway.settled();

    const entries = await database.db.ledgerEntry.findMany({ where: { sessionId: session.id } });
    expect(entries).toHaveLength(1);
    const entry = entries[0]!;
    expect({
      inputTokens: entry.inputTokens,
      outputTokens: entry.outputTokens,
      cachedTokens: entry.cachedTokens,
      reasoningTokens: entry.reasoningTokens,
    }).toEqual(
      // Anthropic's wire has no separate count of thinking tokens (they are inside output_tokens).
      wire.provider === "anthropic" && wire.keySource === "platform"
        ? { ...USAGE, reasoningTokens: 0 }
        : USAGE,
    );
    expect(entry).toMatchObject({
      kind: "usage",
      model: upstreamModel,
      provider: upstreamProvider,
      keySource: wire.keySource,
      usageEstimated: false,
      upstreamStatus: 200,
    });
    const listPrice = listPriceFor(upstreamProvider, upstreamModel);
    const expectedCost = listPrice
      ? callCostMicroUsd(
          USAGE,
          {
            inputPerMTok: BigInt(listPrice.inputPerMTok),
            outputPerMTok: BigInt(listPrice.outputPerMTok),
            cachedInputPerMTok: BigInt(listPrice.cachedInputPerMTok),
          },
          0,
        )
      : 0n;
    expect(entry.costMicroUsd).toBe(expectedCost);
    // Only the platform's paid providers draw on credits; own keys and the operator's endpoint are free.
    const charged = wire.keySource === "platform" && upstreamProvider !== "custom" ? expectedCost : 0n;
    expect(entry.amountMicroUsd).toBe(-charged);
    expect(entry.balanceAfterMicroUsd).toBe(GRANT - charged);
    expect(
      (await database.db.creditAccount.findUniqueOrThrow({ where: { organizationId } })).balanceMicroUsd,
    ).toBe(GRANT - charged);
    const totals = await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(totals.totalInputTokens).toBe(1234n);
    expect(totals.totalOutputTokens).toBe(321n);
    expect(totals.totalCachedTokens).toBe(200n);
    expect(totals.totalCostMicroUsd).toBe(expectedCost);
    expect(totals.totalCreditsConsumed).toBe(charged);
    // The event written with the ledger entry is a studio event like any other, next in the log.
    const [metered] = await readEvents(database.db, session.id, 0n);
    expect(metered?.seq).toBe(1n);
    expect(metered?.event).toEqual({
      type: "metered",
      model: entry.model,
      inputTokens: 1234,
      outputTokens: 321,
      cachedTokens: 200,
      reasoningTokens: entry.reasoningTokens,
      estimated: false,
      costMicroUsd: Number(expectedCost),
      chargedMicroUsd: Number(charged),
      totals: {
        inputTokens: 1234,
        outputTokens: 321,
        cachedTokens: 200,
        costMicroUsd: Number(expectedCost),
        chargedMicroUsd: Number(charged),
      },
    });
    expect(
      (await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } })).lastEventSeq,
    ).toBe(1n);
  });
});

describe("metering: cut-off calls", () => {
  it("records an estimate, marked as such, when the sandbox hangs up before the usage report", async () => {
    const { token, session } = await seedSession(database.db, fixture.keyring, {
      provider: "xai",
      model: "grok-4-1-fast",
      creditsMicroUsd: GRANT,
    });
    fixture.upstream.enqueue([{ text: "x".repeat(400), chunkSize: 40 }, { hang: true }]);
    const controller = new AbortController();
    const response = await fetch(`${fixture.url}/xai/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ model: "grok-4-1-fast", stream: true, input: "a question of some length" }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let received = "";
    while (!received.includes("x".repeat(40)))
      received += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    await expect.poll(() => fixture.upstream.requests.at(-1)?.aborted).toBe(true);
    await fixture.gateway.settled();
    await expect
      .poll(() => database.db.ledgerEntry.findFirst({ where: { sessionId: session.id } }))
      .toMatchObject({ usageEstimated: true, upstreamStatus: 200 });
    const entry = await database.db.ledgerEntry.findFirstOrThrow({ where: { sessionId: session.id } });
    expect(entry.inputTokens).toBeGreaterThan(0);
    expect(entry.outputTokens).toBeGreaterThanOrEqual(10);
    expect(entry.amountMicroUsd).toBeLessThan(0n);
  });
});
