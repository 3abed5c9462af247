// Previews of real local sandboxes (the real sandbox-agent, bwrap and pasta where this machine has
// them, and unconfined on the host's network): a server started in the sandbox through
// sandbox-agent's process API is listed and reached through its preview target; the studio's
// stand-ins on the host's loopback (its own port, its PostgreSQL) and another sandbox's server are
// refused, including a port pasta forwards into the sandbox to the studio's gateway.
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readState, sandboxPaths } from "../local/layout.ts";
import { freePort } from "../local/ports.ts";
import { scanSandboxProcesses } from "../local/procfs.ts";
import { LocalSandboxProvider } from "../local/provider.ts";
import type { SandboxHandle } from "../types.ts";
import { buildWorkspace } from "../workspace/build.ts";
import { PreviewPortInvalidError, PreviewPortNotListeningError } from "./errors.ts";
import { readSandboxListeners } from "./listeners.ts";
import { type PreviewTarget, type SandboxPreviews, sandboxPreviews } from "./previews.ts";

const roots: string[] = [];
const providers: LocalSandboxProvider[] = [];
const hostServers: net.Server[] = [];

const workspace = buildWorkspace({
  provider: "custom",
  model: "scripted-1",
  gateway: { baseUrl: "http://127.0.0.1:9/api/llm", token: "gw-token-for-tests" },
  toolPermissions: "ask",
});

/** A TCP server on the host's loopback, standing in for the studio or its PostgreSQL. */
async function hostService(reply: string): Promise<number> {
  const server = net.createServer((socket) => socket.end(reply));
  hostServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

/** Processes whose command line (joined by spaces) passes `test`, without their own children. */
function processTreesRooted(test: (argv: string) => boolean): number[] {
  const matching = new Map<number, number>();
  for (const name of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, "latin1").split("\0").join(" ");
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (test(argv)) matching.set(Number(name), parent);
    } catch {}
  }
  // A watcher forks before each exec (its `sleep`, its forwarder): such a child shows the
  // watcher's own command line for a moment, and is not another watcher.
  return [...matching].filter(([, parent]) => !matching.has(parent)).map(([pid]) => pid);
}

afterAll(async () => {
  for (const provider of providers) await provider.shutdown();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
  for (const server of hostServers) await new Promise((resolve) => server.close(resolve));
});

function auth(handle: SandboxHandle): Record<string, string> {
  return handle.agentToken ? { authorization: `Bearer ${handle.agentToken}` } : {};
}

