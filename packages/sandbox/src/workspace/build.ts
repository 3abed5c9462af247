// Pure generation of what a sandbox needs before sandbox-agent starts: the studio's OpenCode config,
// instructions and shell (in the sandbox's agent directory, never in the workspace: agent-dir.ts)
// and the agent environment. No I/O; the providers place the agent directory and write the result.
import { getCatalogProvider, isModelProvider } from "@studio/models";
import type { WorkspaceFile } from "../types.ts";
import {
  AGENT_CONFIG_FILE,
  AGENT_DIR,
  AGENT_DIR_ENV,
  AGENT_INSTRUCTIONS_FILE,
  agentDirPath,
} from "./agent-dir.ts";
import { CLAUDE_GATEWAY_PATHS, claudeAgentEnv, claudeFiles } from "./claude-config.ts";
import { CODEX_GATEWAY_PATHS, codexAgentEnv, codexFiles } from "./codex-config.ts";
import { DEFAULT_INSTRUCTIONS, defaultInstructions } from "./instructions.ts";
import {
  buildOpencodeConfig,
  enforcedOpencodeConfig,
  GATEWAY_TOKEN_ENV,
  type OpencodeConfig,
  PROVIDER_KEY_ENV,
} from "./opencode-config.ts";
import { opencodeShellFile } from "./opencode-shell.ts";
import type { BuildWorkspaceOptions, WorkspaceBundle } from "./types.ts";

/**
 * sandbox-agent 0.4.2 never answers a POST that outlives this timeout (default 120 s), although
 * the response still arrives on SSE. A long agent turn is one long `session/prompt`, so make it
 * effectively unlimited (24 h); the ACP client treats the SSE copy as authoritative.
 */
export const ACP_REQUEST_TIMEOUT_MS = 86_400_000;

/** Set in every sandbox, whatever the provider. */
export const BASE_AGENT_ENV: Readonly<Record<string, string>> = {
  OPENCODE_EXPERIMENTAL_OUTPUT_TOKEN_MAX: "32768",
  // The models.dev fetch fails without internet and is only noise with our explicit model entries.
  OPENCODE_DISABLE_MODELS_FETCH: "1",
  // `opencode acp` registers the question tool only with this set (no opencode.json setting exists).
  OPENCODE_ENABLE_QUESTION_TOOL: "1",
  SANDBOX_AGENT_ACP_REQUEST_TIMEOUT_MS: String(ACP_REQUEST_TIMEOUT_MS),
};

export class WorkspaceConfigError extends Error {
  override readonly name = "WorkspaceConfigError";
}

/** Providers whose gateway route serves the API each agent speaks (OpenCode speaks them all). */
const AGENT_PROVIDER_PATHS: Record<"claude" | "codex", Partial<Record<string, string>>> = {
  claude: CLAUDE_GATEWAY_PATHS,
  codex: CODEX_GATEWAY_PATHS,
};

function validate(options: BuildWorkspaceOptions): void {
  if (!isModelProvider(options.provider))
    throw new WorkspaceConfigError(`unknown provider ${options.provider}`);
  const agent = options.agent ?? "opencode";
  if (agent !== "opencode") {
    const paths = AGENT_PROVIDER_PATHS[agent];
    if (!paths) throw new WorkspaceConfigError(`unknown agent ${agent}`);
    if (paths[options.provider] === undefined)
      throw new WorkspaceConfigError(`agent ${agent} cannot use provider ${options.provider}`);
  }
  if (!options.model.trim()) throw new WorkspaceConfigError("model is required");
  const catalog = getCatalogProvider(options.provider);
  if (!catalog.freeformModels && /\s/.test(options.model)) {
    throw new WorkspaceConfigError(`invalid model id ${JSON.stringify(options.model)}`);
  }
  if (options.provider === "custom" && !options.gateway && !options.customEndpoint?.baseUrl) {
    throw new WorkspaceConfigError("provider custom needs customEndpoint.baseUrl in environment mode");
  }
  if (options.gateway) {
    if (!/^https?:\/\//.test(options.gateway.baseUrl)) {
      throw new WorkspaceConfigError("gateway.baseUrl must be an http(s) URL");
    }
    if (!options.gateway.token) throw new WorkspaceConfigError("gateway.token is required");
  } else if (options.provider !== "custom" && !options.directKey?.apiKey) {
    throw new WorkspaceConfigError(
      `environment mode needs directKey.apiKey for provider ${options.provider}`,
    );
  }
}

function agentEnv(options: BuildWorkspaceOptions, config: OpencodeConfig): Record<string, string> {
  const env: Record<string, string> = {
    ...BASE_AGENT_ENV,
    [AGENT_DIR_ENV]: AGENT_DIR,
    OPENCODE_CONFIG: agentDirPath(AGENT_CONFIG_FILE),
    // Merged after the repository's own config: what it must not change (opencode-config.ts).
    OPENCODE_CONFIG_CONTENT: JSON.stringify(enforcedOpencodeConfig(config)),
  };
  if (options.gateway) {
    // The only credential in gateway mode: revocable, scoped to one session, useless elsewhere.
    env[GATEWAY_TOKEN_ENV] = options.gateway.token;
    return env;
  }
  const key = options.provider === "custom" ? options.customEndpoint?.apiKey : options.directKey?.apiKey;
  if (key) env[PROVIDER_KEY_ENV[options.provider]] = key;
  return env;
}

/** Claude Code and Codex: their own config under HOME, the same token, the same agent directory. */
function otherAgentBundle(options: BuildWorkspaceOptions, agent: "claude" | "codex"): WorkspaceBundle {
  const instructions = options.instructions ?? defaultInstructions(agent);
  const env: Record<string, string> = {
    SANDBOX_AGENT_ACP_REQUEST_TIMEOUT_MS: String(ACP_REQUEST_TIMEOUT_MS),
    [AGENT_DIR_ENV]: AGENT_DIR,
    ...(agent === "claude" ? claudeAgentEnv(options) : codexAgentEnv(options)),
  };
  // The workspace's git remote reads the token from here (workspace-git), whatever the agent.
  if (options.gateway) env[GATEWAY_TOKEN_ENV] = options.gateway.token;
  const files = agent === "claude" ? claudeFiles(options, instructions) : codexFiles(options, instructions);
  return {
    files: [...files, { path: agentDirPath(AGENT_INSTRUCTIONS_FILE), content: instructions }],
    env,
  };
}

export function buildWorkspace(options: BuildWorkspaceOptions): WorkspaceBundle {
  validate(options);
  if (options.agent === "claude" || options.agent === "codex")
    return otherAgentBundle(options, options.agent);
  // `{env:…}`: OpenCode substitutes it when it loads the config, wherever the provider placed it.
  const config = buildOpencodeConfig(options, `{env:${AGENT_DIR_ENV}}/${AGENT_INSTRUCTIONS_FILE}`);
  const files: WorkspaceFile[] = [
    { path: agentDirPath(AGENT_CONFIG_FILE), content: `${JSON.stringify(config, null, 2)}\n` },
    { path: agentDirPath(AGENT_INSTRUCTIONS_FILE), content: options.instructions ?? DEFAULT_INSTRUCTIONS },
    opencodeShellFile(),
  ];
  return { files, env: agentEnv(options, config) };
}
