// The E2B template (SDK v2 `Template` builder) that bakes sandbox-agent and the agents (OpenCode,
// Claude Code and Codex with their ACP adapters) into the image, so provisioning installs nothing.
// sandbox-agent finds `claude` + `claude-agent-acp` and `codex` + `codex-acp` on PATH. No start command: the start command runs once at build
// time and is snapshotted, and our server needs a per-sandbox token and environment.
//
// Build once per version bump (needs E2B_API_KEY; never run from these machines):
//   await buildStudioTemplate("studio-opencode")
// then configure the provider with `template: "studio-opencode"`.
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