/** Starts a long-running process in the sandbox through sandbox-agent (as the agent's tools do). */
async function startInSandbox(handle: SandboxHandle, command: string, args: string[]): Promise<string> {
  const response = await (handle.agentFetch ?? fetch)(`${handle.agentUrl}/v1/processes`, {
    method: "POST",
    headers: { ...auth(handle), "content-type": "application/json" },
    body: JSON.stringify({ command, args, cwd: handle.workspaceDir }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: string }).id;
}

/** A raw HTTP exchange through a preview target: the status line, headers and body as text. */
function request(target: PreviewTarget, pathname: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; socket: net.Socket | null }>((resolve, reject) => {
    const options =
      target.kind === "socket"
        ? { socketPath: target.socketPath }
        : { host: new URL(target.origin).hostname.replace(/^\[|\]$/g, ""), port: target.port };
    const req = http.request({ ...options, path: pathname, headers: { host: "preview.test", ...headers } });
    req.on("upgrade", (response, socket) => resolve({ status: response.statusCode!, body: "", socket }));
    req.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode!, body, socket: null }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await probe();
  for (let attempt = 0; attempt < 100 && !ok(value); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await probe();
  }
  return value;
}

// An HTTP server that also answers an Upgrade with 101 and then echoes bytes: what a dev server's
// hot-reload WebSocket needs from the way in (the bytes after the handshake pass untouched).
const UPGRADE_SERVER = `
import http.server, socketserver, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.end_headers()
            self.wfile.flush()
            while True:
                data = self.rfile.read1(4096)
                if not data:
                    return
                self.wfile.write(b"echo:" + data)
                self.wfile.flush()
        return super().do_GET()
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    address_family = __import__("socket").AF_INET6 if sys.argv[2] == "::" else __import__("socket").AF_INET
Server((sys.argv[2], int(sys.argv[1])), Handler).serve_forever()
`;

describe.each(["auto", "none"] as const)("previews of local sandboxes (confinement %s)", (confinement) => {
  let provider: LocalSandboxProvider;
  let previews: SandboxPreviews;
  let studioPort: number;
  let postgresPort: number;
  let handle: SandboxHandle;
  let other: SandboxHandle;
  let appPort: number;
  let otherPort: number;

  beforeAll(async () => {
    studioPort = await hostService("studio\n");
    postgresPort = await hostService("postgres\n");
    const root = realpathSync(mkdtempSync(path.join(tmpdir(), "studio-prv-")));
    roots.push(root);
    // pasta forwards the studio's port into each sandbox with a network of its own: it listens
    // there, inside the sandbox's network, and leads to the studio. It must never be previewed.
    provider = new LocalSandboxProvider({ rootDir: root, confinement, studioPorts: () => [studioPort] });
    providers.push(provider);
    previews = sandboxPreviews(provider);
    const options = (sessionId: string) => ({ sessionId, env: workspace.env, files: workspace.files });
    [handle, other] = await Promise.all([
      provider.create(options("preview-a")),
      provider.create(options("preview-b")),
    ]);
    appPort = await freePort(new Set([studioPort, postgresPort]));
    otherPort = await freePort(new Set([studioPort, postgresPort, appPort]));
    const workspaceOnHost = sandboxPaths(provider.rootDir, handle.id).workspace;
    writeFileSync(path.join(workspaceOnHost, "index.html"), "<h1>preview works</h1>\n");
    writeFileSync(path.join(workspaceOnHost, "serve.py"), UPGRADE_SERVER);
    await startInSandbox(handle, "/usr/bin/python3", ["serve.py", String(appPort), "::"]);
    await startInSandbox(other, "/usr/bin/python3", [
      "-m",
      "http.server",
      String(otherPort),
      "--bind",
      "127.0.0.1",
    ]);
  }, 120_000);

  afterAll(() => previews?.close());

  it("lists the port a sandbox process listens on, and only the sandbox's own", async () => {
    const ports = await eventually(
      () => previews.listListeningPorts(handle),
      (found) => found.some((port) => port.port === appPort),
    );
    expect(ports).toEqual([{ port: appPort, addresses: ["::"] }]);
    const server = readState(sandboxPaths(provider.rootDir, handle.id))!.server!;
    expect(ports.map((port) => port.port)).not.toContain(server.port);
    const others = await eventually(
      () => previews.listListeningPorts(other),
      (found) => found.some((port) => port.port === otherPort),
    );
    expect(others).toEqual([{ port: otherPort, addresses: ["127.0.0.1"] }]);
  }, 30_000);

  it("reaches the port through its target: a page, and an upgraded connection", async () => {
    const target = await previews.previewTarget(handle, appPort);
    expect(target.kind).toBe(provider.network.mode === "own" && confinement === "auto" ? "socket" : "http");
    const page = await request(target, "/index.html");
    expect(page).toMatchObject({ status: 200, body: "<h1>preview works</h1>\n" });
    // The same forwarder serves the next request.
    expect(await previews.previewTarget(handle, appPort)).toEqual(target);

    const upgraded = await request(target, "/hot", { connection: "Upgrade", upgrade: "websocket" });
    expect(upgraded.status).toBe(101);
    const echoed = await new Promise<string>((resolve) => {
      upgraded.socket!.once("data", (data) => resolve(data.toString()));
      upgraded.socket!.write("ping");
    });
    expect(echoed).toBe("echo:ping");
    upgraded.socket!.destroy();
  }, 30_000);

  it("refuses the studio, its PostgreSQL, sandbox-agent, another sandbox and bad ports", async () => {
    const server = readState(sandboxPaths(provider.rootDir, handle.id))!.server!;
    for (const port of [studioPort, postgresPort, server.port, server.opencodePort, otherPort, 1]) {
      await expect(previews.previewTarget(handle, port), `port ${port}`).rejects.toBeInstanceOf(
        PreviewPortNotListeningError,
      );
    }
    for (const port of [0, -1, 65_536, 1.5, Number.NaN, "80" as unknown as number]) {
      await expect(previews.previewTarget(handle, port)).rejects.toBeInstanceOf(PreviewPortInvalidError);
    }
  }, 60_000);

  it("refuses a port the sandbox shares with the studio's forward, even when it listens there too", async () => {
    // The agent tries the studio's port on another address. With a network of its own, pasta
    // already holds it on both loopbacks there (its forward to the studio): the bind fails, and the
    // port is seen listening, but by no sandbox process. On the host's network the bind works
    // beside the studio's: a sandbox process listens, yet a connection might reach the studio.
    const id = await startInSandbox(handle, "/usr/bin/python3", [
      "-m",
      "http.server",
      String(studioPort),
      "--bind",
      "::1",
    ]);
    const ownNetwork = provider.network.mode === "own" && confinement === "auto";
    const status = async () => {
      const response = await (handle.agentFetch ?? fetch)(`${handle.agentUrl}/v1/processes/${id}`, {
        headers: auth(handle),
      });
      return ((await response.json()) as { status: string }).status;
    };
    // Own network: the bind fails, so the server exits; host network: it keeps running.
    if (ownNetwork) expect(await eventually(status, (value) => value !== "running")).toBe("exited");
    else {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await status()).toBe("running");
    }
    const server = readState(sandboxPaths(provider.rootDir, handle.id))!.server!;
    const listeners = await readSandboxListeners(handle, {
      processes: server.confinement === "bwrap" ? { kind: "all" } : { kind: "marked", sandboxId: handle.id },
      excludePorts: [],
    });
    expect(listeners.foreignPorts.has(studioPort)).toBe(true);
    await expect(previews.previewTarget(handle, studioPort)).rejects.toBeInstanceOf(
      PreviewPortNotListeningError,
    );
    const listed = await previews.listListeningPorts(handle);
    expect(listed.map((port) => port.port)).not.toContain(studioPort);
  }, 30_000);

  it("reaches the port again after sandbox-agent restarts (a new network), not through the old way", async () => {
    const before = await previews.previewTarget(handle, appPort);
    handle = await provider.restartAgentServer(handle.id);
    // The restart ended every process of the sandbox, the app with them: nothing listens now.
    await expect(previews.previewTarget(handle, appPort)).rejects.toBeInstanceOf(
      PreviewPortNotListeningError,
    );
    await startInSandbox(handle, "/usr/bin/python3", ["serve.py", String(appPort), "::"]);
    await eventually(
      () => previews.listListeningPorts(handle),
      (found) => found.some((port) => port.port === appPort),
    );
    const after = await previews.previewTarget(handle, appPort);
    if (before.kind === "socket" && after.kind === "socket") {
      // One forwarder for the port: the old one ended with the old network.
      const watchers = processTreesRooted(
        (argv) => argv.startsWith("/bin/bash -c") && argv.includes(`UNIX-LISTEN:${after.socketPath},`),
      );
      expect(watchers).toHaveLength(1);
    }
    expect(await request(after, "/index.html")).toMatchObject({
      status: 200,
      body: "<h1>preview works</h1>\n",
    });
  }, 60_000);

  it("ends its forwarders with the sandbox", async () => {
    await provider.destroy(handle.id);
    expect(scanSandboxProcesses(provider.rootDir).get(path.join(provider.rootDir, handle.id)) ?? []).toEqual(
      [],
    );
    await expect(previews.previewTarget(handle, appPort)).rejects.toThrow(/not (found|running)/);
  }, 30_000);
});
