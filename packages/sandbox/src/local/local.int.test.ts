// Runs the real sandbox-agent and OpenCode binaries. Every sandbox and temp dir is removed in
// afterAll; each test also checks that the processes it started are gone.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../types.ts";
import { probeBwrap } from "./confine.ts";
import { readState, sandboxPaths, sandboxView } from "./layout.ts";
import { sessionGroupNiceness } from "./priority.ts";
import { isAlive, readCmdline, readStat } from "./procfs.ts";
import type { LocalSandboxProvider } from "./provider.ts";
import { createOptions, processesOf, useLocalSandboxProviders, workspace } from "./test-support.ts";

const { newRoot, provider } = useLocalSandboxProviders();

async function acpInitialize(handle: SandboxHandle, serverId: string) {
  const response = await (handle.agentFetch ?? fetch)(
    `${handle.agentUrl}/v1/acp/${serverId}?agent=opencode`,
    {
      method: "POST",
      headers: {
        ...(handle.agentToken ? { authorization: `Bearer ${handle.agentToken}` } : {}),
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: 1, clientCapabilities: {} },
      }),
    },
  );
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** Whether anything accepts a TCP connection on this port of the host's loopback. */
function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

describe.each(["auto", "none"] as const)("local provider (confinement %s)", (confinement) => {
  let root: string;
  let sandboxes: LocalSandboxProvider;
  beforeAll(() => {
    root = newRoot();
    sandboxes = provider(root, confinement);
  });

  it("creates, answers health, runs a command, serves ACP and OpenCode's API, and destroys", async () => {
    const steps: string[] = [];
    const handle = await sandboxes.create({
      ...createOptions("session-1"),
      onStep: (s) => steps.push(`${s.step}:${s.state}`),
    });
    expect(steps).toEqual([
      "sandbox:started",
      "sandbox:completed",
      "files:started",
      "files:completed",
      "agent-server:started",
      "agent-server:completed",
    ]);
    expect(await sandboxes.health(handle.id)).toBe(true);

    const paths = sandboxPaths(sandboxes.rootDir, handle.id);
    // Confined, the sandbox's directories are at the same neutral paths in every sandbox.
    const inside = sandboxView(paths, sandboxes.confinement.mode === "bwrap");
    expect(handle.workspaceDir).toBe(inside.workspace);
    // The studio's config is in the sandbox's agent directory; the workspace holds nothing of it.
    expect(JSON.parse(readFileSync(path.join(paths.agent, "opencode.json"), "utf8")).model).toBe(
      "custom/scripted-1",
    );
    expect(existsSync(path.join(paths.agent, "instructions.md"))).toBe(true);
    expect(readdirSync(paths.workspace)).toEqual([]);
    expect(readState(paths)!.env).toMatchObject({
      OPENCODE_CONFIG: path.join(paths.agent, "opencode.json"),
      STUDIO_AGENT_DIR: paths.agent,
    });
    expect(statSync(paths.launcher).mode & 0o777).toBe(0o755);
    expect(statSync(paths.stateFile).mode & 0o777).toBe(0o600);

    const echo = await sandboxes.runCommand(handle.id, "echo hi");
    expect(echo).toEqual({ exitCode: 0, stdout: "hi\n", stderr: "" });
    // The whole tree runs below the studio's priority: the server, and what the agent runs.
    const serverPid = readState(paths)!.server!.pid;
    expect(readStat(serverPid)?.nice).toBe(10);
    expect((await sandboxes.runCommand(handle.id, "nice")).stdout.trim()).toBe("10");
    // ...and, where the kernel schedules each session as a group, so does the group against ours.
    if (sessionGroupNiceness(process.pid) !== null) {
      expect(sessionGroupNiceness(serverPid)).toBe(10);
      const commandGroup = await sandboxes.runCommand(handle.id, "cat /proc/self/autogroup");
      expect(commandGroup.stdout).toMatch(/ nice 10$/m);
    }
    const env = await sandboxes.runCommand(
      handle.id,
      'echo "$HOME|$STUDIO_GATEWAY_TOKEN|$(command -v opencode)|$PWD"',
    );
    expect(env.stdout.trim()).toBe(
      `${inside.home}|gw-token-for-tests|${readState(paths)!.server!.opencodeBinary}|${inside.workspace}`,
    );
    if (sandboxes.confinement.mode === "bwrap") {
      // Nothing the agent or a person reads inside names where the sandbox lives on this machine.
      const seen = await sandboxes.runCommand(
        handle.id,
        "env; pwd; cd ~ && pwd; ls -la ~ ~/.studio; cat $OPENCODE_CONFIG; cat /proc/self/mounts",
      );
      expect(seen.exitCode).toBe(0);
      expect(seen.stdout).toContain("custom/scripted-1");
      expect(seen.stdout).not.toContain(root);
    }

    const server = readState(paths)!.server!;
    if (handle.agentToken) {
      // Sharing the host's network: the token guards everything under /v1, health included.
      const health = (token?: string) =>
        fetch(`${handle.agentUrl}/v1/health`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      expect((await health(handle.agentToken)).status).toBe(200);
      expect((await health("wrong-token")).status).toBe(401);
      expect((await health()).status).toBe(401);
    } else {
      // A network of its own: sandbox-agent and OpenCode are reached only through sockets in a
      // directory of the studio's user alone; nothing of the sandbox listens on the host.
      expect(server.sockets).toBeTruthy();
      expect(statSync(server.sockets!.dir).mode & 0o777).toBe(0o700);
      expect(statSync(server.sockets!.agent).isSocket()).toBe(true);
      expect(await reachable(server.port)).toBe(false);
      expect(await reachable(server.opencodePort)).toBe(false);
      // ...so no token is needed, and none is on any command line, where every user reads it.
      for (const pid of processesOf(root, handle.id)) {
        const argv = (readCmdline(pid) ?? []).join(" ");
        expect(argv).not.toContain("--token");
        expect(argv).not.toContain(server.opencodePassword);
      }
    }

    // The agent binary is found (no agent_not_installed) and our launcher starts it.
    const init = await acpInitialize(handle, "int-test");
    expect(init.status).toBe(200);
    expect(init.body.result.agentInfo.name).toBe("OpenCode");

    // OpenCode's HTTP API is on the launcher's port, behind basic auth.
    const questions = `${handle.opencodeUrl}/question?directory=${encodeURIComponent(handle.workspaceDir)}`;
    const opencodeFetch = handle.opencodeFetch ?? fetch;
    const authorised = await opencodeFetch(questions, { headers: handle.opencodeHeaders });
    expect(authorised.status).toBe(200);
    expect(await authorised.json()).toEqual([]);
    expect((await opencodeFetch(questions)).status).toBe(401);

    // OpenCode has loaded its config (the API answered) and installs nothing into it: its plugin
    // package would be 60 MB per sandbox. Without the studio's files an install begins within a
    // second of the config loading (npm's cache appears in HOME at 0-0.6 s here); a busy machine
    // may begin later and let a regression through, never fail a good run.
    const globalConfig = path.join(paths.xdgConfig, "opencode");
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(existsSync(path.join(paths.home, ".npm"))).toBe(false);
    // With OpenCode up, the workspace is still exactly what the source put there: nothing.
    expect(readdirSync(paths.workspace)).toEqual([]);

    const before = processesOf(root, handle.id);
    expect(before).toContain(server.pid);
    expect(before.length).toBeGreaterThanOrEqual(2); // sandbox-agent (or bwrap) and opencode

    expect(readdirSync(path.join(globalConfig, "node_modules"))).toEqual([".studio"]);
    expect(JSON.parse(readFileSync(path.join(globalConfig, "package-lock.json"), "utf8")).packages).toEqual({
      "": { dependencies: { "@opencode-ai/plugin": "*" } },
    });

    await sandboxes.destroy(handle.id);
    for (const pid of before) expect(isAlive(pid)).toBe(false);
    expect(processesOf(root, handle.id)).toEqual([]);
    expect(existsSync(paths.dir)).toBe(false);
    expect(await sandboxes.health(handle.id)).toBe(false);
  }, 120_000);

  it("keeps the workspace across destroy({ keepWorkspace }) and resume, with the new env", async () => {
    const handle = await sandboxes.create(createOptions("session-2"));
    expect((await sandboxes.runCommand(handle.id, "echo kept > note.txt")).exitCode).toBe(0);
    // Caches and temporary files, as OpenCode and npm leave them; OpenCode's own data is kept.
    const paths = sandboxPaths(root, handle.id);
    const disposable = [
      path.join(paths.tmp, ".unpacked-native.so"),
      path.join(paths.xdgCache, "opencode", "models.json"),
      path.join(paths.home, ".npm", "_cacache", "index"),
      path.join(paths.xdgConfig, "opencode", "node_modules", "@opencode-ai", "plugin", "index.js"),
    ];
    const kept = [path.join(paths.xdgData, "opencode", "session.db"), path.join(paths.home, ".gitconfig")];
    for (const file of [...disposable, ...kept]) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, "x");
    }
    // A link the agent left there is removed, not followed.
    const outside = mkdtempSync(path.join(tmpdir(), "outside-sandbox-"));
    writeFileSync(path.join(outside, "precious.txt"), "x");
    symlinkSync(outside, path.join(paths.tmp, "escape"));
    await sandboxes.destroy(handle.id, { keepWorkspace: true });
    expect(processesOf(root, handle.id)).toEqual([]);
    expect(disposable.filter((file) => existsSync(file))).toEqual([]);
    expect(existsSync(path.join(outside, "precious.txt"))).toBe(true);
    rmSync(outside, { recursive: true });
    expect(kept.filter((file) => existsSync(file))).toEqual(kept);
    expect(readFileSync(path.join(paths.workspace, "note.txt"), "utf8")).toBe("kept\n");
    expect(await sandboxes.list()).toContainEqual({
      id: handle.id,
      sessionId: "session-2",
      state: "stopped",
    });

    const resumed = await sandboxes.resume(handle.id, {
      sessionId: "session-2b",
      env: { ...workspace.env, MARK: "new" },
    });
    expect(resumed.id).toBe(handle.id);
    expect(await sandboxes.health(handle.id)).toBe(true);
    const check = await sandboxes.runCommand(handle.id, 'cat note.txt; echo "$MARK"');
    expect(check.stdout).toBe("kept\nnew\n");
    expect(await sandboxes.list()).toContainEqual({
      id: handle.id,
      sessionId: "session-2b",
      state: "running",
    });

    const restarted = await sandboxes.restartAgentServer(handle.id);
    // A new server with new secrets (OpenCode's password; sandbox-agent's token where it has one).
    expect(restarted.opencodeHeaders).not.toEqual(resumed.opencodeHeaders);
    if (resumed.agentToken) expect(restarted.agentToken).not.toBe(resumed.agentToken);
    expect(await sandboxes.health(handle.id)).toBe(true);
    await sandboxes.destroy(handle.id);
    expect(processesOf(root, handle.id)).toEqual([]);
  }, 120_000);
});

