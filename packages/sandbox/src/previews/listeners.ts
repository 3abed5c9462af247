// Finds the ports a sandbox listens on by asking the sandbox itself: a short shell script run
// through sandbox-agent's `POST /v1/processes/run` (so it runs in the sandbox's network and PID
// namespaces, or on the E2B VM) prints its /proc/net/tcp* and the socket inodes of its processes;
// proc-net.ts makes sense of them. Detected, never typed: a port is only ever one a sandbox process
// really listens on.
import { workspaceApi } from "../agent-api/client.ts";
import type { SandboxHandle } from "../types.ts";
import { PreviewListingError } from "./errors.ts";
import {
  type ListeningPort,
  parseListenerReport,
  REPORT_SECTIONS,
  type SandboxListeners,
  sandboxListeners,
} from "./proc-net.ts";

/** Whose sockets count: every process the sandbox sees, or only those carrying its marker. */
export type ProcessScope =
  /** The sandbox's /proc shows its processes only (a PID namespace of its own, an E2B VM). */
  | { kind: "all" }
  /**
   * The sandbox shares the host's /proc (an unconfined local sandbox): only processes whose
   * environment has `STUDIO_SANDBOX_ID=<id>`, which the local provider gives sandbox-agent and so
   * everything it starts. A process that clears its environment is not found (so not previewed).
   */
  | { kind: "marked"; sandboxId: string };

export interface ListenerScope {
  processes: ProcessScope;
  /** Ports never previewed: sandbox-agent's and OpenCode's (their APIs run commands). */
  excludePorts: number[];
}

/** What a sandbox-agent-started process has in its environment (local provider, procfs.ts). */
const SANDBOX_ID_MARKER = "STUDIO_SANDBOX_ID";

const SANDBOX_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The script: sandbox-agent's PID (the script's parent), the two tables, then `<dir> <link>` for
 * every socket descriptor of the processes in scope (`$1`: the marker line to look for, or empty
 * for all). find and grep, one process each: a shell loop over every descriptor would fork per fd.
 * Errors are dropped: processes come and go while it runs, and another user's /proc/<pid>/fd (E2B's
 * own daemon, run as root) is not readable, which simply leaves its sockets foreign.
 */
const SCRIPT = `
echo "${REPORT_SECTIONS.agent} $PPID"
echo "${REPORT_SECTIONS.tcp}"; cat /proc/net/tcp 2>/dev/null
echo "${REPORT_SECTIONS.tcp6}"; cat /proc/net/tcp6 2>/dev/null
echo "${REPORT_SECTIONS.fds}"
if [ -n "$1" ]; then
  dirs=$(grep -lzx -F -e "$1" /proc/[0-9]*/environ 2>/dev/null | sed 's|/environ$|/fd|')
else
  dirs=$(ls -d /proc/[0-9]*/fd 2>/dev/null)
fi
[ -n "$dirs" ] && find $dirs -maxdepth 1 -lname 'socket:*' -printf '%h %l\\n' 2>/dev/null
exit 0
`;

/** The script's argv for `sh -c`, for one scope. */
export function listenerCommand(scope: ProcessScope): { command: string; args: string[] } {
  let marker = "";
  if (scope.kind === "marked") {
    // Never a pattern or a shell word: checked, then passed as an argument and matched literally.
    if (!SANDBOX_ID_PATTERN.test(scope.sandboxId)) throw new Error(`bad sandbox id: ${scope.sandboxId}`);
    marker = `${SANDBOX_ID_MARKER}=${scope.sandboxId}`;
  }
  return { command: "/bin/sh", args: ["-c", SCRIPT, "list-listeners", marker] };
}

/** The sandbox's listeners, with the ports that must never be previewed. */
export async function readSandboxListeners(
  handle: Pick<SandboxHandle, "agentUrl" | "agentToken" | "agentFetch">,
  scope: ListenerScope,
): Promise<SandboxListeners> {
  const { command, args } = listenerCommand(scope.processes);
  const result = await workspaceApi(handle).run(command, args, {
    cwd: "/",
    timeoutMs: 10_000,
    maxOutputBytes: 4 * 1024 * 1024,
  });
  if (result.exitCode !== 0 || result.stdoutTruncated)
    throw new PreviewListingError(
      result.timedOut
        ? "listing the sandbox's ports timed out"
        : `listing the sandbox's ports failed (${result.stdoutTruncated ? "too much output" : `exit ${result.exitCode}`}): ${result.stderr.slice(0, 500)}`,
    );
  return sandboxListeners(parseListenerReport(result.stdout), scope.excludePorts);
}

/** The TCP ports the sandbox's own processes listen on, ascending. */
export async function listListeningPortsIn(
  handle: Pick<SandboxHandle, "agentUrl" | "agentToken" | "agentFetch">,
  scope: ListenerScope,
): Promise<ListeningPort[]> {
  return (await readSandboxListeners(handle, scope)).ports;
}
