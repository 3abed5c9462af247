import { Template } from "@e2b/code-interpreter";
import { describe, expect, it } from "vitest";
import { resolveAgentBinaries } from "../binaries.ts";
import {
  CLAUDE_AGENT_ACP_VERSION,
  CLAUDE_CODE_VERSION,
  CODEX_ACP_VERSION,
  CODEX_VERSION,
  envFile,
  installCommand,
  OPENCODE_VERSION,
  SANDBOX_AGENT_VERSION,
} from "./commands.ts";
import { studioTemplate, TEMPLATE_PACKAGES } from "./template.ts";

describe("E2B commands and template", () => {
  it("pins the versions installed in this repository", () => {
    const binaries = resolveAgentBinaries();
    expect(SANDBOX_AGENT_VERSION).toBe(binaries.sandboxAgentVersion);
    expect(OPENCODE_VERSION).toBe(binaries.opencodeVersion);
    expect(installCommand()).toContain(
      `@sandbox-agent/cli@${SANDBOX_AGENT_VERSION} opencode-ai@${OPENCODE_VERSION}`,
    );
    // The template's Claude Code and Codex are the ones the local provider runs.
    expect(binaries.claude).toMatchObject({
      cliVersion: CLAUDE_CODE_VERSION,
      adapterVersion: CLAUDE_AGENT_ACP_VERSION,
    });
    expect(binaries.codex).toMatchObject({ cliVersion: CODEX_VERSION, adapterVersion: CODEX_ACP_VERSION });
  });

  it("bakes every agent's CLIs into the template and sets no start command", () => {
    const dockerfile = Template.toDockerfile(studioTemplate());
    expect(dockerfile).toContain("FROM node:22");
    expect(TEMPLATE_PACKAGES).toHaveLength(6);
    expect(dockerfile).toContain(`RUN npm install -g ${TEMPLATE_PACKAGES.join(" ")}`);
    expect(dockerfile).toContain(`@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`);
    expect(dockerfile).toContain(`@zed-industries/codex-acp@${CODEX_ACP_VERSION}`);
    expect(dockerfile).toContain("bubblewrap");
    expect(dockerfile).toContain("RUN sandbox-agent --version && opencode --version && claude --version");
    expect(dockerfile).toContain("command -v claude-agent-acp && command -v codex-acp");
    expect(dockerfile).toContain("WORKDIR /home/user/workspace");
    expect(dockerfile).not.toMatch(/ENTRYPOINT|CMD /);
  });

  it("quotes the environment file and drops reserved variables", () => {
    const file = envFile({
      A: "plain",
      B: "it's $HOME `x`",
      SA_TOKEN: "nope",
      OPENCODE_SERVER_PASSWORD: "nope",
    });
    expect(file).toContain("export A='plain'\n");
    expect(file).toContain(`export B='it'"'"'s $HOME \`x\`'\n`);
    expect(file).not.toContain("nope");
    expect(() => envFile({ "BAD-NAME": "x" })).toThrow(/invalid/);
  });
});
