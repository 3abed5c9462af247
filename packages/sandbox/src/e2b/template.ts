// The E2B template (SDK v2 `Template` builder) that bakes sandbox-agent and the agents (OpenCode,
// Claude Code and Codex with their ACP adapters) into the image, so provisioning installs nothing.
// sandbox-agent finds `claude` + `claude-agent-acp` and `codex` + `codex-acp` on PATH. No start command: the start command runs once at build
// time and is snapshotted, and our server needs a per-sandbox token and environment.
//
// Build once per version bump with the operator's key (`pnpm e2b:template`, build-template.ts;
// never run from these machines), then set E2B_TEMPLATE to the name it printed.
import { type BuildInfo, defaultBuildLogger, Template, type TemplateBuilder } from "@e2b/code-interpreter";
import {
  CLAUDE_AGENT_ACP_VERSION,
  CLAUDE_CODE_VERSION,
  CODEX_ACP_VERSION,
  CODEX_VERSION,
  E2B_STUDIO_DIR,
  E2B_WORKSPACE,
  OPENCODE_VERSION,
  SANDBOX_AGENT_VERSION,
} from "./commands.ts";

/** Every npm package the template installs globally, pinned. */
export const TEMPLATE_PACKAGES = [
  `@sandbox-agent/cli@${SANDBOX_AGENT_VERSION}`,
  `opencode-ai@${OPENCODE_VERSION}`,
  `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`,
  `@zed-industries/claude-agent-acp@${CLAUDE_AGENT_ACP_VERSION}`,
  `@openai/codex@${CODEX_VERSION}`,
  `@zed-industries/codex-acp@${CODEX_ACP_VERSION}`,
];

export function studioTemplate(): TemplateBuilder {
  return (
    Template()
      // Debian with Node 22, npm and git: what the agent needs for TypeScript projects.
      .fromNodeImage("22")
      // bubblewrap: Codex's own sandbox runs `bwrap` for the commands it executes.
      .aptInstall(["git", "ripgrep", "ca-certificates", "curl", "bubblewrap"])
      .npmInstall(TEMPLATE_PACKAGES, { g: true })
      // Fail the build, not the first session, if a binary is broken. The adapters speak ACP on
      // stdin and have no version flag: that they are on PATH is what sandbox-agent checks.
      .runCmd(
        [
          "sandbox-agent --version",
          "opencode --version",
          "claude --version",
          "codex --version",
          "command -v claude-agent-acp",
          "command -v codex-acp",
        ].join(" && "),
      )
      .runCmd(`mkdir -p ${E2B_WORKSPACE} ${E2B_STUDIO_DIR}`, { user: "user" })
      .setWorkdir(E2B_WORKSPACE)
  );
}

export function buildStudioTemplate(
  name: string,
  options: { cpuCount?: number; memoryMB?: number; apiKey?: string } = {},
): Promise<BuildInfo> {
  return Template.build(studioTemplate(), name, {
    cpuCount: options.cpuCount ?? 2,
    memoryMB: options.memoryMB ?? 4096,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    onBuildLogs: defaultBuildLogger(),
  });
}

export const DEFAULT_TEMPLATE_NAME = "studio-opencode";

export interface TemplateBuildSettings {
  name: string;
  apiKey: string;
  cpuCount: number;
  memoryMB: number;
}

/**
 * `pnpm e2b:template`'s settings from the environment: E2B_API_KEY (required), E2B_TEMPLATE (the
 * name, default studio-opencode), E2B_TEMPLATE_CPUS (2) and E2B_TEMPLATE_MEMORY_MB (4096). The
 * template fixes a sandbox's size: E2B's create takes no CPU or memory.
 */
export function templateBuildSettings(env: Record<string, string | undefined>): TemplateBuildSettings {
  const apiKey = env.E2B_API_KEY?.trim();
  if (!apiKey)
    throw new Error("E2B_API_KEY is not set: the template is built on your E2B team, with your key.");
  const name = env.E2B_TEMPLATE?.trim() || DEFAULT_TEMPLATE_NAME;
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name))
    throw new Error(`E2B_TEMPLATE ${JSON.stringify(name)}: lower-case letters, digits, "-" and "_" only`);
  const whole = (variable: string, fallback: number, min: number, max: number) => {
    const text = env[variable]?.trim();
    const value = text ? Number(text) : fallback;
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`${variable} must be a whole number from ${min} to ${max}`);
    return value;
  };
  const cpuCount = whole("E2B_TEMPLATE_CPUS", 2, 1, 32);
  const memoryMB = whole("E2B_TEMPLATE_MEMORY_MB", 4096, 512, 65_536);
  if (memoryMB % 2 !== 0) throw new Error("E2B_TEMPLATE_MEMORY_MB must be even (E2B's rule)");
  return { name, apiKey, cpuCount, memoryMB };
}
