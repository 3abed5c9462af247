import { AGENT_PROFILES } from "@studio/models/agents";
import { describe, expect, it } from "vitest";
import {
  type AgentId,
  agentName,
  agentShortcoming,
  agentShortcomings,
  type Catalog,
  type CatalogAgent,
  type CatalogProvider,
  choiceAccess,
  choiceProblem,
  endpointModelsState,
  firstUsablePair,
  initialChoice,
  type ModelAccess,
  modelOptionLabel,
  modelsByTier,
  offeredProviders,
  providerOptions,
  withAgent,
  withProvider,
} from "./model-choice.ts";

const noXaiKey: ModelAccess = { available: false, reason: "No xAI key is configured.", fix: "keys" };
const ownKey: ModelAccess = { available: true, keySource: "direct" };
const noCredits: ModelAccess = { available: false, reason: "Platform credits are used up.", fix: "credits" };

const model = (id: string, tier: "fast" | "standard" | "premium", access: ModelAccess = ownKey) => ({
  id,
  name: id.toUpperCase(),
  tier,
  contextLimit: 1000,
  access,
});

const everyProvider = ["xai", "anthropic", "openai", "google", "openrouter", "custom"] as const;
const opencode: CatalogAgent = {
  id: "opencode",
  name: "OpenCode",
  description: "Works with every provider.",
  wireFormats: [
    "OpenAI Chat Completions",
    "OpenAI Responses",
    "Anthropic Messages",
    "Gemini generateContent",
  ],
  supports: {
    ...AGENT_PROFILES.opencode.supports,
    modes: AGENT_PROFILES.opencode.supports.modes.map((mode) => ({ ...mode })),
  },
  providers: everyProvider.map((id) => ({ id, usable: true, reason: null, caveat: null })),
  unusableModels: [],
};

const catalog: Catalog = {
  defaultAgent: "opencode",
  agents: [opencode],
  defaultProvider: "xai",
  defaultModel: "grok-4-1-fast",
  providers: [
    {
      id: "xai",
      name: "xAI",
      freeformModels: false,
      available: false,
      access: null,
      endpointModels: null,
      unavailableReason: "No xAI key is configured.",
      models: [
        model("grok-code-fast-1", "fast", noXaiKey),
        model("grok-4-1-fast", "fast", noXaiKey),
        model("grok-4", "standard", noXaiKey),
      ],
    },
    {
      id: "anthropic",
      name: "Anthropic",
      freeformModels: false,
      available: true,
      access: null,
      endpointModels: null,
      unavailableReason: null,
      models: [
        model("claude-haiku-4-5", "fast", { available: true, keySource: "openrouter" }),
        model("claude-opus-4-6", "premium", noCredits),
      ],
    },
    {
      id: "custom",
      name: "Endpoint",
      freeformModels: true,
      available: false,
      access: { available: false, reason: "None.", fix: "keys" },
      endpointModels: null,
      unavailableReason: "None.",
      models: [],
    },
  ],
};

