// Terminals in a workspace: sandbox-agent 0.4.2's tty processes (a PTY per process), driven over
// its HTTP API like every other workspace call, so it works the same for every provider. The
// terminal's bytes go over a WebSocket; see terminal-socket.ts.

import { type WorkspaceApiTarget, workspaceApi } from "./client.ts";
import { errorFromResponse, WorkspaceApiError } from "./errors.ts";

export interface StartTerminalOptions {
  /** Absolute directory inside the sandbox the shell starts in (the workspace). */
  cwd: string;
  cols: number;
  rows: number;
  /** Added to sandbox-agent's environment; TERM defaults to xterm-256color (what xterm.js speaks). */
  env?: Record<string, string>;
}

export interface TerminalInfo {
  processId: string;
  /** The shell's PID as the sandbox sees it (inside its PID namespace when it has one). */
  pid: number;
  createdAtMs: number;
}

interface ProcessRecord {
  id: string;
  tty?: boolean;
  status: string;
  pid?: number | null;
  createdAtMs?: number;
}

// Bounds a browser can ask for; sandbox-agent takes any u16, and a 0×0 PTY confuses programs.
const MAX_DIMENSION = 1000;
// sandbox-agent names its processes proc_<n>; anything else never reaches a URL.
const PROCESS_ID = /^[A-Za-z0-9_-]{1,64}$/;

// bash when the sandbox has it, else sh: one request, and `exec` keeps the PID sandbox-agent knows
// (the PTY's session leader), which `endTerminal` relies on.
const LOGIN_SHELL = "if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi";

/**
 * bash's prompt names the folder relative to the workspace: a local sandbox's workspace lives at
 * the host's path, which people are not shown. Set before each prompt (PROMPT_COMMAND), since the
 * distribution's bashrc sets its own PS1 after the environment's.
 */
const WORKSPACE_PROMPT =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template.
  'case "$PWD" in "$STUDIO_WORKSPACE"|"$STUDIO_WORKSPACE"/*) PS1="workspace${PWD#"$STUDIO_WORKSPACE"}\\$ ";; *) PS1="\\w\\$ ";; esac';

// SIGKILL to every process of the terminal's session but the leader: background jobs and what
// they started. sandbox-agent's kill reaches only the shell, and a shell killed outright sends no
// SIGHUP to its jobs, so without this `sleep 1000 &` would outlive the terminal. Plain POSIX sh
// and /proc, so it needs no procps in the sandbox. The comm field may hold spaces and parentheses:
// the fields after its last ") " are state, ppid, pgrp, session.
const KILL_SESSION = `sid="$1"
for dir in /proc/[0-9]*; do
  pid="\${dir#/proc/}"
  [ "$pid" = "$sid" ] && continue
  read -r stat < "$dir/stat" 2>/dev/null || continue
  rest="\${stat##*) }"
  set -- $rest
  [ "$4" = "$sid" ] && kill -KILL "$pid" 2>/dev/null
done
exit 0`;

export function assertProcessId(processId: string): void {
  if (!PROCESS_ID.test(processId)) throw new WorkspaceApiError(400, "Not a terminal id");
}

export function assertTerminalSize(cols: number, rows: number): void {
  for (const value of [cols, rows]) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_DIMENSION)
      throw new WorkspaceApiError(400, `A terminal's size must be whole numbers from 1 to ${MAX_DIMENSION}`);
  }
}

