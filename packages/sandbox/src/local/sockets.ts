// The Unix sockets through which the studio reaches a sandbox's servers when the sandbox has a
// network of its own (see network.ts). They live in a directory only the studio's user can open,
// never bound into any sandbox, so neither another user of the machine nor an agent can connect to
// them, move them or put a link in their place.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Agent, fetch as undiciFetch } from "undici";
import type { SandboxPaths } from "./layout.ts";
import { SOCKET_PATH_PATTERN } from "./network.ts";

export interface SandboxSockets {
  dir: string;
  /** sandbox-agent's HTTP API. */
  agent: string;
  /** OpenCode's HTTP API (question replies). */
  opencode: string;
}

/** The URL the studio uses for a server behind a socket: only its path matters. */
export const SOCKET_BASE_URL = "http://localhost";

// sun_path holds 108 bytes with the terminating NUL.
const MAX_SOCKET_PATH = 107;
const LONGEST_NAME = "opencode.sock";

function socketsIn(dir: string): SandboxSockets {
  return { dir, agent: path.join(dir, "agent.sock"), opencode: path.join(dir, LONGEST_NAME) };
}

function usable(dir: string): boolean {
  const longest = path.join(dir, LONGEST_NAME);
  return longest.length <= MAX_SOCKET_PATH && SOCKET_PATH_PATTERN.test(longest);
}

/**
 * A fresh, empty socket directory (mode 700) for the next start: `run/` beside the sandbox's state,
 * or a private one under the temp directory when that path is too long for a socket address.
 */
export function createSocketDir(paths: SandboxPaths): SandboxSockets {
  const dir = path.join(paths.dir, "run");
  if (usable(dir)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { mode: 0o700 });
    return socketsIn(dir);
  }
  const temporary = mkdtempSync(path.join(os.tmpdir(), "studio-sbx-"));
  if (!usable(temporary)) {
    rmSync(temporary, { recursive: true, force: true });
    throw new Error(`no usable directory for the sandbox's sockets (${temporary} is too long)`);
  }
  return socketsIn(temporary);
}

export function removeSocketDir(sockets: SandboxSockets): void {
  rmSync(sockets.dir, { recursive: true, force: true });
}

/** A fetch whose every request goes to this Unix socket, whatever the URL's host says. */
export function fetchThroughSocket(socket: string): typeof fetch {
  const dispatcher = new Agent({ connect: { socketPath: socket } });
  const viaSocket = (input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    });
  return viaSocket as unknown as typeof fetch;
}