describe.skipIf(!probeBwrap().layout)("local provider with bwrap confinement", () => {
  it("shows the agent only its own sandbox directories, read-only system files and no secrets", async () => {
    const root = newRoot();
    const sandboxes = provider(root, "bwrap");
    expect(sandboxes.confinement).toEqual({ mode: "bwrap", reason: null });
    const other = await sandboxes.create(createOptions("other"));
    const handle = await sandboxes.create(createOptions("confined"));
    const paths = sandboxPaths(root, handle.id);
    const inside = sandboxView(paths, true);
    const probe = (file: string) => `test -e ${file} && echo visible || echo hidden`;
    const result = await sandboxes.runCommand(
      handle.id,
      [
        probe(path.resolve(import.meta.dirname, "../../package.json")), // the studio's own code
        probe(paths.stateFile), // tokens and PIDs
        probe(sandboxPaths(root, other.id).workspace), // another sandbox
        probe("/etc/shadow"),
        probe(paths.workspace), // its own workspace, at its host path
        probe(path.join(inside.agent, "opencode.json")), // the studio's config: readable...
        `touch ${inside.agent}/probe 2>/dev/null && echo writable || echo read-only`, // ...not writable
        "touch /usr/studio-probe 2>/dev/null && echo writable || echo read-only",
        "touch ~/probe && echo home-writable",
        "ps -e -o pid= | wc -l", // its own PID namespace: bwrap's init, bash and the pipeline
      ].join("; "),
    );
    const lines = result.stdout.trim().split("\n");
    expect(Number(lines.pop())).toBeLessThan(10);
    expect(lines).toEqual([
      "hidden",
      "hidden",
      "hidden",
      "hidden",
      "hidden",
      "visible",
      "read-only",
      "read-only",
      "home-writable",
    ]);
    await sandboxes.destroy(handle.id);
    await sandboxes.destroy(other.id);
    expect(processesOf(root, handle.id)).toEqual([]);
  }, 60_000);

  it("reports a timed-out command as exit 124 and leaves nothing running", async () => {
    const root = newRoot();
    const sandboxes = provider(root);
    const handle = await sandboxes.create(createOptions("timeout"));
    const result = await sandboxes.runCommand(handle.id, "sleep 60 & sleep 60", { timeoutMs: 300 });
    expect(result.exitCode).toBe(124);
    expect(result.stderr).toContain("timed out");
    await sandboxes.destroy(handle.id);
    expect(processesOf(root, handle.id)).toEqual([]);
  }, 60_000);
});
