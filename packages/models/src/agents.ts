// What the studio knows about each coding agent, and which providers and models can serve it. An
// agent can use a provider when the provider's gateway route serves a model API the agent speaks:
// derived here from PROVIDER_WIRE_FORMATS (the gateway's own table), never listed pair by pair.
import { CATALOG, getCatalogProvider } from "./catalog.ts";
import {
  AGENTS,
  type AgentName,
  KNOWN_AGENTS,
  type KnownAgent,
  type ModelProvider,
  type ToolPolicy,
} from "./lists.ts";
import {
  PROVIDER_WIRE_FORMATS,
  WIRE_FORMAT_NAMES,
  WIRE_FORMATS,
  type WireFormat,
  wireFormatList,
} from "./wire-formats.ts";

export interface AgentProfile {
  id: KnownAgent;
  name: string;
  /** One line for the config bar. */
  description: string;
  /** The npm packages that make up the agent in the sandbox (CLI, then ACP adapter if separate). */
  packages: readonly string[];
  /** The model APIs the agent can send its calls in. */
  wireFormats: readonly WireFormat[];
  supports: {
    /** `session/load`: a resumed session continues the agent's own conversation. Without it the
     * studio starts a new agent session from a prompt rebuilt from its event log. */
    resume: boolean;
    /** The studio's question prompts (OpenCode's `question` tool, answered through its HTTP API). */
    questions: boolean;
    /** The agent's own modes (ACP `session/set_mode`), which the organisation's tool policy maps onto. */
    modes: readonly AgentMode[];
  };
  /**
   * What the agent starts with under each of the organisation's tool policies: one of its modes,
   * or for Codex its approval policy (its own sandbox is off: see codex-config.ts).
   */
  toolPolicyModes: Record<ToolPolicy, string>;
}

export interface AgentMode {
  /** The agent's id for it. */
  id: string;
  name: string;
}

export const AGENT_PROFILES: Record<KnownAgent, AgentProfile> = {
  opencode: {
    id: "opencode",
    name: "OpenCode",
    description: "Open-source coding agent; works with every provider the studio offers.",
    packages: ["opencode-ai"],
    wireFormats: WIRE_FORMATS,
    supports: {
      resume: true,
      questions: true,
      modes: [
        { id: "build", name: "Build" },
        { id: "plan", name: "Plan" },
      ],
    },
    // OpenCode's policy is its permission config (opencode.json), not a mode.
    toolPolicyModes: { ask: "build", allow: "build" },
  },
  claude: {
    id: "claude",
    name: "Claude Code",
    description: "Anthropic's coding agent; needs a provider that speaks the Anthropic Messages API.",
    packages: ["@anthropic-ai/claude-code", "@zed-industries/claude-agent-acp"],
    wireFormats: ["anthropic"],
    // loadSession: true in claude-agent-acp's initialize answer (acp-transcripts). Its own
    // AskUserQuestion tool is not offered to ACP clients.
    supports: {
      resume: true,
      questions: false,
      modes: [
        { id: "default", name: "Default" },
        { id: "acceptEdits", name: "Accept edits" },
        { id: "plan", name: "Plan" },
        { id: "dontAsk", name: "Don't ask" },
        { id: "bypassPermissions", name: "Bypass permissions" },
      ],
    },
    // "default" asks before a command or an edit; "allow" skips every check.
    toolPolicyModes: { ask: "default", allow: "bypassPermissions" },
  },
  codex: {
    id: "codex",
    name: "Codex",
    description: "OpenAI's coding agent; needs a provider that speaks the OpenAI Responses API.",
    packages: ["@openai/codex", "@zed-industries/codex-acp"],
    // `wire_api = "responses"` in CODEX_HOME/config.toml; "chat" is refused.
    wireFormats: ["responses"],
    // Resume is not verified for codex-acp yet: the studio rebuilds the conversation until it is.
    // codex-acp 0.16.0 offers session/load (verified in agent-codex.int.test.ts).
    supports: {
      resume: true,
      questions: false,
      modes: [
        { id: "read-only", name: "Read only" },
        { id: "auto", name: "Auto" },
        { id: "full-access", name: "Full access" },
      ],
    },
    // "untrusted" asks before every command and patch but known-safe reads; "never" asks nothing.
    toolPolicyModes: { ask: "untrusted", allow: "never" },
  },
};

