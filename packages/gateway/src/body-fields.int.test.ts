// A session pays for the model it is charged for (issue 16, point 5): bodies may carry only the
// top-level fields their wire format's clients send, so no fallback models, provider routing,
// plugins or server-side tools; and a call is priced by the model the provider reports it used,
// flagged in the ledger when that is not the one the request named.
import http from "node:http";
import { callCostMicroUsd } from "@studio/core";
import { listPriceFor } from "@studio/models";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ORG_KEY, seedSession, useGatewayFixture } from "./test-support/gateway-fixture.ts";

const database = useTestDatabase();
/** OpenRouter as it answers a call it routed elsewhere: its chunks name the model it used. */
let openrouter: http.Server;
let reportedModel = "";
let openrouterCalls = 0;

const USAGE = { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 };

beforeAll(async () => {
  openrouter = http.createServer((req, res) => {
    openrouterCalls += 1;
    req.resume();
    req.on("end", () => {
      const chunk = (rest: object) =>
        `data: ${JSON.stringify({ id: "gen-1", model: reportedModel, ...rest })}\n\n`;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(
        chunk({ choices: [{ index: 0, delta: { content: "hi" }, finish_reason: null }] }) +
          chunk({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }) +
          chunk({ choices: [], usage: USAGE }) +
          "data: [DONE]\n\n",
      );
    });
  });
  await new Promise<void>((resolve) => openrouter.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  openrouter.closeAllConnections();
  await new Promise((resolve) => openrouter.close(resolve));
});
const fixture = useGatewayFixture(database, () => {
  const { port } = openrouter.address() as { port: number };
  return { upstreams: { openrouter: { baseUrl: `http://127.0.0.1:${port}`, apiKey: null } } };
});

const REQUESTED = "anthropic/claude-sonnet-4.6";

const openRouterSession = () =>
  seedSession(database.db, fixture.keyring, {
    provider: "anthropic",
    model: "claude-sonnet-4-6",
    keySource: "openrouter",
    upstreamProvider: "openrouter",
    upstreamModel: REQUESTED,
    organizationKey: { provider: "openrouter", apiKey: ORG_KEY },
  });

/** The fields OpenCode sends OpenRouter (gateway-wire.md's recordings). */
const openCodeBody = {
  model: REQUESTED,
  max_tokens: 32000,
  temperature: 0.5,
  messages: [{ role: "user", content: "hi" }],
  reasoning: { effort: "medium" },
  stream: true,
  usage: { include: true },
  tools: [{ type: "function", function: { name: "bash", parameters: { type: "object" } } }],
  tool_choice: "auto",
};

const call = (token: string, body: object) =>
  fetch(`${fixture.url}/openrouter/api/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

describe("request body fields", () => {
  it.each([
    ["models", { models: ["anthropic/claude-opus-4.6"] }],
    ["route", { route: "fallback" }],
    ["plugins", { plugins: [{ id: "web" }] }],
    ["provider", { provider: { order: ["anthropic"] } }],
  ])("refuses a body naming %s, without calling the provider", async (field, extra) => {
    const { token } = await openRouterSession();
    const before = openrouterCalls;
    const response = await call(token, { ...openCodeBody, ...extra });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        type: "studio_gateway_error",
        message: `The studio's gateway does not forward the request field "${field}".`,
      },
    });
    expect(openrouterCalls).toBe(before);
  });

  it("refuses server-side tools, naming them", async () => {
    const { token } = await openRouterSession();
    const response = await call(token, {
      ...openCodeBody,
      tools: [...openCodeBody.tools, { type: "web_search_preview" }],
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { message: 'The studio\'s gateway forwards function tools only, not "web_search_preview".' },
    });
  });

  it("passes what OpenCode sends", async () => {
    reportedModel = REQUESTED;
    const { token } = await openRouterSession();
    const response = await call(token, openCodeBody);
    expect(response.status).toBe(200);
    await response.text();
  });
});

describe("the model a call is priced by", () => {
  const priceOf = (model: string) => {
    const price = listPriceFor("openrouter", model)!;
    return callCostMicroUsd(
      { inputTokens: USAGE.prompt_tokens, outputTokens: USAGE.completion_tokens, cachedTokens: 0 },
      {
        inputPerMTok: BigInt(price.inputPerMTok),
        outputPerMTok: BigInt(price.outputPerMTok),
        cachedInputPerMTok: BigInt(price.cachedInputPerMTok),
      },
      0,
    );
  };

  it("is the one the provider reports, flagged in the ledger when it is not the one requested", async () => {
    reportedModel = "anthropic/claude-opus-4.6";
    const { token, session } = await openRouterSession();
    const response = await call(token, openCodeBody);
    expect(response.status).toBe(200);
    await response.text();
    await fixture.gateway.settled();
    const entry = await database.db.ledgerEntry.findFirstOrThrow({ where: { sessionId: session.id } });
    expect(entry).toMatchObject({
      model: "anthropic/claude-opus-4.6",
      requestedModel: REQUESTED,
      costMicroUsd: priceOf("anthropic/claude-opus-4.6"),
    });
    expect(priceOf("anthropic/claude-opus-4.6")).toBeGreaterThan(priceOf(REQUESTED));
  });

  it("is the requested one, unflagged, when the provider reports it (or a dated snapshot of it)", async () => {
    for (const reported of [REQUESTED, `${REQUESTED}-20260217`]) {
      reportedModel = reported;
      const { token, session } = await openRouterSession();
      const response = await call(token, openCodeBody);
      await response.text();
      await fixture.gateway.settled();
      const entry = await database.db.ledgerEntry.findFirstOrThrow({ where: { sessionId: session.id } });
      expect(entry, reported).toMatchObject({
        model: REQUESTED,
        requestedModel: null,
        costMicroUsd: priceOf(REQUESTED),
      });
    }
  });

  it("falls back to the requested model's price when the reported one has none, still flagged", async () => {
    reportedModel = "someone/unpriced-model";
    const { token, session } = await openRouterSession();
    const response = await call(token, openCodeBody);
    await response.text();
    await fixture.gateway.settled();
    const entry = await database.db.ledgerEntry.findFirstOrThrow({ where: { sessionId: session.id } });
    expect(entry).toMatchObject({
      model: "someone/unpriced-model",
      requestedModel: REQUESTED,
      costMicroUsd: priceOf(REQUESTED),
    });
  });
});
