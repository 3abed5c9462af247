// E2B cannot be reached from here, so the in-sandbox half of the E2B provider is checked locally:
// bwrap gives the real binaries an E2B-like view (HOME=/home/user, CLIs in /usr/local/bin, no
// XDG variables) and the provider's own files and commands run there through `bash -l -c`, as
// envd runs them. Skipped where bwrap does not work.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkHealth, newSecret, opencodeAuthHeaders, waitForHealth } from "../agent-server.ts";
import { resolveAgentBinaries } from "../binaries.ts";
import { probeBwrap } from "../local/confine.ts";
import { freePort } from "../local/ports.ts";
import { groupMembers, signalGroup } from "../local/procfs.ts";
import { placeAgentDir } from "../workspace/agent-dir.ts";
import { buildWorkspace } from "../workspace/build.ts";
import { buildOpencodeLauncher, launcherPathForHome } from "../workspace/launcher.ts";
import {
  E2B_AGENT_DIR,
  E2B_ENV_FILE,
  E2B_HOME,
  E2B_PID_FILE,
  E2B_STUDIO_DIR,
  envFile,
  logTailCommand,
  startServerCommand,
  stopServerCommand,
} from "./commands.ts";

const bwrap = probeBwrap().layout?.bwrap;
const dir = mkdtempSync(path.join(tmpdir(), "studio-e2b-sim-"));
const home = path.join(dir, "home");
const started: number[] = [];

afterAll(() => {
  for (const pid of started) signalGroup(pid, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `bash -l -c command` in the simulated sandbox; resolves with its exit code. */
function inSandbox(
  command: string,
  envs: Record<string, string> = {},
  cwd = "/home/user/workspace",
  stdout: "ignore" | "pipe" = "ignore",
) {
  const binaries = resolveAgentBinaries();
  const args = [
    "--dev-bind",
    "/",
    "/",
    "--tmpfs",
    "/home",
    "--bind",
    home,
    E2B_HOME,
    "--tmpfs",
    "/usr/local/bin",
    "--ro-bind",
    binaries.sandboxAgent,
    "/usr/local/bin/sandbox-agent",
    "--ro-bind",
    binaries.opencode,
    "/usr/local/bin/opencode",
    ...(binaries.claude ? ["--ro-bind", binaries.claude.cli, "/usr/local/bin/claude"] : []),
    "--chdir",
    cwd,
    "--",
    "/bin/bash",
    "-l",
    "-c",
    command,
  ];
  const child = spawn(bwrap!, args, {
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: E2B_HOME, ...envs },
    detached: true,
    stdio: ["ignore", stdout, "ignore"],
  });
  started.push(child.pid!);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return Object.assign(new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1))), {
    output: () => output,
  });
}

describe.skipIf(!bwrap)("E2B in-sandbox commands (simulated locally)", () => {
  it("start command serves sandbox-agent with the token, launcher and opencode API; stop ends it all", async () => {
    const agentPort = await freePort();
    const opencodePort = await freePort(new Set([agentPort]));
    const token = newSecret();
    const password = newSecret();
    const built = buildWorkspace({
      provider: "openai",
      model: "gpt-4.1",
      gateway: { baseUrl: "http://127.0.0.1:9/api/llm", token: "gw" },
      toolPermissions: "ask",
    });
    // As the provider places them: the studio's files outside the workspace, which stays empty.
    const workspace = placeAgentDir(built, E2B_AGENT_DIR);
    mkdirSync(path.join(home, "workspace"), { recursive: true });
    mkdirSync(path.join(home, E2B_AGENT_DIR.slice(E2B_HOME.length)), { recursive: true });
    for (const file of workspace.files) {
      const target = path.join(home, file.path.slice(E2B_HOME.length));
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, file.content, { mode: file.mode ?? 0o644 });
    }
    writeFileSync(
      path.join(home, E2B_ENV_FILE.slice(E2B_HOME.length)),
      envFile({ ...workspace.env, SA_TOKEN: "x" }),
    );
    const launcher = path.join(home, launcherPathForHome(E2B_HOME).slice(E2B_HOME.length));
    mkdirSync(path.dirname(launcher), { recursive: true });
    writeFileSync(launcher, buildOpencodeLauncher({ port: opencodePort }), { mode: 0o755 });

    const server = inSandbox(startServerCommand(agentPort), {
      SA_TOKEN: token,
      OPENCODE_SERVER_USERNAME: "opencode",
      OPENCODE_SERVER_PASSWORD: password,
      SANDBOX_AGENT_REQUIRE_PREINSTALL: "1",
      SANDBOX_AGENT_LOG_STDOUT: "1",
    });
    const agentUrl = `http://127.0.0.1:${agentPort}`;
    await waitForHealth({ agentUrl, token, timeoutMs: 60_000 });
    expect(await checkHealth(agentUrl, "x")).toBe(false); // the env file cannot override the token

    const init = await fetch(`${agentUrl}/v1/acp/sim?agent=opencode`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: 1 } }),
    });
    expect(init.status).toBe(200);
    const questions = await fetch(
      `http://127.0.0.1:${opencodePort}/question?directory=/home/user/workspace`,
      {
        headers: opencodeAuthHeaders(password),
      },
    );
    expect(questions.status).toBe(200);

    const pgid = Number(readFileSync(path.join(home, E2B_PID_FILE.slice(E2B_HOME.length)), "utf8"));
    expect(groupMembers(pgid).length).toBeGreaterThanOrEqual(2); // sandbox-agent + opencode
    // claude-agent-acp, started by sandbox-agent, inherits the pinned Claude Code's path.
    if (resolveAgentBinaries().claude)
      expect(readFileSync(`/proc/${pgid}/environ`, "utf8").split("\0")).toContain(
        "CLAUDE_CODE_EXECUTABLE=/usr/local/bin/claude",
      );
    expect(await inSandbox(stopServerCommand())).toBe(0);
    expect(groupMembers(pgid)).toEqual([]);
    expect(existsSync(path.join(home, E2B_PID_FILE.slice(E2B_HOME.length)))).toBe(false);
    await server; // setsid -w returns once the server is gone
    expect(await inSandbox(stopServerCommand())).toBe(0); // idempotent
  }, 120_000);

  it("a sandbox-agent that cannot start ends the start command, and the log tail says why", async () => {
    // The port is taken: sandbox-agent exits, and so does the command the provider's handle watches.
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "0.0.0.0", resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      mkdirSync(path.join(home, "workspace"), { recursive: true });
      mkdirSync(path.join(home, E2B_STUDIO_DIR.slice(E2B_HOME.length)), { recursive: true });
      writeFileSync(path.join(home, E2B_ENV_FILE.slice(E2B_HOME.length)), envFile({}));
      const exitCode = await inSandbox(startServerCommand(port), {
        SA_TOKEN: newSecret(),
        SANDBOX_AGENT_LOG_STDOUT: "1", // as the provider starts it: errors go to the log too
      });
      expect(exitCode).not.toBe(0);
      const tail = inSandbox(logTailCommand(), {}, "/home/user/workspace", "pipe");
      expect(await tail).toBe(0);
      expect(tail.output()).toMatch(/sandbox-agent failed.*Address in use/);
    } finally {
      blocker.close();
    }
  }, 60_000);
});
