import { CATALOG, type ModelProvider } from "@studio/models";
import { describe, expect, it } from "vitest";
import { AGENT_DIR, placeAgentDir } from "./agent-dir.ts";
import { BASE_AGENT_ENV, buildWorkspace, WorkspaceConfigError } from "./build.ts";
import { buildOpencodeLauncher, launcherPathForHome, OPENCODE_LAUNCHER_PATH } from "./launcher.ts";
import { BUILT_IN_AGENTS, ENFORCED_KEYS } from "./opencode-config.ts";
import type { BuildWorkspaceOptions } from "./types.ts";

const GATEWAY = { baseUrl: "http://studio.internal:3000/api/llm/", token: "gw-token-123" };
const PLANTED = "sk-PLANTED-secret-provider-key-987654321";

function config(options: BuildWorkspaceOptions): Record<string, any> {
  const bundle = buildWorkspace(options);
  const file = bundle.files.find((f) => f.path === "@studio-agent/opencode.json");
  return JSON.parse(file!.content);
}

/** What the environment gives OpenCode: the settings merged after the repository's own config. */
function enforced(options: BuildWorkspaceOptions): Record<string, any> {
  return JSON.parse(buildWorkspace(options).env.OPENCODE_CONFIG_CONTENT!);
}

const STUDIO_ENV = {
  STUDIO_AGENT_DIR: "@studio-agent",
  OPENCODE_CONFIG: "@studio-agent/opencode.json",
};

const cases: Array<{ provider: ModelProvider; model: string; id: string; small: string; path: string }> = [
  { provider: "xai", model: "grok-4-1-fast", id: "openai", small: "grok-4-1-fast", path: "/xai/v1" },
  {
    provider: "anthropic",
    model: "claude-sonnet-4-6",
    id: "anthropic",
    small: "claude-haiku-4-5",
    path: "/anthropic/v1",
  },
  { provider: "openai", model: "gpt-4.1", id: "openai", small: "gpt-4.1-mini", path: "/openai/v1" },
  {
    provider: "google",
    model: "gemini-2.5-pro",
    id: "google",
    small: "gemini-2.5-flash",
    path: "/google/v1beta",
  },
  {
    provider: "openrouter",
    model: "anthropic/claude-sonnet-4",
    id: "openrouter",
    small: "google/gemini-2.5-flash",
    path: "/openrouter/api/v1",
  },
  { provider: "custom", model: "llama3.1:8b", id: "custom", small: "llama3.1:8b", path: "/custom" },
];

