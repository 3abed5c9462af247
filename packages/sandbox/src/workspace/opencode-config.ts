// The studio's OpenCode config for one provider and model. Layout follows the seed's table (xAI
// through OpenCode's `openai` provider, native anthropic/openai/google), plus OpenCode's built-in
// `openrouter` and a custom `@ai-sdk/openai-compatible` endpoint. The key is never written here:
// `apiKey` is an `{env:VAR}` reference that OpenCode resolves from the agent's environment.
//
// Where it goes (OpenCode 1.18.33, read from the binary and checked with `opencode debug config`):
// OpenCode merges, in order, its global config, `OPENCODE_CONFIG`, the project's `opencode.json(c)`
// files, the project's `.opencode/` directories (their opencode.json, agents, commands, plugins),
// then `OPENCODE_CONFIG_CONTENT`, then the managed `/etc/opencode`. Objects merge deeply, later
// values win, arrays are replaced except `instructions` and `plugin`, which are concatenated. So the
// whole config is the file `OPENCODE_CONFIG` names (outside the workspace), and the settings a
// repository must not change (model, provider and its gateway base URL, permissions) are given
// again in `OPENCODE_CONFIG_CONTENT`, which comes after the project's. The repository keeps its
// `AGENTS.md`, its `instructions`, agents and commands.
import {
  type CatalogProvider,
  findCatalogModel,
  getCatalogProvider,
  type ModelProvider,
} from "@studio/models";
import { OPENCODE_SHELL_SETTING } from "./opencode-shell.ts";
import type { BuildWorkspaceOptions } from "./types.ts";

/**
 * Path after `<gateway>/<provider>` for each provider: the SDK's usual API prefix, so the gateway
 * forwards the rest of the request path unchanged (see gateway-wire.md). `custom` has none: the
 * endpoint's own base URL (usually ending in /v1) is the gateway's upstream for it.
 */
export const GATEWAY_PATHS: Record<ModelProvider, string> = {
  xai: "/xai/v1",
  anthropic: "/anthropic/v1",
  openai: "/openai/v1",
  google: "/google/v1beta",
  openrouter: "/openrouter/api/v1",
  custom: "/custom",
};

/** Environment variable holding the gateway token in gateway mode. */
export const GATEWAY_TOKEN_ENV = "STUDIO_GATEWAY_TOKEN";

/** Environment mode: the variable each provider's key goes in (the seed's table, plus ours). */
export const PROVIDER_KEY_ENV: Record<ModelProvider, string> = {
  xai: "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
  openai: "OPENAI_API_KEY",
  google: "GOOGLE_GENERATIVE_AI_API_KEY",
  openrouter: "OPENROUTER_API_KEY",
  custom: "STUDIO_CUSTOM_API_KEY",
};

/** Environment mode: base URLs that differ from the OpenCode provider's built-in default. */
const DIRECT_BASE_URLS: Partial<Record<ModelProvider, string>> = {
  xai: "https://api.x.ai/v1",
};

export type OpencodeConfig = Record<string, unknown>;

interface ModelEntry {
  name: string;
  tool_call: true;
  limit: { context: number; output: number };
}

function modelEntry(
  catalog: CatalogProvider,
  id: string,
  custom: BuildWorkspaceOptions["customEndpoint"],
): ModelEntry {
  const known = findCatalogModel(catalog.id, id);
  return {
    name: known?.name ?? id,
    // Without tool_call OpenCode sends no tools; without limit.context it never emits usage_update.
    tool_call: true,
    limit: {
      context: custom?.contextLimit ?? known?.contextLimit ?? catalog.defaultLimits.contextLimit,
      output: custom?.outputLimit ?? known?.outputLimit ?? catalog.defaultLimits.outputLimit,
    },
  };
}

