// Test support for the preview proxy's tests: an app to preview (run in the sandbox through
// sandbox-agent's process API, as an agent's tools start servers), a raw WebSocket client, and a
// browser session for a new member of an organisation.
import { randomUUID } from "node:crypto";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import type { Db } from "@studio/db";
import { LocalSandboxProvider, type SandboxHandle } from "@studio/sandbox";
import { expect } from "vitest";

// The app under preview: headers echoed, a redirect, cookies, an event stream that stays open,
// and a WebSocket echo written against the raw upgrade (no library in the sandbox).
export const PREVIEW_APP = `
const http = require("node:http");
const crypto = require("node:crypto");
const served = new WeakMap();
const server = http.createServer((req, res) => {
  const request = (served.get(req.socket) || 0) + 1;
  served.set(req.socket, request);
  const connection = () => { res.writeHead(200, { "content-type": "application/json" }); res.end(JSON.stringify({ port: req.socket.remotePort, request })); };
  if (req.url.split("?")[0] === "/connection") return connection();
  // A kept connection the app drops as it is reused, before answering.
  if (req.url.split("?")[0] === "/flaky") return request > 1 ? req.socket.destroy() : connection();
  if (req.url.split("?")[0] === "/headers") { res.writeHead(200, { "content-type": "application/json" }); return res.end(JSON.stringify({ url: req.url, headers: req.headers })); }
  if (req.url.split("?")[0] === "/go") { res.writeHead(302, { location: "/headers" }); return res.end(); }
  if (req.url.split("?")[0] === "/cookies") { res.writeHead(200, { "set-cookie": ["studio_session=planted; Path=/", "app=1; Path=/"], "service-worker-allowed": "/", "clear-site-data": "\\"cookies\\"" }); return res.end("ok"); }
  if (req.url.split("?")[0] === "/events") { res.writeHead(200, { "content-type": "text/event-stream" }); res.write("data: first\\n\\n"); return; }
  res.writeHead(404); res.end("app 404");
});
server.on("upgrade", (req, socket) => {
  const accept = crypto.createHash("sha1").update(req.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
  socket.write("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: " + accept + "\\r\\n\\r\\n");
  socket.on("data", (frame) => {
    const length = frame[1] & 127, mask = frame.subarray(2, 6), payload = Buffer.from(frame.subarray(6, 6 + length));
    for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
    const reply = Buffer.concat([Buffer.from("echo:"), payload]);
    socket.write(Buffer.concat([Buffer.from([0x81, reply.length]), reply]));
  });
});
server.listen(Number(process.argv[2]), "127.0.0.1");
`;

export async function sandboxHandle(db: Db, dataDir: string, sessionId: string): Promise<SandboxHandle> {
  const row = await db.studioSession.findUniqueOrThrow({ where: { id: sessionId } });
  // Only to reach the sandbox's sandbox-agent; never shut down (the studio owns its sandboxes).
  const provider = new LocalSandboxProvider({ rootDir: path.join(dataDir, "sandboxes") });
  return provider.connect(row.sandboxId!);
}

export async function startInSandbox(handle: SandboxHandle, command: string, args: string[]) {
  const response = await (handle.agentFetch ?? fetch)(`${handle.agentUrl}/v1/processes`, {
    method: "POST",
    headers: {
      ...(handle.agentToken ? { authorization: `Bearer ${handle.agentToken}` } : {}),
      "content-type": "application/json",
    },
    body: JSON.stringify({ command, args, cwd: handle.workspaceDir }),
  });
  expect(response.status).toBe(200);
}

/** A TCP server on the host's loopback: what the proxy must never reach (the caller closes it). */
export async function hostService(hostServers: net.Server[]): Promise<number> {
  const server = net.createServer((socket) => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nhost"));
  hostServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

export const randomPort = () => 20_000 + Math.floor(Math.random() * 20_000);

/** A raw WebSocket exchange through the proxy: the upgrade's status, then one echoed text frame. */
export function webSocketEcho(url: string, headers: Record<string, string>, text: string) {
  return new Promise<{ status: number; reply: string }>((resolve, reject) => {
    const request = http.request(url, {
      headers: {
        ...headers,
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": Buffer.from(randomUUID().slice(0, 16)).toString("base64"),
      },
    });
    request.on("response", (response) => resolve({ status: response.statusCode ?? 0, reply: "" }));
    request.on("upgrade", (response, socket) => {
      const payload = Buffer.from(text);
      const mask = Buffer.from([1, 2, 3, 4]);
      const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
      socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
      socket.once("data", (frame) => {
        resolve({ status: response.statusCode ?? 0, reply: frame.subarray(2, 2 + frame[1]!).toString() });
        socket.destroy();
      });
    });
    request.on("error", reject);
    request.end();
  });
}

/** A browser's session cookie for a new account made a member of the studio account's organisation. */
export async function memberCookie(studioUrl: string, db: Db): Promise<string> {
  const email = `preview.${Date.now().toString(36)}@example.com`;
  const signUp = await fetch(`${studioUrl}/api/trpc/auth.signUp`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: studioUrl },
    body: JSON.stringify({ json: { name: "Preview Member", email, password: "correct horse battery" } }),
  });
  const cookie = signUp.headers.getSetCookie()[0]!.split(";")[0]!;
  const user = await db.user.findUniqueOrThrow({ where: { email } });
  const { organizationId } = await db.membership.findFirstOrThrow({
    where: { role: "owner", userId: { not: user.id } },
    orderBy: { createdAt: "asc" },
  });
  await db.membership.create({
    data: { id: randomUUID(), organizationId, userId: user.id, role: "member" },
  });
  return cookie;
}