describe("buildWorkspace in gateway mode", () => {
  it.each(cases)("configures $provider through the gateway", ({ provider, model, id, small, path }) => {
    const result = config({ provider, model, gateway: GATEWAY, toolPermissions: "ask" });
    const entry = result.provider[id];
    expect(Object.keys(result.provider)).toEqual([id]);
    expect(result.model).toBe(`${id}/${model}`);
    expect(result.small_model).toBe(`${id}/${small}`);
    expect(result.enabled_providers).toEqual([id]);
    expect(entry.options).toEqual({
      baseURL: `http://studio.internal:3000/api/llm${path}`,
      apiKey: "{env:STUDIO_GATEWAY_TOKEN}",
    });
    expect(entry.whitelist).toEqual([...new Set([model, small])]);
    for (const m of entry.whitelist) {
      expect(entry.models[m]).toMatchObject({
        tool_call: true,
        limit: { context: expect.any(Number), output: expect.any(Number) },
      });
      expect(entry.models[m].limit.context).toBeGreaterThan(0);
    }
    expect(result.permission).toEqual({ bash: "ask", edit: "ask", webfetch: "allow", websearch: "allow" });
    expect(result.autoupdate).toBe(false);
    expect(result.share).toBe("disabled");
    expect(result.instructions).toEqual(["{env:STUDIO_AGENT_DIR}/instructions.md"]);
  });

  it("marks the custom endpoint as an OpenAI-compatible package with its limits", () => {
    const result = config({
      provider: "custom",
      model: "qwen2.5-coder",
      gateway: GATEWAY,
      customEndpoint: {
        baseUrl: "http://ollama:11434/v1",
        name: "Ollama",
        contextLimit: 65_536,
        outputLimit: 4_096,
      },
      toolPermissions: "ask",
    });
    expect(result.provider.custom.npm).toBe("@ai-sdk/openai-compatible");
    expect(result.provider.custom.name).toBe("Ollama");
    expect(result.provider.custom.models["qwen2.5-coder"].limit).toEqual({ context: 65_536, output: 4_096 });
    // The gateway knows the endpoint; the sandbox only knows the gateway.
    expect(JSON.stringify(result)).not.toContain("ollama:11434");
  });

  it("sets the agent environment: fixed variables plus the gateway token only", () => {
    const { env } = buildWorkspace({
      provider: "xai",
      model: "grok-4",
      gateway: GATEWAY,
      toolPermissions: "ask",
    });
    expect(env).toEqual({
      ...BASE_AGENT_ENV,
      ...STUDIO_ENV,
      OPENCODE_CONFIG_CONTENT: expect.any(String),
      STUDIO_GATEWAY_TOKEN: "gw-token-123",
    });
    expect(env).toMatchObject({
      OPENCODE_EXPERIMENTAL_OUTPUT_TOKEN_MAX: "32768",
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      OPENCODE_ENABLE_QUESTION_TOOL: "1",
      SANDBOX_AGENT_ACP_REQUEST_TIMEOUT_MS: "86400000",
    });
  });

  it.each(cases)("never puts a provider key into files or env ($provider)", ({ provider, model }) => {
    const bundle = buildWorkspace({
      provider,
      model,
      gateway: GATEWAY,
      directKey: { apiKey: PLANTED, baseUrl: "https://direct.example.test/v1" },
      customEndpoint: { baseUrl: "http://ollama:11434/v1", apiKey: PLANTED },
      toolPermissions: "allow",
      instructions: "Be nice.",
    });
    const everything = JSON.stringify(bundle);
    expect(everything).not.toContain(PLANTED);
    expect(everything).not.toContain("PLANTED");
    expect(everything).not.toContain("direct.example.test");
  });

  it("lets bash and edit run unasked when toolPermissions is allow", () => {
    const result = config({ provider: "openai", model: "o3", gateway: GATEWAY, toolPermissions: "allow" });
    expect(result.permission).toMatchObject({ bash: "allow", edit: "allow" });
  });

  it("writes nothing into the workspace: config, instructions and shell go in the agent directory", () => {
    const bundle = buildWorkspace({
      provider: "google",
      model: "gemini-2.5-flash",
      gateway: GATEWAY,
      toolPermissions: "ask",
      instructions: "# Rules\n",
    });
    expect(bundle.files.map((f) => f.path)).toEqual([
      "@studio-agent/opencode.json",
      "@studio-agent/instructions.md",
      "@studio-agent/shell/bash",
    ]);
    // The bash tool's shell (opencode-shell.ts): executable, and the config's shell, wherever placed.
    expect(bundle.files[2]!.mode).toBe(0o755);
    expect(JSON.parse(bundle.files[0]!.content).shell).toBe("{env:STUDIO_AGENT_DIR}/shell/bash");
    expect(bundle.files.every((f) => f.path.startsWith(`${AGENT_DIR}/`))).toBe(true);
    expect(bundle.files[1]!.content).toBe("# Rules\n");
    expect(bundle.env).toMatchObject(STUDIO_ENV);
    const fallback = buildWorkspace({
      provider: "google",
      model: "gemini-2.5-flash",
      gateway: GATEWAY,
      toolPermissions: "ask",
    });
    expect(fallback.files[1]!.content).toContain("Studio");
  });

  it("uses provider defaults for a model the catalogue does not list", () => {
    const result = config({
      provider: "anthropic",
      model: "claude-future-9",
      gateway: GATEWAY,
      toolPermissions: "ask",
    });
    expect(result.provider.anthropic.models["claude-future-9"]).toEqual({
      name: "claude-future-9",
      tool_call: true,
      limit: { context: 200_000, output: 32_768 },
    });
  });
});

