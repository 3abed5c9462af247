import { describe, expect, it } from "vitest";
import {
  AGENT_PROFILES,
  agentModeName,
  agentProviderFit,
  agentProviders,
  agentRouteProblem,
  isKnownAgent,
  isRunnableAgent,
  runnableAgentProfiles,
} from "./agents.ts";
import { CATALOG } from "./catalog.ts";
import { AGENTS, KNOWN_AGENTS, MODEL_PROVIDERS } from "./lists.ts";
import { PROVIDER_WIRE_FORMATS } from "./wire-formats.ts";

const usableProviders = (agent: (typeof KNOWN_AGENTS)[number]) =>
  agentProviders(agent)
    .filter((fit) => fit.usable)
    .map((fit) => fit.provider);

describe("agent profiles", () => {
  it("describes every known agent, and the runnable ones are known agents", () => {
    expect(Object.keys(AGENT_PROFILES).sort()).toEqual([...KNOWN_AGENTS].sort());
    for (const agent of KNOWN_AGENTS) {
      expect(AGENT_PROFILES[agent].id).toBe(agent);
      expect(AGENT_PROFILES[agent].description.length).toBeGreaterThan(10);
    }
    expect(runnableAgentProfiles().map((profile) => profile.id)).toEqual([...AGENTS]);
    expect(isRunnableAgent("opencode")).toBe(true);
    expect(isKnownAgent("codex")).toBe(true);
    expect(isKnownAgent("aider")).toBe(false);
    expect(isRunnableAgent("OpenCode")).toBe(false);
    expect(isRunnableAgent("__proto__")).toBe(false);
  });

  it("keeps what each agent speaks and supports", () => {
    expect(AGENT_PROFILES.claude.wireFormats).toEqual(["anthropic"]);
    expect(AGENT_PROFILES.codex.wireFormats).toEqual(["responses"]);
    expect(AGENT_PROFILES.opencode.wireFormats).toEqual([
      "chat-completions",
      "responses",
      "anthropic",
      "google",
    ]);
    expect(AGENT_PROFILES.opencode.supports.questions).toBe(true);
    expect(AGENT_PROFILES.claude.supports.questions).toBe(false);
    expect(AGENT_PROFILES.claude.supports.modes.map((mode) => mode.id)).toContain("acceptEdits");
    expect(AGENT_PROFILES.codex.supports.modes.map((mode) => mode.id)).toEqual([
      "read-only",
      "auto",
      "full-access",
    ]);
    // Every policy maps onto a mode the agent has (Codex's onto its approval policies).
    for (const agent of ["opencode", "claude"] as const)
      for (const mode of Object.values(AGENT_PROFILES[agent].toolPolicyModes))
        expect(AGENT_PROFILES[agent].supports.modes.map((m) => m.id)).toContain(mode);
    expect(AGENT_PROFILES.codex.toolPolicyModes).toEqual({ ask: "untrusted", allow: "never" });
    expect(agentModeName("acceptEdits")).toBe("Accept edits");
    expect(agentModeName("no-such-mode")).toBe("no-such-mode");
  });
});

describe("which providers can serve an agent", () => {
  it("lets OpenCode use every provider, with all its models", () => {
    expect(usableProviders("opencode")).toEqual([...MODEL_PROVIDERS]);
    const xai = agentProviderFit("opencode", "xai");
    expect(xai.usable && xai.models).toEqual(CATALOG[0]?.models.map((model) => model.id));
  });

  it("lets Claude Code use only routes that serve Anthropic Messages", () => {
    expect(usableProviders("claude")).toEqual(["xai", "anthropic"]);
    const openai = agentProviderFit("claude", "openai");
    expect(openai).toEqual({
      provider: "openai",
      usable: false,
      reason:
        "Claude Code speaks only Anthropic Messages; OpenAI's gateway route serves OpenAI Responses and OpenAI Chat Completions.",
    });
    const google = agentProviderFit("claude", "google");
    expect(!google.usable && google.reason).toContain("Google's gateway route serves Gemini generateContent");
  });

  it("lets Codex use only routes that serve OpenAI Responses, never chat completions alone", () => {
    expect(usableProviders("codex")).toEqual(["xai", "openai", "openrouter", "custom"]);
    const anthropic = agentProviderFit("codex", "anthropic");
    expect(!anthropic.usable && anthropic.reason).toBe(
      "Codex speaks only OpenAI Responses; Anthropic's gateway route serves Anthropic Messages.",
    );
    // Google's route serves chat completions, which Codex refuses.
    const google = agentProviderFit("codex", "google");
    expect(google.usable).toBe(false);
    const openai = agentProviderFit("codex", "openai");
    expect(openai.usable && openai.wireFormats).toEqual(["responses"]);
    expect(openai.usable && openai.caveat).toBeNull();
    // A custom endpoint is only sure to serve chat completions.
    const custom = agentProviderFit("codex", "custom");
    expect(custom.usable && custom.caveat).toBe("Only if the endpoint serves the OpenAI Responses API.");
    expect(custom.usable && custom.models).toEqual([]);
    const opencodeCustom = agentProviderFit("opencode", "custom");
    expect(opencodeCustom.usable && opencodeCustom.caveat).toBeNull();
  });

  it("follows the gateway's table: a provider is usable exactly when its route shares a format", () => {
    for (const agent of KNOWN_AGENTS)
      for (const provider of MODEL_PROVIDERS) {
        const shares = AGENT_PROFILES[agent].wireFormats.some((format) =>
          PROVIDER_WIRE_FORMATS[provider].includes(format),
        );
        expect(agentProviderFit(agent, provider).usable, `${agent} on ${provider}`).toBe(shares);
      }
  });
});

describe("agentRouteProblem", () => {
  it("accepts a direct route the agent can use and refuses one it cannot", () => {
    expect(agentRouteProblem("claude", "anthropic", "anthropic")).toBeNull();
    expect(agentRouteProblem("opencode", "anthropic", "openrouter")).toBeNull();
    expect(agentRouteProblem("codex", "openai", "openrouter")).toBeNull();
    expect(agentRouteProblem("claude", "openai", "openai")).toContain(
      "Claude Code speaks only Anthropic Messages",
    );
  });

  it("refuses an OpenRouter route that cannot carry the agent's API, naming the fix", () => {
    expect(agentRouteProblem("claude", "anthropic", "openrouter")).toBe(
      "Claude Code speaks only Anthropic Messages, and this organisation reaches Anthropic through OpenRouter, whose gateway route serves OpenAI Chat Completions and OpenAI Responses. Add your own Anthropic key to use it.",
    );
  });
});
