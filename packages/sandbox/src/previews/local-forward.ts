// The studio's way into a port of a local sandbox that has a network namespace of its own: a socat
// per previewed port, run in the sandbox's network namespace but in the host's filesystem (as the
// provider's own forwarders for sandbox-agent and OpenCode, network.ts), listening on a Unix socket
// in the sandbox's private socket directory (`run/`, mode 700, never bound into the sandbox) and
// connecting to the port on the namespace's loopback. It can only ever reach that namespace: not
// the studio, not its PostgreSQL, not another sandbox. It ends with the sandbox: a watcher ends it
// when the namespace's anchor (the provider's forwarder for sandbox-agent) is gone, and it carries
// the sandbox's marker in its environment, so stopping or reaping the sandbox ends it too.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { findExecutable } from "../local/confine.ts";
import type { ServerRecord } from "../local/layout.ts";
import { isAlive, readCmdline, sandboxMarkers } from "../local/procfs.ts";
import { PreviewUnavailableError } from "./errors.ts";

const WATCHER = `
anchor=$1 nsenter=$2 socat=$3 listen=$4 connect=$5
"$nsenter" -t "$anchor" -U -n --preserve-credentials "$socat" "$listen" "$connect" &
forwarder=$!
while kill -0 "$anchor" 2>/dev/null && kill -0 "$forwarder" 2>/dev/null; do sleep 1; done
kill "$forwarder" 2>/dev/null
`;

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * A process known to be in the sandbox's network namespace and not the agent's: the provider's
 * socat for sandbox-agent's socket, a child of the sandbox's supervisor (which an agent's process,
 * inside bwrap's PID namespace, can never be, whatever command line it gives itself).
 */
export function namespaceAnchor(server: ServerRecord): number | null {
  const sockets = server.sockets;
  if (!sockets) return null;
  const listen = `UNIX-LISTEN:${sockets.agent},`;
  const ownNet = readlinkSync("/proc/self/ns/net");
  for (const child of children(server.pid)) {
    const argv = readCmdline(child) ?? [];
    if (!argv.some((arg) => arg.startsWith(listen))) continue;
    try {
      if (readlinkSync(`/proc/${child}/ns/net`) !== ownNet) return child;
    } catch {}
  }
  return null;
}

/** Whether something accepts a connection on this Unix socket now. */
function accepts(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const connection = net.connect(socketPath, () => {
      connection.destroy();
      resolve(true);
    });
    connection.on("error", () => resolve(false));
  });
}

interface Forwarder {
  socketPath: string;
  watcherPid: number;
}

/** Starts (or reuses) per-port forwarders into local sandboxes' namespaces. */
export class LocalPortForwarders {
  readonly #forwarders = new Map<string, Forwarder>();
  /** Starts under way, so that two requests for one port share one forwarder. */
  readonly #starting = new Map<string, Promise<string>>();
  readonly #tools = { nsenter: findExecutable("nsenter"), socat: findExecutable("socat") };

  /** The Unix socket reaching `host:port` inside the namespace of the sandbox at `sandboxDir`. */
  async socketFor(
    sandboxId: string,
    sandboxDir: string,
    server: ServerRecord,
    target: { host: string; family: 4 | 6; port: number },
  ): Promise<string> {
    const sockets = server.sockets;
    const { nsenter, socat } = this.#tools;
    if (!sockets || !nsenter || !socat)
      throw new PreviewUnavailableError("this sandbox has no network of its own to forward into");
    // One per server start: a restart makes a new namespace and a fresh socket directory.
    const key = `${sandboxId}:${server.pid}:${server.pidStartTime}:${target.host}:${target.port}`;
    const known = this.#forwarders.get(key);
    if (known && isAlive(known.watcherPid) && existsSync(known.socketPath)) return known.socketPath;
    const pending = this.#starting.get(key);
    if (pending) return pending;
    const starting = this.#start(key, sandboxDir, server, target, { nsenter, socat });
    this.#starting.set(key, starting);
    try {
      return await starting;
    } finally {
      this.#starting.delete(key);
    }
  }

  async #start(
    key: string,
    sandboxDir: string,
    server: ServerRecord,
    target: { host: string; family: 4 | 6; port: number },
    tools: { nsenter: string; socat: string },
  ): Promise<string> {
    const { nsenter, socat } = tools;
    const sockets = server.sockets!;
    const anchor = namespaceAnchor(server);
    if (anchor === null) throw new PreviewUnavailableError("the sandbox's network is not up");
    // Short: sun_path is 108 bytes, and the provider sized the directory for "opencode.sock".
    const suffix = target.family === 6 ? "-6" : "";
    const socketPath = path.join(sockets.dir, `p${target.port}${suffix}.sock`);
    const connect =
      target.family === 6 ? `TCP6:[${target.host}]:${target.port}` : `TCP4:${target.host}:${target.port}`;
    const child = spawn(
      "/bin/bash",
      [
        "-c",
        WATCHER,
        "studio-preview",
        String(anchor),
        nsenter,
        socat,
        `UNIX-LISTEN:${socketPath},fork,unlink-early,umask=077`,
        connect,
      ],
      {
        detached: true,
        stdio: "ignore",
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          ...sandboxMarkers(sandboxDir),
        },
      },
    );
    child.unref();
    const watcherPid = child.pid;
    if (!watcherPid) throw new PreviewUnavailableError("could not start the preview forwarder");
    // Connectable, not merely present: socat creates the file at bind, a moment before it listens.
    for (let attempt = 0; attempt < 300; attempt++) {
      if (await accepts(socketPath)) {
        this.#forwarders.set(key, { socketPath, watcherPid });
        return socketPath;
      }
      if (!isAlive(watcherPid)) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    try {
      process.kill(-watcherPid, "SIGKILL");
    } catch {}
    throw new PreviewUnavailableError("the preview forwarder did not come up");
  }

  /** Ends every forwarder this instance started (they also end with their sandbox). */
  close(): void {
    for (const { watcherPid } of this.#forwarders.values()) {
      try {
        process.kill(-watcherPid, "SIGTERM");
      } catch {}
    }
    this.#forwarders.clear();
  }
}