function providerOptions(options: BuildWorkspaceOptions): Record<string, string> {
  const { provider, gateway } = options;
  if (gateway) {
    return {
      baseURL: `${gateway.baseUrl.replace(/\/+$/, "")}${GATEWAY_PATHS[provider]}`,
      apiKey: `{env:${GATEWAY_TOKEN_ENV}}`,
    };
  }
  const baseURL =
    provider === "custom"
      ? options.customEndpoint?.baseUrl
      : (options.directKey?.baseUrl ?? DIRECT_BASE_URLS[provider]);
  const result: Record<string, string> = {};
  if (baseURL) result.baseURL = baseURL;
  if (provider !== "custom" || options.customEndpoint?.apiKey)
    result.apiKey = `{env:${PROVIDER_KEY_ENV[provider]}}`;
  return result;
}

/**
 * OpenCode's built-in agents. A repository can give an agent permissions of its own, which OpenCode
 * applies after the top-level ones: the studio's are repeated for each of these.
 */
export const BUILT_IN_AGENTS = ["build", "plan", "general", "explore"] as const;

/**
 * The settings a repository's own config cannot change: passed as `OPENCODE_CONFIG_CONTENT`, which
 * OpenCode merges after the project's files. `disabled_providers: []` undoes a project's attempt to
 * disable the studio's provider; `default_agent` keeps a project agent from becoming the default.
 */
export const ENFORCED_KEYS = [
  "model",
  "small_model",
  "enabled_providers",
  "disabled_providers",
  "provider",
  "permission",
  "default_agent",
  "agent",
  "share",
  "autoupdate",
  // A repository's own shell would bring back bash tool calls that never end (opencode-shell.ts).
  "shell",
] as const;

export function enforcedOpencodeConfig(config: OpencodeConfig): OpencodeConfig {
  return Object.fromEntries(ENFORCED_KEYS.filter((key) => key in config).map((key) => [key, config[key]]));
}

export function buildOpencodeConfig(
  options: BuildWorkspaceOptions,
  instructionsPath: string,
): OpencodeConfig {
  const catalog = getCatalogProvider(options.provider);
  const providerId = catalog.opencodeProvider;
  const smallModel = catalog.smallModel ?? options.model;
  const modelIds = [...new Set([options.model, smallModel])];
  const custom = options.provider === "custom" ? options.customEndpoint : undefined;

  const provider: Record<string, unknown> = {
    options: providerOptions(options),
    models: Object.fromEntries(
      modelIds.map((id) => [id, modelEntry(catalog, id, id === options.model ? custom : undefined)]),
    ),
    // Only our models in OpenCode's model picker (ACP config options): with `openai` standing in for
    // xAI, OpenCode's built-in OpenAI models would otherwise be offered and sent to xAI.
    whitelist: modelIds,
  };
  if (options.provider === "custom") {
    provider.npm = "@ai-sdk/openai-compatible";
    provider.name = custom?.name ?? "OpenAI-compatible endpoint";
  }
  if (options.provider === "xai") provider.name = "xAI";

  const toolPermission = options.toolPermissions === "allow" ? "allow" : "ask";
  const permission = {
    bash: toolPermission,
    edit: toolPermission,
    // The seed grants both web tools; websearch only exists when OpenCode enables it.
    webfetch: "allow",
    websearch: "allow",
  };
  return {
    $schema: "https://opencode.ai/config.json",
    model: `${providerId}/${options.model}`,
    small_model: `${providerId}/${smallModel}`,
    enabled_providers: [providerId],
    disabled_providers: [],
    provider: { [providerId]: provider },
    // Absolute (outside the workspace); a repository's own instructions are added to this list.
    instructions: [instructionsPath],
    permission,
    default_agent: "build",
    agent: Object.fromEntries(BUILT_IN_AGENTS.map((name) => [name, { permission }])),
    autoupdate: false,
    share: "disabled",
    // Bash tool calls end when their command does, not when what it left running does.
    shell: OPENCODE_SHELL_SETTING,
  };
}
