// Pure generation of what a sandbox needs before sandbox-agent starts: opencode.json, the
// instructions file, and the agent environment. No I/O; the providers write the result.
import { getCatalogProvider, isModelProvider } from "@studio/models";
import type { WorkspaceFile } from "../types.ts";
import { DEFAULT_INSTRUCTIONS, DEFAULT_INSTRUCTIONS_FILE } from "./instructions.ts";
import { buildOpencodeConfig, GATEWAY_TOKEN_ENV, PROVIDER_KEY_ENV } from "./opencode-config.ts";
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

function validate(options: BuildWorkspaceOptions): void {
  if (!isModelProvider(options.provider))
    throw new WorkspaceConfigError(`unknown provider ${options.provider}`);
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
  const file = options.instructionsFile ?? DEFAULT_INSTRUCTIONS_FILE;
  if (file.startsWith("/") || file.split("/").includes("..")) {
    throw new WorkspaceConfigError("instructionsFile must be relative to the workspace");
  }
}

function agentEnv(options: BuildWorkspaceOptions): Record<string, string> {
  const env: Record<string, string> = { ...BASE_AGENT_ENV };
  if (options.gateway) {
    // The only credential in gateway mode: revocable, scoped to one session, useless elsewhere.
    env[GATEWAY_TOKEN_ENV] = options.gateway.token;
    return env;
  }
  const key = options.provider === "custom" ? options.customEndpoint?.apiKey : options.directKey?.apiKey;
  if (key) env[PROVIDER_KEY_ENV[options.provider]] = key;
  return env;
}

export function buildWorkspace(options: BuildWorkspaceOptions): WorkspaceBundle {
  validate(options);
  const instructionsFile = options.instructionsFile ?? DEFAULT_INSTRUCTIONS_FILE;
  const config = buildOpencodeConfig(options, instructionsFile);
  const files: WorkspaceFile[] = [
    { path: "opencode.json", content: `${JSON.stringify(config, null, 2)}\n` },
    { path: instructionsFile, content: options.instructions ?? DEFAULT_INSTRUCTIONS },
  ];
  return { files, env: agentEnv(options) };
}
