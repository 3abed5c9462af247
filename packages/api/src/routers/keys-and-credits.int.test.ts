// Keys, credits and prices through the API: what a session resolves to, what the catalogue says,
// 402 when platform credits are too low, and keys that never come back out.
import { AppError, routeForNewSession, seedListPrices, validateSessionToken } from "@studio/core";
import {
  AGENT_PROFILES,
  AGENTS,
  type AgentName,
  DEFAULT_AGENT,
  isRunnableAgent,
  KNOWN_AGENTS,
} from "@studio/models";
import { useTestDatabase } from "@studio/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../router.ts";
import { signUpUser, type TestUser, testContext } from "../testing/callers.ts";
import { caught } from "../testing/errors.ts";

const database = useTestDatabase();
const ANTHROPIC_KEY = "sk-ant-PLANTED-router-key-9876";
const OPENROUTER_KEY = "sk-or-PLANTED-router-key-5432";

// The studio's first account, so its platform admin: it grants credits and sets prices.
let operator: Awaited<ReturnType<TestUser["caller"]>>;

beforeAll(async () => {
  await seedListPrices(database.db);
  operator = await (await signUpUser(database.db, "Operator")).caller();
});

const session = (provider: "xai" | "anthropic" | "google" | "custom", model: string) => ({
  environment: "development" as const,
  provider,
  model,
});

describe("session creation resolves its key: own key, then OpenRouter key, then platform credits", () => {
  it("refuses platform credits below the minimum with 402 and a message, then takes them once granted", async () => {
    const alice = await signUpUser(database.db, "Alice");
    const caller = await alice.caller();
    const refused = await caught(caller.sessions.create(session("xai", "grok-4-1-fast")));
    expect(refused.code).toBe("PAYMENT_REQUIRED");
    expect(refused.message).toBe(
      "Out of platform credits (balance $0.000000). Ask a platform admin for credits, or add your own provider key.",
    );
    expect(
      await database.db.studioSession.count({ where: { organizationId: alice.personalOrganizationId } }),
    ).toBe(0);

    await operator.platform.changeCredits({
      organizationId: alice.personalOrganizationId,
      kind: "grant",
      amountUsd: "5",
      reason: "trial",
      requestId: "trial-grant",
    });
    const created = await caller.sessions.create(session("xai", "grok-4-1-fast"));
    expect(created).toMatchObject({
      keySource: "platform",
      upstreamProvider: "xai",
      upstreamModel: "grok-4-1-fast",
    });

    // Sending a message checks again.
    await operator.platform.changeCredits({
      organizationId: alice.personalOrganizationId,
      kind: "adjustment",
      amountUsd: "-5",
      reason: "spent",
      requestId: "spent-all",
    });
    const message = await caught(caller.sessions.sendMessage({ sessionId: created.id, text: "hello" }));
    expect(message.code).toBe("PAYMENT_REQUIRED");
  });

  it("uses the organisation's own key, else its OpenRouter key with OpenRouter's model name", async () => {
    const bea = await signUpUser(database.db, "Bea");
    const caller = await bea.caller();
    await caller.keys.set({ provider: "anthropic", apiKey: ANTHROPIC_KEY });
    await caller.keys.set({ provider: "openrouter", apiKey: OPENROUTER_KEY });
    expect(await caller.sessions.create(session("anthropic", "claude-sonnet-4-6"))).toMatchObject({
      keySource: "direct",
      upstreamProvider: "anthropic",
      upstreamModel: "claude-sonnet-4-6",
    });
    expect(await caller.sessions.create(session("google", "gemini-2.5-pro"))).toMatchObject({
      keySource: "openrouter",
      upstreamProvider: "openrouter",
      upstreamModel: "google/gemini-2.5-pro",
    });
    const unknown = await caught(caller.sessions.create(session("anthropic", "claude-imaginary")));
    expect(unknown.code).toBe("BAD_REQUEST");
  });
});

