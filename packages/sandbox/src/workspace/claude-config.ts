// What Claude Code (through @zed-industries/claude-agent-acp) needs in a sandbox: environment
// variables and its user settings. It speaks only the Anthropic Messages API, as
// `POST <ANTHROPIC_BASE_URL>/v1/messages?beta=true`, with ANTHROPIC_API_KEY as `x-api-key`. In
// gateway mode the base URL is the studio gateway's route for the session's provider and the key
// is the session's gateway token, the only credential in the sandbox.
//
// Its config directory is `$HOME/.claude` (outside the workspace on every provider): the studio
// writes `settings.json` (the permission mode) and `CLAUDE.md` (the studio's instructions, which
// Claude Code reads as user memory beside the repository's own CLAUDE.md) there.
import { AGENT_PROFILES, getCatalogProvider, type ModelProvider } from "@studio/models";
import type { WorkspaceFile } from "../types.ts";
import type { BuildWorkspaceOptions } from "./types.ts";

/**
 * Path after `<gateway>` for each provider whose route serves the Anthropic Messages API. Claude
 * Code appends `/v1/messages` itself, so the base has no `/v1` (OpenCode's has: its SDK appends
 * only `/messages`). xAI serves the Messages API too.
 */
export const CLAUDE_GATEWAY_PATHS: Partial<Record<ModelProvider, string>> = {
  anthropic: "/anthropic",
  xai: "/xai",
};

/** Environment mode: where each provider's Messages API is, when not Claude Code's default. */
const CLAUDE_DIRECT_BASE_URLS: Partial<Record<ModelProvider, string>> = {
  xai: "https://api.x.ai",
};

/** Claude Code's config directory, relative to the sandbox's HOME (`~/…` in WorkspaceFile paths). */
export const CLAUDE_CONFIG_DIR = "~/.claude";

/** Set for every Claude Code sandbox: no telemetry, update checks, surveys or side traffic. */
export const CLAUDE_BASE_ENV: Readonly<Record<string, string>> = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  DISABLE_AUTOUPDATER: "1",
  DISABLE_TELEMETRY: "1",
  DISABLE_ERROR_REPORTING: "1",
  DISABLE_BUG_COMMAND: "1",
  CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: "1",
  // Flavour-text calls (spinner words and the like) would be metered model calls for nothing.
  DISABLE_NON_ESSENTIAL_MODEL_CALLS: "1",
  CLAUDE_CODE_DISABLE_TERMINAL_TITLE: "1",
  // A confined sandbox runs as root of its own user namespace; claude-agent-acp refuses
  // bypassPermissions (the "allow" policy) for root unless it is told this is a sandbox.
  IS_SANDBOX: "1",
};

export class ClaudeConfigError extends Error {
  override readonly name = "ClaudeConfigError";
}

export function claudeCanUse(provider: ModelProvider): boolean {
  return CLAUDE_GATEWAY_PATHS[provider] !== undefined;
}

/**
 * Claude Code's environment. Every model alias it knows (opus, sonnet, haiku, subagents) is pinned
 * to the session's model or its provider's small model: the gateway lets a session call only
 * those, and Claude Code's own defaults name models the session did not choose.
 */
export function claudeAgentEnv(options: BuildWorkspaceOptions): Record<string, string> {
  const { provider, model, gateway } = options;
  const path = CLAUDE_GATEWAY_PATHS[provider];
  if (!path) throw new ClaudeConfigError(`Claude Code cannot use provider ${provider}`);
  const small = getCatalogProvider(provider).smallModel ?? model;
  const env: Record<string, string> = {
    ...CLAUDE_BASE_ENV,
    ANTHROPIC_MODEL: model,
    ANTHROPIC_DEFAULT_OPUS_MODEL: model,
    ANTHROPIC_DEFAULT_SONNET_MODEL: model,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: small,
    ANTHROPIC_SMALL_FAST_MODEL: small,
    CLAUDE_CODE_SUBAGENT_MODEL: model,
  };
  if (gateway) {
    env.ANTHROPIC_BASE_URL = `${gateway.baseUrl.replace(/\/+$/, "")}${path}`;
    env.ANTHROPIC_API_KEY = gateway.token;
    return env;
  }
  const baseUrl = options.directKey?.baseUrl ?? CLAUDE_DIRECT_BASE_URLS[provider];
  if (baseUrl) env.ANTHROPIC_BASE_URL = baseUrl;
  if (options.directKey?.apiKey) env.ANTHROPIC_API_KEY = options.directKey.apiKey;
  return env;
}

/** The studio's tool policy as Claude Code's permission mode (claude-agent-acp reads defaultMode). */
export function claudePermissionMode(toolPermissions: BuildWorkspaceOptions["toolPermissions"]): string {
  return AGENT_PROFILES.claude.toolPolicyModes[toolPermissions];
}

/** `~/.claude/settings.json` and `~/.claude/CLAUDE.md`. */
export function claudeFiles(options: BuildWorkspaceOptions, instructions: string): WorkspaceFile[] {
  const settings = {
    permissions: { defaultMode: claudePermissionMode(options.toolPermissions) },
    // No co-author trailer in the person's commits: the studio's other agents add none either.
    includeCoAuthoredBy: false,
  };
  return [
    { path: `${CLAUDE_CONFIG_DIR}/settings.json`, content: `${JSON.stringify(settings, null, 2)}\n` },
    { path: `${CLAUDE_CONFIG_DIR}/CLAUDE.md`, content: instructions },
  ];
}