function caller(target: WorkspaceApiTarget) {
  const doFetch = target.agentFetch ?? fetch;
  const base = target.agentUrl.replace(/\/+$/, "");
  const auth: Record<string, string> = target.agentToken
    ? { authorization: `Bearer ${target.agentToken}` }
    : {};
  /** The response, or null for a 404 when `missingOk`. */
  return async function call<T>(
    what: string,
    method: string,
    url: string,
    options: { body?: unknown; missingOk?: boolean } = {},
  ): Promise<T | null> {
    let response: Response;
    try {
      response = await doFetch(`${base}${url}`, {
        method,
        headers: {
          ...auth,
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch (error) {
      throw new WorkspaceApiError(0, `${what} failed: the sandbox did not answer (${(error as Error).name})`);
    }
    if (response.status === 404 && options.missingOk) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw await errorFromResponse(response, what);
    if (response.status === 204) return null;
    return (await response.json()) as T;
  };
}

const processPath = (processId: string) => `/v1/processes/${encodeURIComponent(processId)}`;

/** Starts a login shell on a new PTY of the given size in `cwd`. */
export async function startTerminal(
  target: WorkspaceApiTarget,
  options: StartTerminalOptions,
): Promise<{ processId: string }> {
  assertTerminalSize(options.cols, options.rows);
  const call = caller(target);
  const what = "Opening a terminal in the sandbox";
  const created = await call<ProcessRecord>(what, "POST", "/v1/processes", {
    body: {
      command: "sh",
      args: ["-c", LOGIN_SHELL],
      cwd: options.cwd,
      env: {
        TERM: "xterm-256color",
        STUDIO_WORKSPACE: options.cwd,
        PROMPT_COMMAND: WORKSPACE_PROMPT,
        ...(options.env ?? {}),
      },
      tty: true,
      interactive: true,
    },
  });
  const processId = created!.id;
  // sandbox-agent 0.4.2 takes no size at creation; the shell picks this up by SIGWINCH.
  try {
    await resizeTerminal(target, processId, options.cols, options.rows);
  } catch (error) {
    await endTerminal(target, processId).catch(() => {});
    throw error;
  }
  return { processId };
}

/** Sets the PTY's size (the shell and its programs get SIGWINCH). Fails once the terminal ended. */
export async function resizeTerminal(
  target: WorkspaceApiTarget,
  processId: string,
  cols: number,
  rows: number,
): Promise<void> {
  assertProcessId(processId);
  assertTerminalSize(cols, rows);
  await caller(target)("Resizing a terminal", "POST", `${processPath(processId)}/terminal/resize`, {
    body: { cols, rows },
  });
}

/**
 * Ends a terminal: everything started in it, then the shell, then sandbox-agent's record of it
 * (its logged output goes with it). Idempotent: an unknown or already ended terminal is fine.
 * Refuses a process that is not a terminal, so a terminal id can never stop an agent's command.
 */
export async function endTerminal(target: WorkspaceApiTarget, processId: string): Promise<void> {
  assertProcessId(processId);
  const call = caller(target);
  const what = "Closing a terminal";
  const record = await call<ProcessRecord>(what, "GET", processPath(processId), { missingOk: true });
  if (!record) return;
  if (!record.tty) throw new WorkspaceApiError(400, `${what} failed: that process is not a terminal`);
  if (record.status === "running" && typeof record.pid === "number") {
    await workspaceApi(target).run("sh", ["-c", KILL_SESSION, "kill-session", String(record.pid)], {
      timeoutMs: 10_000,
    });
    await call(what, "POST", `${processPath(processId)}/kill`, { missingOk: true });
  }
  await call(what, "DELETE", processPath(processId), { missingOk: true });
}

/** The terminals whose shell still runs, oldest first. */
export async function listTerminals(target: WorkspaceApiTarget): Promise<TerminalInfo[]> {
  const listed = await caller(target)<{ processes: ProcessRecord[] }>(
    "Listing the sandbox's terminals",
    "GET",
    "/v1/processes",
  );
  return (listed?.processes ?? [])
    .filter((p) => p.tty === true && p.status === "running" && typeof p.pid === "number")
    .map((p) => ({ processId: p.id, pid: p.pid as number, createdAtMs: p.createdAtMs ?? 0 }))
    .sort((a, b) => a.createdAtMs - b.createdAtMs);
}

export interface TerminalOutputChunk {
  sequence: number;
  bytes: Buffer;
}

/**
 * What the terminal printed, as sandbox-agent keeps it (`/logs`, stream `pty`): the socket itself
 * replays nothing to a newcomer, so this is what a reconnect can be given. `since`: only chunks
 * after that sequence; `tail`: only the last n chunks.
 */
export async function readTerminalOutput(
  target: WorkspaceApiTarget,
  processId: string,
  options: { since?: number; tail?: number } = {},
): Promise<TerminalOutputChunk[]> {
  assertProcessId(processId);
  const query = new URLSearchParams();
  if (options.since !== undefined) query.set("since", String(Math.max(0, Math.floor(options.since))));
  if (options.tail !== undefined) query.set("tail", String(Math.max(1, Math.floor(options.tail))));
  const suffix = query.size ? `?${query}` : "";
  const logs = await caller(target)<{
    entries: { sequence: number; data: string; encoding?: string }[];
  }>("Reading a terminal's output", "GET", `${processPath(processId)}/logs${suffix}`);
  return (logs?.entries ?? []).map((entry) => ({
    sequence: entry.sequence,
    bytes: Buffer.from(entry.data, entry.encoding === "base64" ? "base64" : "utf8"),
  }));
}