describe("buildWorkspace in environment mode", () => {
  const key = { apiKey: "key-value" };
  it.each([
    { provider: "xai", env: "OPENAI_API_KEY", baseURL: "https://api.x.ai/v1", id: "openai" },
    { provider: "anthropic", env: "ANTHROPIC_API_KEY", baseURL: undefined, id: "anthropic" },
    { provider: "openai", env: "OPENAI_API_KEY", baseURL: undefined, id: "openai" },
    { provider: "google", env: "GOOGLE_GENERATIVE_AI_API_KEY", baseURL: undefined, id: "google" },
    { provider: "openrouter", env: "OPENROUTER_API_KEY", baseURL: undefined, id: "openrouter" },
  ] as const)("puts the $provider key in $env", ({ provider, env, baseURL, id }) => {
    const model = CATALOG.find((p) => p.id === provider)!.models[0]!.id;
    const bundle = buildWorkspace({ provider, model, gateway: null, directKey: key, toolPermissions: "ask" });
    expect(bundle.env).toEqual({
      ...BASE_AGENT_ENV,
      ...STUDIO_ENV,
      OPENCODE_CONFIG_CONTENT: expect.any(String),
      [env]: "key-value",
    });
    const options = JSON.parse(bundle.files[0]!.content).provider[id].options;
    expect(options).toEqual(baseURL ? { baseURL, apiKey: `{env:${env}}` } : { apiKey: `{env:${env}}` });
    // The key itself is only in the environment, never in a file nor in the config it carries.
    expect(JSON.stringify(bundle.files)).not.toContain("key-value");
    expect(bundle.env.OPENCODE_CONFIG_CONTENT).not.toContain("key-value");
  });

  it("points a custom endpoint at its own URL, with or without a key", () => {
    const withKey = buildWorkspace({
      provider: "custom",
      model: "m",
      gateway: null,
      customEndpoint: { baseUrl: "http://vllm:8000/v1", apiKey: "vllm-key" },
      toolPermissions: "ask",
    });
    expect(JSON.parse(withKey.files[0]!.content).provider.custom.options).toEqual({
      baseURL: "http://vllm:8000/v1",
      apiKey: "{env:STUDIO_CUSTOM_API_KEY}",
    });
    expect(withKey.env.STUDIO_CUSTOM_API_KEY).toBe("vllm-key");
    const keyless = buildWorkspace({
      provider: "custom",
      model: "m",
      gateway: null,
      customEndpoint: { baseUrl: "http://ollama:11434/v1" },
      toolPermissions: "ask",
    });
    expect(JSON.parse(keyless.files[0]!.content).provider.custom.options).toEqual({
      baseURL: "http://ollama:11434/v1",
    });
    expect(keyless.env).toEqual({
      ...BASE_AGENT_ENV,
      ...STUDIO_ENV,
      OPENCODE_CONFIG_CONTENT: expect.any(String),
    });
  });

  it("overrides the base URL when the direct key comes with one", () => {
    const result = config({
      provider: "anthropic",
      model: "claude-haiku-4-5",
      gateway: null,
      directKey: { apiKey: "k", baseUrl: "https://proxy.example.test/v1" },
      toolPermissions: "ask",
    });
    expect(result.provider.anthropic.options.baseURL).toBe("https://proxy.example.test/v1");
  });
});