describe("the catalogue", () => {
  it("says per model whether it can be used, through which key, and what to fix", async () => {
    const cy = await signUpUser(database.db, "Cy");
    const caller = await cy.caller();
    const access = async () => {
      const catalog = await caller.sessions.catalog();
      const model = (provider: string, id: string) =>
        catalog.providers.find((p) => p.id === provider)?.models.find((m) => m.id === id)?.access;
      return { catalog, model };
    };
    let { model, catalog } = await access();
    expect(model("xai", "grok-4")).toMatchObject({ available: false, fix: "credits" });
    expect(model("anthropic", "claude-haiku-4-5")).toMatchObject({ available: false, fix: "keys" });
    // The test runtime's platform offers xAI and a custom endpoint (which needs no credits).
    expect(catalog.providers.find((p) => p.id === "custom")?.access).toEqual({
      available: true,
      keySource: "platform",
    });

    await caller.keys.set({ provider: "anthropic", apiKey: ANTHROPIC_KEY });
    await operator.platform.changeCredits({
      organizationId: cy.personalOrganizationId,
      kind: "grant",
      amountUsd: "1",
      reason: "trial",
      requestId: "cy-grant",
    });
    ({ model, catalog } = await access());
    expect(model("anthropic", "claude-haiku-4-5")).toEqual({ available: true, keySource: "direct" });
    expect(model("xai", "grok-4")).toEqual({ available: true, keySource: "platform" });
    expect(model("google", "gemini-2.5-pro")).toMatchObject({ available: false, fix: "keys" });
  });
});

