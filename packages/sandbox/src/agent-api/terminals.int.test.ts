// Terminals against the real sandbox-agent 0.4.2 in real local sandboxes, over both transports:
// `auto` confinement gives the sandbox a network of its own where the machine can (reached through
// the studio's Unix socket, no token), `none` shares the host's network (TCP with a token).
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalSandboxProvider } from "../local/provider.ts";
import type { SandboxHandle } from "../types.ts";
import { WorkspaceApiError } from "./errors.ts";
import { attachTerminal, openTerminalSocket, type TerminalConnection } from "./terminal-socket.ts";
import {
  endTerminal,
  listTerminals,
  readTerminalOutput,
  resizeTerminal,
  startTerminal,
} from "./terminals.ts";

const roots: string[] = [];
const providers: LocalSandboxProvider[] = [];

function newProvider(confinement: "auto" | "none"): LocalSandboxProvider {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), "studio-term-")));
  roots.push(root);
  const provider = new LocalSandboxProvider({ rootDir: root, confinement });
  providers.push(provider);
  return provider;
}

afterAll(async () => {
  for (const provider of providers) await provider.shutdown();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** Host PIDs of every live process whose environment holds this marker (the terminal's, inherited). */
function processesMarked(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1");
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state !== "Z" && environ.split("\0").includes(`STUDIO_TERMINAL_MARK=${marker}`))
        found.push(Number(entry));
    } catch {}
  }
  return found;
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Viewer {
  connection: TerminalConnection;
  text(): string;
  events: string[];
}

/** Opens a socket to the terminal and collects everything it reports, once it is ready. */
async function view(handle: SandboxHandle, processId: string): Promise<Viewer> {
  let output = "";
  const events: string[] = [];
  const connection = attachTerminal(openTerminalSocket(handle, processId), {
    ready: () => events.push("ready"),
    output: (bytes) => {
      output += bytes.toString("utf8");
    },
    exit: (code) => events.push(`exit:${code}`),
    error: (message) => events.push(`error:${message}`),
    closed: () => events.push("closed"),
  });
  await waitFor("the terminal to be ready", () => events.includes("ready") || events.includes("closed"));
  expect(events).toEqual(["ready"]);
  return { connection, text: () => output, events };
}

describe.each(["auto", "none"] as const)("terminals (confinement %s)", (confinement) => {
  let provider: LocalSandboxProvider;
  let handle: SandboxHandle;
  const open = (env: Record<string, string> = {}) =>
    startTerminal(handle, { cwd: handle.workspaceDir, cols: 80, rows: 24, env });

  beforeAll(async () => {
    provider = newProvider(confinement);
    handle = await provider.create({ sessionId: `terminals-${confinement}`, env: {}, files: [] });
  }, 60_000);

  it("reaches the terminal through the sandbox's own transport", () => {
    if (handle.agentToken === null) {
      expect(handle.agentSocketPath).toMatch(/agent\.sock$/);
    } else {
      expect(handle.agentSocketPath).toBeUndefined();
      expect(handle.agentUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    }
    if (confinement === "none") expect(handle.agentToken).not.toBeNull();
  });

  it("runs a login bash in the workspace and shows what it prints", async () => {
    const { processId } = await open();
    const terminal = await view(handle, processId);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, typed into the terminal.
    terminal.connection.input('echo hi-$((6*7)) "$PWD" "$TERM" "${BASH_VERSION:+bash}"\n');
    // The echoed command line holds `hi-$((6*7))`, never `hi-42`: only the shell's answer does.
    await waitFor("hi-42", () =>
      terminal.text().includes(`hi-42 ${handle.workspaceDir} xterm-256color bash`),
    );
    // Raw bytes go base64 and arrive as typed.
    terminal.connection.input(Buffer.from("echo bytes-$((2+3))\n"));
    await waitFor("bytes-5", () => terminal.text().includes("bytes-5"));
    expect((await listTerminals(handle)).map((t) => t.processId)).toContain(processId);
    await endTerminal(handle, processId);
  }, 60_000);

  it("resizes the PTY from the API and from the socket", async () => {
    const { processId } = await open();
    const terminal = await view(handle, processId);
    terminal.connection.input("stty size\n");
    await waitFor("24 80", () => terminal.text().includes("24 80"));
    await resizeTerminal(handle, processId, 91, 27);
    terminal.connection.input("stty size\n");
    await waitFor("27 91", () => terminal.text().includes("27 91"));
    terminal.connection.resize(101, 33);
    terminal.connection.input("stty size\n");
    await waitFor("33 101", () => terminal.text().includes("33 101"));
    await expect(resizeTerminal(handle, processId, 0, 10)).rejects.toBeInstanceOf(WorkspaceApiError);
    expect(() => terminal.connection.resize(5000, 10)).toThrow(WorkspaceApiError);
    await endTerminal(handle, processId);
  }, 60_000);

  it("shares one PTY between sockets, replays nothing to a late one, and keeps the output in its log", async () => {
    const { processId } = await open();
    const first = await view(handle, processId);
    first.connection.input("echo before-$((1+1))\n");
    await waitFor("before-2", () => first.text().includes("before-2"));
    const second = await view(handle, processId);
    second.connection.input("echo after-$((1+2))\n");
    await waitFor(
      "after-3 on both",
      () => first.text().includes("after-3") && second.text().includes("after-3"),
    );
    expect(second.text()).not.toContain("before-2");
    // The log keeps what the socket does not replay; `since` gives only what came after.
    const log = await readTerminalOutput(handle, processId);
    expect(Buffer.concat(log.map((c) => c.bytes)).toString("utf8")).toContain("before-2");
    const last = log.at(-1)!.sequence;
    expect(await readTerminalOutput(handle, processId, { since: last })).toEqual([]);
    // Closing one socket leaves the terminal and the other socket working.
    second.connection.close();
    await waitFor("the second socket to close", () => second.events.includes("closed"));
    first.connection.input("echo still-$((2*2))\n");
    await waitFor("still-4", () => first.text().includes("still-4"));
    expect(first.events).toEqual(["ready"]);
    await endTerminal(handle, processId);
  }, 60_000);

  it("ends the shell and everything started in it, and tells open sockets", async () => {
    const marker = randomBytes(8).toString("hex");
    const { processId } = await open({ STUDIO_TERMINAL_MARK: marker });
    const terminal = await view(handle, processId);
    // A background job: a shell killed outright would leave it running.
    terminal.connection.input("sleep 3171 & echo started-$((3*3))\n");
    await waitFor("started-9", () => terminal.text().includes("started-9"));
    expect(processesMarked(marker).length).toBeGreaterThanOrEqual(2);

    await endTerminal(handle, processId);
    await waitFor("the socket to close", () => terminal.events.includes("closed"));
    // The exit frame races the record's deletion in sandbox-agent: a socket sees it, or just the close.
    expect([
      ["ready", "exit:null", "closed"],
      ["ready", "closed"],
    ]).toContainEqual(terminal.events);
    await waitFor("every process of the terminal to be gone", () => processesMarked(marker).length === 0);
    expect(await listTerminals(handle)).toEqual([]);
    // Idempotent, and its record is gone.
    await endTerminal(handle, processId);
    await expect(resizeTerminal(handle, processId, 80, 24)).rejects.toMatchObject({ status: 404 });
    const refused = await new Promise<string>((resolve) =>
      attachTerminal(openTerminalSocket(handle, processId), { error: resolve }),
    );
    expect(refused).toBe("No such terminal");
  }, 60_000);

  it("refuses hostile ids, a foreign process and a wrong token", async () => {
    for (const bad of ["../fs/entry", "proc_1?x=1", "", "a".repeat(65)]) {
      await expect(endTerminal(handle, bad)).rejects.toBeInstanceOf(WorkspaceApiError);
      expect(() => openTerminalSocket(handle, bad)).toThrow(WorkspaceApiError);
    }
    // A process that is not a terminal (an agent's command) is never ended through this API.
    const doFetch = handle.agentFetch ?? fetch;
    const auth: Record<string, string> = handle.agentToken
      ? { authorization: `Bearer ${handle.agentToken}` }
      : {};
    const created = await doFetch(`${handle.agentUrl}/v1/processes`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ command: "sleep", args: ["60"] }),
    });
    const foreign = (await created.json()) as { id: string };
    await expect(endTerminal(handle, foreign.id)).rejects.toThrow(/not a terminal/);
    expect(await listTerminals(handle)).toEqual([]);
    const state = await doFetch(`${handle.agentUrl}/v1/processes/${foreign.id}`, { headers: auth });
    expect(((await state.json()) as { status: string }).status).toBe("running");
    await doFetch(`${handle.agentUrl}/v1/processes/${foreign.id}/kill`, { method: "POST", headers: auth });
    await doFetch(`${handle.agentUrl}/v1/processes/${foreign.id}`, { method: "DELETE", headers: auth });

    if (handle.agentToken) {
      const { processId } = await open();
      const message = await new Promise<string>((resolve) =>
        attachTerminal(openTerminalSocket({ ...handle, agentToken: "wrong" }, processId), {
          error: resolve,
          ready: () => resolve("ready"),
        }),
      );
      expect(message).toBe("The terminal refused the connection (HTTP 401)");
      await endTerminal(handle, processId);
    }
  }, 60_000);

  it("ends every terminal when the sandbox is destroyed", async () => {
    const other = await provider.create({
      sessionId: `terminals-destroy-${confinement}`,
      env: {},
      files: [],
    });
    const marker = randomBytes(8).toString("hex");
    const { processId } = await startTerminal(other, {
      cwd: other.workspaceDir,
      cols: 80,
      rows: 24,
      env: { STUDIO_TERMINAL_MARK: marker },
    });
    const terminal = await view(other, processId);
    terminal.connection.input("sleep 3172 & echo up-$((4*4))\n");
    await waitFor("up-16", () => terminal.text().includes("up-16"));
    expect(processesMarked(marker).length).toBeGreaterThanOrEqual(2);
    await provider.destroy(other.id);
    await waitFor("the socket to close", () => terminal.events.includes("closed"));
    await waitFor("every process of the terminal to be gone", () => processesMarked(marker).length === 0);
  }, 60_000);
});
