// The E2B template (SDK v2 `Template` builder) that bakes sandbox-agent and OpenCode into the
// image, so provisioning installs nothing. No start command: the start command runs once at build
// time and is snapshotted, and our server needs a per-sandbox token and environment.
//
// Build once per version bump (needs E2B_API_KEY; never run from these machines):
//   await buildStudioTemplate("studio-opencode")
// then configure the provider with `template: "studio-opencode"`.
import { type BuildInfo, defaultBuildLogger, Template, type TemplateBuilder } from "@e2b/code-interpreter";
import { E2B_STUDIO_DIR, E2B_WORKSPACE, OPENCODE_VERSION, SANDBOX_AGENT_VERSION } from "./commands.ts";

export function studioTemplate(): TemplateBuilder {
  return (
    Template()
      // Debian with Node 22, npm and git: what the agent needs for TypeScript projects.
      .fromNodeImage("22")
      .aptInstall(["git", "ripgrep", "ca-certificates", "curl"])
      .npmInstall([`@sandbox-agent/cli@${SANDBOX_AGENT_VERSION}`, `opencode-ai@${OPENCODE_VERSION}`], {
        g: true,
      })
      // Fail the build, not the first session, if either binary is broken.
      .runCmd("sandbox-agent --version && opencode --version")
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