describe("keys", () => {
  it("are listed masked, replaced, removed, and never returned", async () => {
    const dee = await signUpUser(database.db, "Dee");
    const caller = await dee.caller();
    const saved = await caller.keys.set({ provider: "anthropic", apiKey: ANTHROPIC_KEY });
    expect(saved).toMatchObject({ provider: "anthropic", lastFour: "9876", createdBy: { name: "Dee" } });
    await caller.keys.set({ provider: "custom", baseUrl: "http://127.0.0.1:11434/v1/" });
    const listed = await caller.keys.list();
    expect(listed.map((key) => [key.provider, key.lastFour, key.baseUrl])).toEqual([
      ["anthropic", "9876", null],
      ["custom", "", "http://127.0.0.1:11434/v1"],
    ]);
    expect(JSON.stringify(listed, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(
      "PLANTED",
    );
    const row = await database.db.providerKey.findFirstOrThrow({
      where: { provider: "anthropic", organizationId: dee.personalOrganizationId },
    });
    expect(Buffer.from(row.ciphertext).toString("latin1")).not.toContain("PLANTED");
    expect(row.keyVersion).toBe(1);

    await caller.keys.set({ provider: "anthropic", apiKey: "good-anthropic-key-4321" });
    expect((await caller.keys.list())[0]?.lastFour).toBe("4321");
    expect(await caller.keys.test({ provider: "anthropic" })).toEqual({ ok: true, message: "accepted" });
    await caller.keys.remove({ provider: "anthropic" });
    expect((await caller.keys.list()).map((key) => key.provider)).toEqual(["custom"]);
  });

  it("refuse a custom endpoint with a query string, fragment or credentials, and (under deny) a private address", async () => {
    const erin = await signUpUser(database.db, "Erin");
    const caller = await erin.caller();
    for (const [baseUrl, reason] of [
      ["http://127.0.0.1:8080/admin?x=", "cannot have a query string"],
      ["http://models.example.com/v1#top", "cannot have a fragment"],
      ["http://me:secret@models.example.com/v1", "no user name or password"],
    ] as const) {
      const error = await caught(caller.keys.set({ provider: "custom", baseUrl }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toContain(reason);
    }
    // The studio's TENANT_PRIVATE_NETWORK=deny, as the server passes it in.
    const session = await validateSessionToken(database.db, erin.sessionToken);
    const { context } = testContext(database.db, { kind: "session", session: session! });
    const denying = createCaller({ ...context, keys: { ...context.keys, privateNetwork: "deny" } });
    const error = await caught(denying.keys.set({ provider: "custom", baseUrl: "http://10.0.0.5:8000/v1" }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toBe(
      "The endpoint is a private address (10.0.0.5), which this studio does not allow.",
    );
    expect(await caller.keys.list()).toEqual([]);
  });
});

describe("prices", () => {
  it("are seeded for the catalogue, and a platform admin's price for an organisation applies from its date with the history kept", async () => {
    const eve = await signUpUser(database.db, "Eve");
    const caller = await eve.caller();
    const before = await caller.billing.prices();
    const list = before.find(
      (p) => p.provider === "xai" && p.model === "grok-4" && p.organizationId === null,
    );
    expect(list).toMatchObject({ inputPerMTok: 3_000_000n, outputPerMTok: 15_000_000n });
    const grok4 = {
      organizationId: eve.personalOrganizationId,
      provider: "xai" as const,
      model: "grok-4",
    };
    // Eve owns her organisation, but what her platform credits pay is not hers to set.
    const own = await caught(
      caller.platform.setPrice({ ...grok4, inputPerMTok: "0", outputPerMTok: "0", cachedInputPerMTok: "0" }),
    );
    expect(own.code).toBe("FORBIDDEN");
    await operator.platform.setPrice({
      ...grok4,
      inputPerMTok: "2500000",
      outputPerMTok: "12000000",
      cachedInputPerMTok: "500000",
    });
    const history = (await caller.billing.prices()).filter(
      (p) => p.provider === "xai" && p.model === "grok-4",
    );
    expect(history.map((p) => [p.inputPerMTok, p.organizationId === null ? "list" : "org"])).toEqual([
      [2_500_000n, "org"],
      [3_000_000n, "list"],
    ]);
    // Another organisation still pays the list price.
    const operatorPrices = (await operator.billing.prices()).filter(
      (p) => p.provider === "xai" && p.model === "grok-4",
    );
    expect(operatorPrices.map((p) => p.organizationId)).toEqual([null]);
    const past = await caught(
      operator.platform.setPrice({
        ...grok4,
        inputPerMTok: "1",
        outputPerMTok: "1",
        cachedInputPerMTok: "1",
        effectiveFrom: new Date("2020-01-01"),
      }),
    );
    expect(past.code).toBe("BAD_REQUEST");
  });
});

describe("the session's agent", () => {
  it("defaults to OpenCode, and the session, the sessions list and the row say so", async () => {
    const agnes = await signUpUser(database.db, "Agnes");
    const caller = await agnes.caller();
    await caller.keys.set({ provider: "anthropic", apiKey: ANTHROPIC_KEY });
    const unnamed = await caller.sessions.create(session("anthropic", "claude-haiku-4-5"));
    expect(unnamed.agent).toBe("opencode");
    const named = await caller.sessions.create({
      ...session("anthropic", "claude-haiku-4-5"),
      agent: "opencode",
    });
    expect((await caller.sessions.get({ sessionId: named.id })).agent).toBe("opencode");
    expect((await caller.sessions.list({})).sessions.map((row) => [row.id, row.agent])).toEqual([
      [named.id, "opencode"],
      [unnamed.id, "opencode"],
    ]);
    const rows = await database.db.studioSession.findMany({
      where: { organizationId: agnes.personalOrganizationId },
      select: { agentType: true },
    });
    expect(rows).toEqual([{ agentType: "opencode" }, { agentType: "opencode" }]);
    // Another organisation's list shows none of them.
    const boris = await (await signUpUser(database.db, "Boris")).caller();
    expect((await boris.sessions.list({})).sessions).toEqual([]);
  });

  it("offers exactly the runnable agents, each with the providers its model API allows", async () => {
    const caller = await (await signUpUser(database.db, "Cosmo")).caller();
    const catalog = await caller.sessions.catalog();
    expect(catalog.defaultAgent).toBe(DEFAULT_AGENT);
    expect(catalog.agents.map((agent) => agent.id)).toEqual([...AGENTS]);
    const opencode = catalog.agents.find((agent) => agent.id === "opencode");
    expect(opencode?.description).toBe(AGENT_PROFILES.opencode.description);
    expect(opencode?.providers.map((provider) => [provider.id, provider.usable])).toEqual([
      ["xai", true],
      ["anthropic", true],
      ["openai", true],
      ["google", true],
      ["openrouter", true],
      ["custom", true],
    ]);
  });

  it("refuses an agent the studio cannot run yet, and names that are no agent, writing nothing", async () => {
    const dora = await signUpUser(database.db, "Dora");
    const caller = await dora.caller();
    await caller.keys.set({ provider: "anthropic", apiKey: ANTHROPIC_KEY });
    const notRunnable = KNOWN_AGENTS.filter((agent) => !isRunnableAgent(agent));
    for (const agent of [...notRunnable, "OpenCode", "opencode ", "../opencode", "", "__proto__", 7]) {
      const refused = await caught(
        caller.sessions.create({ ...session("anthropic", "claude-haiku-4-5"), agent: agent as never }),
        String(agent),
      );
      expect(refused.code, String(agent)).toBe("BAD_REQUEST");
    }
    expect(
      await database.db.studioSession.count({ where: { organizationId: dora.personalOrganizationId } }),
    ).toBe(0);
  });

  // Claude Code and Codex are not runnable yet, so the API refuses them before this check; the
  // service is called here as createSession calls it, so the check holds the day they are turned on.
  it("refuses a provider, or a route, that cannot serve the agent's model API, saying why", async () => {
    const emil = await signUpUser(database.db, "Emil");
    const caller = await emil.caller();
    await caller.keys.set({ provider: "openrouter", apiKey: OPENROUTER_KEY });
    const route = (agent: string, provider: "anthropic" | "openai" | "google" | "xai", model: string) =>
      routeForNewSession(
        database.db,
        emil.personalOrganizationId,
        { agent: agent as AgentName, provider, model },
        new Set(["xai"]),
      );
    const refusal = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("BAD_REQUEST");
      return (error as AppError).message;
    };
    expect(await refusal(route("claude", "openai", "gpt-4.1"))).toBe(
      "Claude Code speaks only Anthropic Messages; OpenAI's gateway route serves OpenAI Responses and OpenAI Chat Completions.",
    );
    expect(await refusal(route("codex", "anthropic", "claude-sonnet-4-6"))).toBe(
      "Codex speaks only OpenAI Responses; Anthropic's gateway route serves Anthropic Messages.",
    );
    expect(await refusal(route("codex", "google", "gemini-2.5-pro"))).toContain(
      "Codex speaks only OpenAI Responses",
    );
    // Only an OpenRouter key for Anthropic: OpenRouter's route carries no Anthropic Messages.
    expect(await refusal(route("claude", "anthropic", "claude-sonnet-4-6"))).toBe(
      "Claude Code speaks only Anthropic Messages, and this organisation reaches Anthropic through OpenRouter, whose gateway route serves OpenAI Chat Completions and OpenAI Responses. Add your own Anthropic key to use it.",
    );
    // The catalogue blocks no model for OpenCode on that route (Claude Code's would list Anthropic's).
    const catalog = await caller.sessions.catalog();
    expect(catalog.agents.find((agent) => agent.id === "opencode")?.unusableModels).toEqual([]);
    // The same route is fine for OpenCode and for Codex on OpenAI (OpenRouter serves Responses too).
    expect(await route("opencode", "anthropic", "claude-sonnet-4-6")).toMatchObject({
      upstreamProvider: "openrouter",
    });
    expect(await route("codex", "openai", "gpt-4.1")).toMatchObject({ upstreamProvider: "openrouter" });
    // With its own Anthropic key, the organisation's Claude Code calls go to Anthropic directly.
    await caller.keys.set({ provider: "anthropic", apiKey: ANTHROPIC_KEY });
    expect(await route("claude", "anthropic", "claude-sonnet-4-6")).toEqual({
      keySource: "direct",
      upstreamProvider: "anthropic",
      upstreamModel: "claude-sonnet-4-6",
    });
    expect(
      await database.db.studioSession.count({ where: { organizationId: emil.personalOrganizationId } }),
    ).toBe(0);
  });
});
