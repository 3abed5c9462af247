// The workspace generator for Claude Code and Codex: what each gets, that the gateway token is the
// only credential in gateway mode, and that an agent is refused a provider whose route does not
// serve the API it speaks.
import type { ModelProvider } from "@studio/models";
import { describe, expect, it } from "vitest";
import { buildWorkspace, WorkspaceConfigError } from "./build.ts";
import { agentLauncherPath, buildAdapterLauncher } from "./launcher.ts";
import type { BuildWorkspaceOptions } from "./types.ts";

const GATEWAY = { baseUrl: "http://studio.internal:3000/api/llm/", token: "gw-token-123" };
const PLANTED = "sk-PLANTED-secret-provider-key-987654321";

function bundle(options: Partial<BuildWorkspaceOptions> & Pick<BuildWorkspaceOptions, "agent">) {
  return buildWorkspace({
    provider: "anthropic",
    model: "claude-sonnet-4-6",
    gateway: GATEWAY,
    directKey: { apiKey: PLANTED },
    toolPermissions: "ask",
    ...options,
  });
}

function file(result: ReturnType<typeof buildWorkspace>, path: string): string {
  const found = result.files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} in ${result.files.map((f) => f.path).join(", ")}`);
  return found.content;
}

function everything(result: ReturnType<typeof buildWorkspace>): string {
  return JSON.stringify(result);
}

describe("Claude Code's workspace", () => {
  it("points Claude Code at the gateway with the session token as its only key", () => {
    const result = bundle({ agent: "claude" });
    expect(result.env).toMatchObject({
      ANTHROPIC_BASE_URL: "http://studio.internal:3000/api/llm/anthropic",
      ANTHROPIC_API_KEY: "gw-token-123",
      STUDIO_GATEWAY_TOKEN: "gw-token-123",
      ANTHROPIC_MODEL: "claude-sonnet-4-6",
      ANTHROPIC_DEFAULT_OPUS_MODEL: "claude-sonnet-4-6",
      ANTHROPIC_DEFAULT_SONNET_MODEL: "claude-sonnet-4-6",
      ANTHROPIC_DEFAULT_HAIKU_MODEL: "claude-haiku-4-5",
      CLAUDE_CODE_SUBAGENT_MODEL: "claude-sonnet-4-6",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
    });
    expect(everything(result)).not.toContain(PLANTED);
    // Nothing of OpenCode's: its config would only be noise in a Claude Code sandbox.
    expect(result.env.OPENCODE_CONFIG).toBeUndefined();
    expect(result.files.map((f) => f.path).sort()).toEqual([
      "@studio-agent/instructions.md",
      "~/.claude/CLAUDE.md",
      "~/.claude/settings.json",
    ]);
  });

  it("maps the tool policy onto Claude Code's permission modes", () => {
    const ask = JSON.parse(file(bundle({ agent: "claude" }), "~/.claude/settings.json"));
    expect(ask.permissions.defaultMode).toBe("default");
    const allow = JSON.parse(
      file(bundle({ agent: "claude", toolPermissions: "allow" }), "~/.claude/settings.json"),
    );
    expect(allow.permissions.defaultMode).toBe("bypassPermissions");
  });

  it("tells only an agent whose questions reach the person to ask them", () => {
    const claude = file(bundle({ agent: "claude" }), "~/.claude/CLAUDE.md");
    const codex = file(bundle({ agent: "codex", provider: "openai", model: "gpt-5" }), "~/.codex/AGENTS.md");
    for (const memory of [claude, codex]) {
      expect(memory).toContain("say so in your reply and ask");
      expect(memory).not.toContain("permission requests and questions");
    }
    const opencode = file(bundle({ agent: "opencode" }), "@studio-agent/instructions.md");
    expect(opencode).toContain("permission requests and questions");
  });

  it("tells every agent how to leave a server running, its output in a log outside the workspace", () => {
    const claude = file(bundle({ agent: "claude" }), "~/.claude/CLAUDE.md");
    const codex = file(bundle({ agent: "codex", provider: "openai", model: "gpt-5" }), "~/.codex/AGENTS.md");
    const opencode = file(bundle({ agent: "opencode" }), "@studio-agent/instructions.md");
    for (const memory of [claude, codex, opencode]) {
      expect(memory).toContain("`nohup npm run dev > /tmp/dev.log 2>&1 &`");
    }
  });

  it("puts the studio's instructions in Claude Code's user memory, outside the workspace", () => {
    const result = bundle({ agent: "claude", instructions: "Be brief." });
    expect(file(result, "~/.claude/CLAUDE.md")).toBe("Be brief.");
  });

  it("uses xAI's Messages API route, and its small model", () => {
    const result = bundle({ agent: "claude", provider: "xai", model: "grok-4" });
    expect(result.env.ANTHROPIC_BASE_URL).toBe("http://studio.internal:3000/api/llm/xai");
    expect(result.env.ANTHROPIC_DEFAULT_HAIKU_MODEL).toBe("grok-4-1-fast");
  });

  it.each<ModelProvider>(["openai", "google", "openrouter", "custom"])(
    "refuses %s, whose route does not serve the Messages API",
    (provider) => {
      expect(() => bundle({ agent: "claude", provider, model: "m" })).toThrow(WorkspaceConfigError);
    },
  );

  it("puts the key itself in only in environment mode", () => {
    const result = bundle({ agent: "claude", gateway: null });
    expect(result.env.ANTHROPIC_API_KEY).toBe(PLANTED);
    expect(result.env.ANTHROPIC_BASE_URL).toBeUndefined();
    expect(result.env.STUDIO_GATEWAY_TOKEN).toBeUndefined();
  });
});

describe("Codex's workspace", () => {
  const codex = (options: Partial<BuildWorkspaceOptions> = {}) =>
    bundle({ agent: "codex", provider: "openai", model: "gpt-5", ...options });

  it("names one model provider, the gateway, speaking the Responses API with the token", () => {
    const result = codex();
    const toml = file(result, "~/.codex/config.toml");
    expect(toml).toContain('model = "gpt-5"');
    expect(toml).toContain('model_provider = "studio"');
    expect(toml).toContain('base_url = "http://studio.internal:3000/api/llm/openai/v1"');
    expect(toml).toContain('env_key = "STUDIO_GATEWAY_TOKEN"');
    expect(toml).toContain('wire_api = "responses"');
    expect(toml).toContain('web_search = "disabled"');
    expect(result.env.STUDIO_GATEWAY_TOKEN).toBe("gw-token-123");
    expect(everything(result)).not.toContain(PLANTED);
    expect(file(result, "~/.codex/AGENTS.md")).toBeTruthy();
  });

  it("maps the tool policy onto Codex's approval policy, its own sandbox off inside the studio's", () => {
    expect(file(codex(), "~/.codex/config.toml")).toMatch(
      /approval_policy = "untrusted"\nsandbox_mode = "danger-full-access"/,
    );
    expect(file(codex({ toolPermissions: "allow" }), "~/.codex/config.toml")).toMatch(
      /approval_policy = "never"\nsandbox_mode = "danger-full-access"/,
    );
  });

  it("quotes a hostile model name instead of letting it write TOML", () => {
    const toml = file(codex({ provider: "custom", model: 'x"\n[evil]' }), "~/.codex/config.toml");
    expect(toml).toContain('model = "x\\"\\n[evil]"');
    expect(toml).not.toMatch(/^\[evil\]/m);
  });

  it.each<ModelProvider>(["anthropic", "google"])("refuses %s (no Responses API route)", (provider) => {
    expect(() => codex({ provider })).toThrow(WorkspaceConfigError);
  });

  it("reads the provider's own key variable in environment mode", () => {
    const result = codex({ gateway: null });
    expect(file(result, "~/.codex/config.toml")).toContain('env_key = "OPENAI_API_KEY"');
    expect(result.env.OPENAI_API_KEY).toBe(PLANTED);
  });
});

describe("adapter launchers", () => {
  it("execs the adapter with quoted arguments", () => {
    const script = buildAdapterLauncher(["/opt/node", "/srv/it's/index.js"], { X_Y: "a b" });
    expect(script).toBe(
      [
        "#!/bin/sh",
        "# Generated by the studio: starts the agent's ACP adapter from the studio's pinned install.",
        "export X_Y='a b'",
        `exec '/opt/node' '/srv/it'"'"'s/index.js' "$@"`,
        "",
      ].join("\n"),
    );
    expect(() => buildAdapterLauncher([])).toThrow();
    expect(() => buildAdapterLauncher(["/x"], { "BAD-NAME": "1" })).toThrow();
  });

  it("names launchers as sandbox-agent looks for them, and refuses other names", () => {
    expect(agentLauncherPath("claude")).toBe("sandbox-agent/bin/agent_processes/claude-acp");
    expect(agentLauncherPath("codex")).toBe("sandbox-agent/bin/agent_processes/codex-acp");
    expect(() => agentLauncherPath("../x")).toThrow();
  });
});