describe("the model picker's rules", () => {
  it("starts on the catalogue's default provider and model", () => {
    expect(initialChoice(catalog)).toEqual({
      agent: "opencode",
      provider: "xai",
      model: "grok-4-1-fast",
      environment: "development",
    });
  });

  it("resets the model to the new provider's first model, and keeps it when the provider stays", () => {
    const start = initialChoice(catalog);
    const anthropic = withProvider(catalog, { ...start, environment: "production" }, "anthropic");
    expect(anthropic).toEqual({
      agent: "opencode",
      provider: "anthropic",
      model: "claude-haiku-4-5",
      environment: "production",
    });
    expect(withProvider(catalog, { ...anthropic, model: "claude-opus-4-6" }, "anthropic").model).toBe(
      "claude-opus-4-6",
    );
    // Back to the default provider: its default model, not merely its first.
    expect(withProvider(catalog, anthropic, "xai").model).toBe("grok-4-1-fast");
    expect(withProvider(catalog, anthropic, "custom").model).toBe("");
  });

  it("groups models by tier in tier order and offers the custom endpoint only when it is set", () => {
    expect(modelsByTier(catalog.providers[0]!).map((group) => [group.label, group.models.length])).toEqual([
      ["Fast", 2],
      ["Standard", 1],
    ]);
    expect(offeredProviders(catalog).map((provider) => provider.id)).toEqual(["xai", "anthropic"]);
  });

  it("says why a choice cannot start", () => {
    expect(choiceProblem(catalog, initialChoice(catalog))).toBe("No xAI key is configured.");
    expect(choiceProblem(catalog, withProvider(catalog, initialChoice(catalog), "anthropic"))).toBeNull();
  });

  it("judges each model on its own: an available provider can still have a model that cannot run", () => {
    const anthropic = withProvider(catalog, initialChoice(catalog), "anthropic");
    expect(choiceAccess(catalog, anthropic)).toEqual({ available: true, keySource: "openrouter" });
    const opus = { ...anthropic, model: "claude-opus-4-6" };
    expect(choiceAccess(catalog, opus)).toEqual(noCredits);
    expect(choiceProblem(catalog, opus)).toBe("Platform credits are used up.");
    expect(choiceProblem(catalog, { ...anthropic, model: "claude-nope" })).toBe("Pick a model.");
  });

  it("takes a freeform endpoint's access from the provider, and wants a model id", () => {
    const endpoint = withProvider(catalog, initialChoice(catalog), "custom");
    expect(choiceAccess(catalog, endpoint)).toEqual(catalog.providers[2]!.access);
    expect(choiceProblem(catalog, endpoint)).toBe("None.");
    const ready: Catalog = {
      ...catalog,
      providers: catalog.providers.map((provider) =>
        provider.id === "custom"
          ? {
              ...provider,
              available: true,
              unavailableReason: null,
              access: { available: true, keySource: "direct" },
            }
          : provider,
      ),
    };
    expect(choiceProblem(ready, endpoint)).toBe("Enter the model to use.");
    expect(choiceProblem(ready, { ...endpoint, model: "llama3.1" })).toBeNull();
  });

  it("offers what the endpoint lists, starts on its first model, and says why when it lists nothing", () => {
    const withListing = (endpointModels: CatalogProvider["endpointModels"]): Catalog => ({
      ...catalog,
      providers: catalog.providers.map((provider) =>
        provider.id === "custom"
          ? { ...provider, available: true, access: { available: true, keySource: "direct" }, endpointModels }
          : provider,
      ),
    });
    const custom = (of: Catalog) => of.providers.find((provider) => provider.id === "custom")!;
    const listed = withListing({ ok: true, models: ["llama3.1:8b", "qwen2.5-coder"] });
    expect(endpointModelsState(custom(listed))).toEqual({
      kind: "listed",
      models: ["llama3.1:8b", "qwen2.5-coder"],
    });
    expect(withProvider(listed, initialChoice(listed), "custom").model).toBe("llama3.1:8b");
    expect(initialChoice({ ...listed, defaultProvider: "custom" }).model).toBe("llama3.1:8b");

    const empty = withListing({ ok: true, models: [] });
    expect(endpointModelsState(custom(empty))).toEqual({ kind: "empty" });
    expect(withProvider(empty, initialChoice(empty), "custom").model).toBe("");

    const failed = withListing({ ok: false, reason: "The endpoint could not be reached." });
    expect(endpointModelsState(custom(failed))).toEqual({
      kind: "failed",
      reason: "The endpoint could not be reached.",
    });
    // Typing still works: any model id starts a session.
    const typed = { ...withProvider(failed, initialChoice(failed), "custom"), model: "my-model" };
    expect(choiceProblem(failed, typed)).toBeNull();
  });

  it("marks models that cannot run in the picker's option text, unless the whole provider cannot", () => {
    const [xai, anthropic] = catalog.providers;
    expect(modelOptionLabel(anthropic!, model("claude-opus-4-6", "premium", noCredits))).toBe(
      "CLAUDE-OPUS-4-6 (unavailable)",
    );
    expect(modelOptionLabel(anthropic!, model("claude-haiku-4-5", "fast"))).toBe("CLAUDE-HAIKU-4-5");
    expect(modelOptionLabel(xai!, model("grok-4", "standard", noXaiKey))).toBe("GROK-4");
  });
});

