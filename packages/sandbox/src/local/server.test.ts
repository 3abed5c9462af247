import { describe, expect, it } from "vitest";
import type { BwrapLayout } from "./confine.ts";
import { type ServerRecord, sandboxPaths } from "./layout.ts";
import { type ServerContext, serverAccess, serverEnv } from "./server.ts";

const paths = sandboxPaths("/srv/studio/sandboxes", "sbx-0123456789abcdef");
const bwrap: BwrapLayout = { bwrap: "/usr/bin/bwrap", rootEntries: [] };

function context(confined: boolean): ServerContext {
  return {
    paths,
    binaries: {
      sandboxAgent: "/opt/agents/sandbox-agent",
      opencode: "/opt/agents/opencode",
      sandboxAgentVersion: "0.4.2",
      opencodeVersion: "1.0.0",
    },
    bwrap: confined ? bwrap : null,
    network: null,
    niceness: 10,
  };
}

const record: ServerRecord = {
  pid: 10,
  pgid: 10,
  pidStartTime: "1",
  port: 4000,
  opencodePort: 4001,
  token: "t",
  opencodePassword: "p",
  startedAt: "2026-12-07T00:00:00Z",
  binary: "/opt/agents/sandbox-agent",
  opencodeBinary: "/opt/agents/opencode",
  confinement: "bwrap",
};

describe("serverEnv", () => {
  // As a sandbox's saved environment names the studio's agent directory: at its host path.
  const saved = { OPENCODE_CONFIG: `${paths.agent}/opencode.json`, STUDIO_AGENT_DIR: paths.agent, MARK: "x" };

  it("names the sandbox's directories as it sees them when confined, and nothing of the host's", () => {
    const env = serverEnv(context(true), saved, "secret");
    expect(env).toMatchObject({
      HOME: "/home/user",
      XDG_CONFIG_HOME: "/home/user/.studio/xdg/config",
      TMPDIR: "/tmp",
      OPENCODE_CONFIG: "/home/user/.studio/agent/opencode.json",
      STUDIO_AGENT_DIR: "/home/user/.studio/agent",
      MARK: "x",
      STUDIO_SANDBOX_ID: "sbx-0123456789abcdef",
    });
    expect(JSON.stringify(env)).not.toContain("/srv/studio");
  });

  it("names the host's directories when unconfined: the sandbox has no others", () => {
    const env = serverEnv(context(false), saved, null);
    expect(env).toMatchObject({ HOME: paths.home, OPENCODE_CONFIG: `${paths.agent}/opencode.json` });
    expect(env.OPENCODE_SERVER_PASSWORD).toBeUndefined();
  });
});

describe("serverAccess", () => {
  it("gives the workspace as the running server sees it", () => {
    expect(serverAccess(paths, { ...record, neutralPaths: true }).workspaceDir).toBe("/home/user/workspace");
    // A server started before the neutral paths keeps the host's until it restarts.
    expect(serverAccess(paths, record).workspaceDir).toBe(paths.workspace);
  });
});