describe("what a repository's own opencode.json cannot change", () => {
  it.each(cases)(
    "repeats model, provider, gateway and permissions in OPENCODE_CONFIG_CONTENT ($provider)",
    ({ provider, model, id }) => {
      const options: BuildWorkspaceOptions = { provider, model, gateway: GATEWAY, toolPermissions: "ask" };
      const full = config(options);
      const content = enforced(options);
      expect(Object.keys(content).sort()).toEqual([...ENFORCED_KEYS].sort());
      for (const key of ENFORCED_KEYS) expect(content[key]).toEqual(full[key]);
      expect(content.model).toBe(`${id}/${model}`);
      expect(content.enabled_providers).toEqual([id]);
      // A project cannot disable the studio's provider, nor make its own agent the default.
      expect(content.disabled_providers).toEqual([]);
      expect(content.default_agent).toBe("build");
      expect(content.provider[id].options.baseURL).toMatch(/^http:\/\/studio\.internal:3000\/api\/llm\//);
      // Not the instructions: a repository's own are added to the studio's.
      expect(content).not.toHaveProperty("instructions");
    },
  );

  it("gives each built-in agent the studio's permissions, which agent settings would otherwise override", () => {
    for (const toolPermissions of ["ask", "allow"] as const) {
      const content = enforced({ provider: "openai", model: "gpt-4.1", gateway: GATEWAY, toolPermissions });
      expect(Object.keys(content.agent).sort()).toEqual([...BUILT_IN_AGENTS].sort());
      for (const name of BUILT_IN_AGENTS) expect(content.agent[name].permission).toEqual(content.permission);
      expect(content.permission).toMatchObject({ bash: toolPermissions, edit: toolPermissions });
    }
  });
});

describe("placeAgentDir", () => {
  const bundle = buildWorkspace({
    provider: "openai",
    model: "gpt-4.1",
    gateway: GATEWAY,
    toolPermissions: "ask",
  });

  it("puts the agent directory's files and env values where the provider says", () => {
    const placed = placeAgentDir(bundle, "/sbx/agent/");
    expect(placed.files.map((f) => f.path)).toEqual([
      "/sbx/agent/opencode.json",
      "/sbx/agent/instructions.md",
      "/sbx/agent/shell/bash",
    ]);
    expect(placed.files.map((f) => f.content)).toEqual(bundle.files.map((f) => f.content));
    expect(placed.env).toEqual({
      ...bundle.env,
      STUDIO_AGENT_DIR: "/sbx/agent",
      OPENCODE_CONFIG: "/sbx/agent/opencode.json",
    });
    // Nothing else moves: workspace and HOME files, other values (even ones merely mentioning it).
    const other = placeAgentDir(
      {
        files: [
          { path: "src/a.ts", content: "" },
          { path: "~/.profile", content: "" },
        ],
        env: { A: "x @studio-agent" },
      },
      "/sbx/agent",
    );
    expect(other).toEqual({
      files: [
        { path: "src/a.ts", content: "" },
        { path: "~/.profile", content: "" },
      ],
      env: { A: "x @studio-agent" },
    });
    expect(placeAgentDir({ env: {} }, "/x")).toEqual({ files: [], env: {} });
  });

  it("refuses a relative directory", () => {
    expect(() => placeAgentDir(bundle, "agent")).toThrow(/absolute/);
  });
});

describe("buildWorkspace validation", () => {
  it.each([
    [{ provider: "openai", model: "gpt-4.1", gateway: null }, /directKey/],
    [{ provider: "custom", model: "m", gateway: null }, /customEndpoint/],
    [{ provider: "openai", model: " ", gateway: GATEWAY }, /model/],
    [{ provider: "openai", model: "gpt-4.1", gateway: { baseUrl: "ftp://x", token: "t" } }, /http/],
    [{ provider: "openai", model: "gpt-4.1", gateway: { baseUrl: "http://x", token: "" } }, /token/],
    [{ provider: "nope", model: "x", gateway: GATEWAY }, /unknown provider/],
  ] as const)("rejects %j", (options, message) => {
    expect(() => buildWorkspace({ toolPermissions: "ask", ...(options as any) })).toThrow(
      WorkspaceConfigError,
    );
    expect(() => buildWorkspace({ toolPermissions: "ask", ...(options as any) })).toThrow(message);
  });
});

describe("opencode-acp launcher", () => {
  it("starts opencode acp with its HTTP API on the given port", () => {
    const script = buildOpencodeLauncher({ port: 4096 });
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    expect(script).toContain("export OPENCODE_ENABLE_QUESTION_TOOL=1\n");
    expect(script).toContain("export BUN_JSC_useFTLJIT=0\n");
    expect(script).toContain(`exec 'opencode' acp --port 4096 --hostname '127.0.0.1' "$@"`);
    expect(buildOpencodeLauncher({ port: 5000, opencodeBinary: "/opt/it's/opencode" })).toContain(
      `exec '/opt/it'"'"'s/opencode' acp --port 5000`,
    );
    expect(() => buildOpencodeLauncher({ port: 0 })).toThrow(/port/);
  });

  it("lives where sandbox-agent looks for it", () => {
    expect(OPENCODE_LAUNCHER_PATH).toBe("sandbox-agent/bin/agent_processes/opencode-acp");
    expect(launcherPathForHome("/home/user")).toBe(
      "/home/user/.local/share/sandbox-agent/bin/agent_processes/opencode-acp",
    );
  });
});
