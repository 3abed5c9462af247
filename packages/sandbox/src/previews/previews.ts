// Previews, sandbox side: which ports a sandbox's own processes listen on, and how the studio's
// preview proxy reaches one of them. Every target is checked against a fresh listing, so a proxy
// built on `previewTarget` can reach only a port a sandbox process listens on, never sandbox-agent's
// or OpenCode's, and never a port another process (pasta's forward to the studio, PostgreSQL, the
// studio itself, another sandbox) also listens on.

import { isSandboxId, readState, type ServerRecord, sandboxPaths } from "../local/layout.ts";
import { LocalSandboxProvider } from "../local/provider.ts";
import { isOurServer } from "../local/server.ts";
import type { SandboxHandle, SandboxProvider } from "../types.ts";
import { PreviewListingError, PreviewPortInvalidError, PreviewPortNotListeningError } from "./errors.ts";
import { type ListenerScope, readSandboxListeners } from "./listeners.ts";
import { LocalPortForwarders } from "./local-forward.ts";
import { connectAddress, type ListeningPort } from "./proc-net.ts";

/** How the proxy reaches a previewed port. */
export type PreviewTarget =
  /**
   * A Unix socket on the studio's machine that leads to the port inside the sandbox's own network
   * (local sandbox with a network namespace): `http.request({ socketPath })`, any Host header.
   */
  | { kind: "socket"; port: number; socketPath: string }
  /**
   * An HTTP origin: `http://127.0.0.1:<port>` for a local sandbox on the host's network, or the
   * sandbox's public host for that port on E2B (`https://<port>-<id>.<domain>`).
   */
  | { kind: "http"; port: number; origin: string };

export interface SandboxPreviews {
  /** The TCP ports the sandbox's own processes listen on, ascending. */
  listListeningPorts(handle: SandboxHandle): Promise<ListeningPort[]>;
  /** How to reach `port`; refuses any port the sandbox's processes do not listen on. */
  previewTarget(handle: SandboxHandle, port: number): Promise<PreviewTarget>;
  /** Ends the forwarders it started (they also end with their sandbox). */
  close(): void;
}

/** `3000` from `https://3000-<id>.e2b.app`: E2B's host names start with the port. */
function e2bHostPort(url: string): { port: number; rest: string } | null {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return null;
  }
  const match = /^(\d{1,5})-(.+)$/.exec(host);
  return match ? { port: Number(match[1]), rest: match[2]! } : null;
}

function runningLocalServer(rootDir: string, sandboxId: string): { dir: string; server: ServerRecord } {
  if (!isSandboxId(sandboxId)) throw new PreviewListingError(`sandbox ${sandboxId} not found`);
  const paths = sandboxPaths(rootDir, sandboxId);
  const server = readState(paths)?.server;
  if (!server || !isOurServer(server)) throw new PreviewListingError(`sandbox ${sandboxId} is not running`);
  return { dir: paths.dir, server };
}

function localScope(sandboxId: string, server: ServerRecord): ListenerScope {
  // bwrap always gives the sandbox a PID namespace of its own: its /proc shows only its processes.
  const processes =
    server.confinement === "bwrap" ? ({ kind: "all" } as const) : ({ kind: "marked", sandboxId } as const);
  return { processes, excludePorts: [server.port, server.opencodePort] };
}

/** E2B's public origin for a port of the sandbox whose sandbox-agent is at `agentUrl`. */
export function e2bPreviewOrigin(agentUrl: string, port: number): string {
  const agent = e2bHostPort(agentUrl);
  if (!agent) throw new PreviewListingError("the sandbox's public host is unknown");
  return `https://${checkPreviewPort(port)}-${agent.rest}`;
}

function e2bScope(handle: SandboxHandle): ListenerScope {
  const excludePorts = [handle.agentUrl, handle.opencodeUrl].flatMap((url) => {
    const parsed = e2bHostPort(url);
    return parsed ? [parsed.port] : [];
  });
  return { processes: { kind: "all" }, excludePorts };
}

export function checkPreviewPort(port: unknown): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65_535)
    throw new PreviewPortInvalidError(port);
  return port;
}

/** Previews for the sandboxes of one provider. */
export function sandboxPreviews(provider: SandboxProvider): SandboxPreviews {
  const forwarders = new LocalPortForwarders();
  const local = provider instanceof LocalSandboxProvider ? provider : null;

  function scopeOf(handle: SandboxHandle): ListenerScope {
    if (handle.provider === "e2b") return e2bScope(handle);
    if (!local) throw new PreviewListingError("no local provider for this sandbox");
    return localScope(handle.id, runningLocalServer(local.rootDir, handle.id).server);
  }

  async function listening(handle: SandboxHandle, port: number): Promise<ListeningPort> {
    const listeners = await readSandboxListeners(handle, scopeOf(handle));
    const found = listeners.ports.find((candidate) => candidate.port === port);
    if (!found || listeners.foreignPorts.has(port)) throw new PreviewPortNotListeningError(port);
    return found;
  }

  return {
    async listListeningPorts(handle) {
      return (await readSandboxListeners(handle, scopeOf(handle))).ports;
    },

    async previewTarget(handle, requested) {
      const port = checkPreviewPort(requested);
      const found = await listening(handle, port);
      if (handle.provider === "e2b") {
        return { kind: "http", port, origin: e2bPreviewOrigin(handle.agentUrl, port) };
      }
      const { dir, server } = runningLocalServer(local!.rootDir, handle.id);
      const address = connectAddress(found);
      if (server.sockets) {
        const socketPath = await forwarders.socketFor(handle.id, dir, server, { ...address, port });
        return { kind: "socket", port, socketPath };
      }
      // The host's network: the listing just showed this port is held by the sandbox alone. It is
      // a check at one moment; the proxy asks again for each new connection (see the report).
      const host = address.family === 6 ? `[${address.host}]` : address.host;
      return { kind: "http", port, origin: `http://${host}:${port}` };
    },

    close() {
      forwarders.close();
    },
  };
}