// The fits mirror what @studio/models derives for each agent.
const claudeId: AgentId = "claude";
const codexId: AgentId = "codex";
const fits = (usable: readonly string[], reason: string) =>
  everyProvider.map((id) =>
    usable.includes(id)
      ? { id, usable: true, reason: null, caveat: null }
      : { id, usable: false, reason: `${reason} (${id})`, caveat: null },
  );
const claude: CatalogAgent = {
  ...opencode,
  id: claudeId,
  name: "Claude Code",
  wireFormats: ["Anthropic Messages"],
  providers: fits(["xai", "anthropic"], "Claude Code speaks only Anthropic Messages"),
};
const codex: CatalogAgent = {
  ...opencode,
  id: codexId,
  name: "Codex",
  wireFormats: ["OpenAI Responses"],
  providers: fits(["xai", "openai", "openrouter", "custom"], "Codex speaks only OpenAI Responses"),
};
const threeAgents: Catalog = { ...catalog, agents: [opencode, claude, codex] };

describe("the agent picker's rules", () => {
  it("skips a model whose route cannot carry the agent's API, and says why when it is forced", () => {
    // The organisation reaches Claude Haiku through OpenRouter: fine for OpenCode, not for Claude Code.
    const reason =
      "Claude Code speaks only Anthropic Messages, and this organisation reaches Anthropic through OpenRouter.";
    const routed: Catalog = {
      ...threeAgents,
      agents: [
        opencode,
        { ...claude, unusableModels: [{ provider: "anthropic", model: "claude-haiku-4-5", reason }] },
        codex,
      ],
      providers: threeAgents.providers.map((provider) =>
        provider.id === "anthropic"
          ? { ...provider, models: [...provider.models, model("claude-sonnet-4-6", "standard")] }
          : provider,
      ),
    };
    expect(firstUsablePair(routed, claudeId)).toEqual({ provider: "anthropic", model: "claude-sonnet-4-6" });
    const forced = { ...withAgent(routed, initialChoice(routed), claudeId), model: "claude-haiku-4-5" };
    expect(choiceProblem(routed, forced)).toBe(reason);
    expect(choiceProblem(routed, { ...forced, agent: "opencode" })).toBeNull();
  });

  it("starts on the default agent, and a single runnable agent still makes a complete choice", () => {
    expect(initialChoice(catalog).agent).toBe("opencode");
    expect(choiceProblem(catalog, withProvider(catalog, initialChoice(catalog), "anthropic"))).toBeNull();
    expect(agentName(threeAgents, claudeId)).toBe("Claude Code");
    // A session's agent that is no longer offered still gets a badge.
    expect(agentName(catalog, "codex")).toBe("codex");
    expect(agentName(undefined, "opencode")).toBe("opencode");
  });

  it("offers every provider to OpenCode and says why the others cannot serve Claude Code", () => {
    expect(providerOptions(threeAgents, "opencode").every((option) => option.agentProblem === null)).toBe(
      true,
    );
    expect(
      providerOptions(threeAgents, claudeId).map((option) => [option.provider.id, option.agentProblem]),
    ).toEqual([
      ["xai", null],
      ["anthropic", null],
    ]);
    // With an endpoint set up, it is offered, and marked for Claude Code.
    const withEndpoint: Catalog = {
      ...threeAgents,
      providers: threeAgents.providers.map((provider) =>
        provider.id === "custom" ? { ...provider, available: true } : provider,
      ),
    };
    expect(providerOptions(withEndpoint, claudeId).at(-1)).toMatchObject({
      provider: { id: "custom" },
      agentProblem: "Claude Code speaks only Anthropic Messages (custom)",
    });
  });

  it("resets provider and model to the first usable pair the organisation can run", () => {
    const start = { ...initialChoice(threeAgents), environment: "production" as const };
    // xAI can serve Claude Code but the organisation has no xAI key: Anthropic's first model.
    expect(withAgent(threeAgents, start, claudeId)).toEqual({
      agent: claudeId,
      provider: "anthropic",
      model: "claude-haiku-4-5",
      environment: "production",
    });
    // Nothing Codex can use is available here: the first provider it can use, whose problem shows.
    const onCodex = withAgent(threeAgents, start, codexId);
    expect(onCodex).toMatchObject({ agent: codexId, provider: "xai", model: "grok-4-1-fast" });
    expect(choiceProblem(threeAgents, onCodex)).toBe("No xAI key is configured.");
    // Back to OpenCode: the default provider has no key here, so the first pair that can run.
    expect(withAgent(threeAgents, onCodex, "opencode")).toMatchObject({
      provider: "anthropic",
      model: "claude-haiku-4-5",
    });
    // The same agent again, or one not offered, changes nothing.
    const onClaude = withAgent(threeAgents, start, claudeId);
    expect(withAgent(threeAgents, { ...onClaude, model: "claude-opus-4-6" }, claudeId).model).toBe(
      "claude-opus-4-6",
    );
    expect(withAgent(catalog, start, claudeId)).toBe(start);
  });

  it("prefers a model the organisation can run over the provider's first", () => {
    const firstBlocked: Catalog = {
      ...threeAgents,
      providers: threeAgents.providers.map((provider) =>
        provider.id === "anthropic"
          ? { ...provider, models: [...provider.models].reverse() } // opus (no credits) first
          : provider,
      ),
    };
    expect(firstUsablePair(firstBlocked, claudeId)).toEqual({
      provider: "anthropic",
      model: "claude-haiku-4-5",
    });
  });

  it("refuses a provider the agent cannot use, and says why a forced one cannot start", () => {
    const onClaude = withAgent(threeAgents, initialChoice(threeAgents), claudeId);
    expect(withProvider(threeAgents, onClaude, "custom")).toBe(onClaude);
    const forced = { ...onClaude, provider: "custom" as const, model: "llama3.1" };
    expect(choiceProblem(threeAgents, forced)).toBe("Claude Code speaks only Anthropic Messages (custom)");
    expect(choiceProblem(catalog, { ...initialChoice(catalog), agent: codexId })).toBe("Pick an agent.");
  });

  it("says what the studio offers that an agent cannot do", () => {
    expect(agentShortcomings(opencode)).toEqual([]);
    expect(agentShortcomings({ ...codex, supports: { resume: false, questions: false, modes: [] } })).toEqual(
      [
        "Codex cannot ask you questions during a turn.",
        "When a session is resumed, Codex's memory is rebuilt from the chat, not continued.",
      ],
    );
    expect(agentShortcomings({ ...claude, supports: { resume: true, questions: false, modes: [] } })).toEqual(
      ["Claude Code cannot ask you questions during a turn."],
    );
  });

  it("says, feature by feature, what the session's agent lacks (the session's notes)", () => {
    const claudeLike = { ...claude, supports: { resume: true, questions: false, modes: [] } };
    expect(agentShortcoming(claudeLike, "questions")).toBe(
      "Claude Code cannot ask you questions during a turn.",
    );
    expect(agentShortcoming(claudeLike, "resume")).toBeNull();
    expect(agentShortcoming(opencode, "questions")).toBeNull();
    expect(agentShortcoming(opencode, "resume")).toBeNull();
  });

  it("starts a default agent that cannot use the default provider on its first usable pair", () => {
    const codexFirst: Catalog = { ...threeAgents, defaultAgent: codexId, defaultProvider: "anthropic" };
    expect(initialChoice(codexFirst)).toMatchObject({ agent: codexId, provider: "xai" });
  });
});
