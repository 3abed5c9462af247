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
import { studioTemplate, TEMPLATE_PACKAGES, templateBuildSettings } from "./template.ts";

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

  it("makes the workspace the base template lacks when installing at run time", () => {
    expect(installCommand()).toContain("install -d -o user -g user /home/user/workspace /home/user/.studio");
  });

  it("reads `pnpm e2b:template`'s settings, refusing to build without the operator's key", () => {
    expect(() => templateBuildSettings({})).toThrow(/E2B_API_KEY is not set/);
    expect(templateBuildSettings({ E2B_API_KEY: "k" })).toEqual({
      name: "studio-opencode",
      apiKey: "k",
      cpuCount: 2,
      memoryMB: 4096,
    });
    expect(
      templateBuildSettings({
        E2B_API_KEY: "k",
        E2B_TEMPLATE: "studio-big",
        E2B_TEMPLATE_CPUS: "4",
        E2B_TEMPLATE_MEMORY_MB: "8192",
      }),
    ).toMatchObject({ name: "studio-big", cpuCount: 4, memoryMB: 8192 });
    expect(() => templateBuildSettings({ E2B_API_KEY: "k", E2B_TEMPLATE: "../x" })).toThrow(/E2B_TEMPLATE/);
    expect(() => templateBuildSettings({ E2B_API_KEY: "k", E2B_TEMPLATE_CPUS: "0" })).toThrow(
      /E2B_TEMPLATE_CPUS/,
    );
    expect(() => templateBuildSettings({ E2B_API_KEY: "k", E2B_TEMPLATE_MEMORY_MB: "4097" })).toThrow(/even/);
  });
});