export function getAgentProfile(agent: KnownAgent): AgentProfile {
  return AGENT_PROFILES[agent];
}

/** What each mode id any agent reports is called; an id no agent lists is shown as sent. */
export function agentModeName(modeId: string): string {
  for (const agent of KNOWN_AGENTS) {
    const mode = AGENT_PROFILES[agent].supports.modes.find((candidate) => candidate.id === modeId);
    if (mode) return mode.name;
  }
  return modeId;
}

/** The profiles of the agents a new session can run, in the config bar's order. */
export function runnableAgentProfiles(): (AgentProfile & { id: AgentName })[] {
  return AGENTS.map((agent) => ({ ...AGENT_PROFILES[agent], id: agent }));
}

export function isKnownAgent(value: string): value is KnownAgent {
  return (KNOWN_AGENTS as readonly string[]).includes(value);
}

export function isRunnableAgent(value: string): value is AgentName {
  return (AGENTS as readonly string[]).includes(value);
}

/** Whether a provider can serve an agent, through which formats, and if not, why. */
export type AgentProviderFit =
  | {
      provider: ModelProvider;
      usable: true;
      /** Formats both the agent and the provider's route speak. */
      wireFormats: WireFormat[];
      /** Catalogue model ids that can serve the agent; empty for a freeform provider (any id). */
      models: string[];
      /** Something the studio cannot check ahead, e.g. whether a custom endpoint serves that API. */
      caveat: string | null;
    }
  | { provider: ModelProvider; usable: false; reason: string };

/** Whether a provider's gateway route serves a model API the agent speaks, and which models then. */
export function agentProviderFit(agent: KnownAgent, provider: ModelProvider): AgentProviderFit {
  const profile = AGENT_PROFILES[agent];
  const catalogProvider = getCatalogProvider(provider);
  const served = PROVIDER_WIRE_FORMATS[provider];
  const shared = profile.wireFormats.filter((format) => served.includes(format));
  if (shared.length === 0)
    return {
      provider,
      usable: false,
      reason: `${profile.name} speaks only ${wireFormatList(profile.wireFormats)}; ${catalogProvider.name}'s gateway route serves ${wireFormatList(served)}.`,
    };
  // An OpenAI-compatible server is only sure to serve chat completions; anything else it may lack.
  const unsure = catalogProvider.freeformModels && !shared.includes("chat-completions");
  return {
    provider,
    usable: true,
    wireFormats: shared,
    models: catalogProvider.models.map((model) => model.id),
    caveat: unsure
      ? `Only if the endpoint serves the ${WIRE_FORMAT_NAMES[shared[0] as WireFormat]} API.`
      : null,
  };
}

/** For an agent, every catalogue provider in display order with whether it can serve the agent. */
export function agentProviders(agent: KnownAgent): AgentProviderFit[] {
  return CATALOG.map((provider) => agentProviderFit(agent, provider.id));
}

/**
 * Why a session's calls cannot reach its model on this route, or null when they can. A session on
 * an organisation's OpenRouter key sends its calls through OpenRouter's route, whatever provider
 * the person picked, so the route's upstream must serve the agent too.
 */
export function agentRouteProblem(
  agent: KnownAgent,
  provider: ModelProvider,
  upstreamProvider: ModelProvider,
): string | null {
  const direct = agentProviderFit(agent, provider);
  if (!direct.usable) return direct.reason;
  if (upstreamProvider === provider) return null;
  const upstream = agentProviderFit(agent, upstreamProvider);
  if (upstream.usable) return null;
  const profile = AGENT_PROFILES[agent];
  return `${profile.name} speaks only ${wireFormatList(profile.wireFormats)}, and this organisation reaches ${getCatalogProvider(provider).name} through ${getCatalogProvider(upstreamProvider).name}, whose gateway route serves ${wireFormatList(PROVIDER_WIRE_FORMATS[upstreamProvider])}. Add your own ${getCatalogProvider(provider).name} key to use it.`;
}
