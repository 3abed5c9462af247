// The preview proxy, path mode: `/preview/<session>/<port>/<rest>` on the studio's origin goes to
// `<rest>` on that port of the session's sandbox, told where it is mounted by `X-Forwarded-Prefix`.
// Bodies stream both ways as they come (Server-Sent Events, large downloads) and WebSocket upgrades
// are spliced after the app's own 101. The studio's credentials never reach the app: its cookies
// and `Authorization` are removed on the way in, and a `Set-Cookie` for one of its cookie names is
// dropped on the way out. Which ports can be reached at all is the sandbox side's rule (only its own
// processes' ports), asked again for every request.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import { type PreviewUpstream, previewUrl } from "@studio/core";
import { clientAddress } from "./client-address.ts";
import type { ContextDeps } from "./context.ts";
import {
  answerRefusal,
  createPreviewAccess,
  PreviewRefusal,
  type PreviewRequestPath,
  parsePreviewPath,
  refusalOf,
  refuseUpgrade,
} from "./preview-access.ts";

/** Waiting longer for an app to answer its headers is a hang; the body may take as long as it likes. */
const UPSTREAM_HEADERS_MS = 60_000;

/**
 * Connections to apps are kept between requests: a dev server's page loads hundreds of modules,
 * and a new connection each (through a local sandbox's forwarder, a fork each) was most of the
 * proxy's cost. Pooled by target (socket path, or host and port), so a connection only ever carries
 * requests for the app it was opened to; each request is still checked before it is sent.
 */
function upstreamAgents() {
  const options = { keepAlive: true, maxFreeSockets: 16, timeout: 30_000, scheduling: "lifo" as const };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

type UpstreamAgents = ReturnType<typeof upstreamAgents>;

/**
 * A kept connection the app closed just as it was reused fails before anything was answered: a
 * request without a body is sent again once, on a new connection, as browsers do.
 */
function mayRetry(req: IncomingMessage, outgoing: http.ClientRequest, error: NodeJS.ErrnoException): boolean {
  const safe = req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS";
  const bodyless = !req.headers["content-length"] && !req.headers["transfer-encoding"];
  return outgoing.reusedSocket && safe && bodyless && (error.code === "ECONNRESET" || error.code === "EPIPE");
}

/**
 * What an app's answer may not say on the studio's origin (path mode shares it): take over its
 * pages with a service worker, wipe its cookies and storage, or pin its transport settings.
 */
const ORIGIN_WIDE = new Set([
  "service-worker-allowed",
  "clear-site-data",
  "strict-transport-security",
  "alt-svc",
]);

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "http2-settings",
]);

/** The studio's own cookies: `studio_session` and any later `studio_*` one. */
export const isStudioCookie = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/^__(host|secure)-/, "")
    .startsWith("studio_");

function withoutStudioCookies(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  const kept = cookie.split(";").filter((part) => {
    const separator = part.indexOf("=");
    return separator > 0 && !isStudioCookie(part.slice(0, separator));
  });
  return kept.length ? kept.map((part) => part.trim()).join("; ") : undefined;
}

function upstreamHeaders(
  req: IncomingMessage,
  path: PreviewRequestPath,
  upstream: PreviewUpstream,
  upgrade: boolean,
  { publicUrl, config: { trustProxy } }: Pick<ContextDeps, "publicUrl" | "config">,
): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === "authorization" || name === "cookie")
      continue;
    if (name === "host" || name.startsWith("x-forwarded-") || name === "forwarded") continue;
    headers[name] = value;
  }
  const cookie = withoutStudioCookies(req.headers.cookie);
  if (cookie) headers.cookie = cookie;
  if (upgrade) {
    headers.connection = "Upgrade";
    if (req.headers.upgrade) headers.upgrade = req.headers.upgrade;
  }
  // Dev servers check Host against what they serve (Vite's allowedHosts): the name they listen on.
  headers.host = upstream.kind === "http" ? new URL(upstream.origin).host : `localhost:${upstream.port}`;
  headers["x-forwarded-host"] = req.headers.host ?? "";
  headers["x-forwarded-proto"] = new URL(publicUrl).protocol.replace(":", "");
  if (path.prefix) headers["x-forwarded-prefix"] = path.prefix;
  const client = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], trustProxy);
  if (client) headers["x-forwarded-for"] = client;
  return headers;
}

/** A request to the app: over a kept connection, or (`agents` null: upgrades) a connection of its own. */
function upstreamRequest(
  upstream: PreviewUpstream,
  path: PreviewRequestPath,
  method: string,
  headers: http.OutgoingHttpHeaders,
  agents: UpstreamAgents | null,
): http.ClientRequest {
  const requestPath = path.rest.startsWith("/") ? path.rest : `/${path.rest}`;
  if (upstream.kind === "socket")
    return http.request({
      socketPath: upstream.socketPath,
      path: requestPath,
      method,
      headers,
      agent: agents?.http ?? false,
    });
  const origin = new URL(upstream.origin);
  const secure = origin.protocol === "https:";
  return (secure ? https : http).request({
    protocol: origin.protocol,
    hostname: origin.hostname.replace(/^\[|\]$/g, ""),
    port: origin.port || undefined,
    path: requestPath,
    method,
    headers,
    agent: agents ? (secure ? agents.https : agents.http) : false,
  });
}

/** An app redirecting to `/login` means its own `/login`: kept under the preview's prefix. */
function prefixedLocation(location: string, path: PreviewRequestPath, upstream: PreviewUpstream): string {
  if (location.startsWith("/") && !location.startsWith("//")) return `${path.prefix}${location}`;
  if (!path.prefix) return location;
  const local = [`http://localhost:${upstream.port}`, `http://127.0.0.1:${upstream.port}`];
  if (upstream.kind === "http") local.push(upstream.origin);
  for (const origin of local)
    if (location === origin || location.startsWith(`${origin}/`))
      return `${path.prefix}${location.slice(origin.length) || "/"}`;
  return location;
}

function responseHeaders(
  headers: IncomingHttpHeaders,
  path: PreviewRequestPath,
  upstream: PreviewUpstream,
): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || ORIGIN_WIDE.has(name)) continue;
    if (name === "set-cookie") {
      // The app must not set, replace or clear the studio's session cookie on the studio's origin.
      const kept = (value as string[]).filter((cookie) => !isStudioCookie(cookie.split("=")[0] ?? ""));
      if (kept.length) out[name] = kept;
      continue;
    }
    out[name] = name === "location" ? prefixedLocation(String(value), path, upstream) : value;
  }
  return out;
}

/** The raw header block of an upgrade answer, as the app sent it (WebSocket headers included). */
function rawHeaderBlock(res: IncomingMessage, path: PreviewRequestPath, upstream: PreviewUpstream): string {
  const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ""}`];
  for (let index = 0; index < res.rawHeaders.length; index += 2) {
    const name = res.rawHeaders[index]!;
    const lower = name.toLowerCase();
    if (ORIGIN_WIDE.has(lower)) continue;
    if (lower === "set-cookie" && isStudioCookie(res.rawHeaders[index + 1]!.split("=")[0] ?? "")) continue;
    const value =
      lower === "location"
        ? prefixedLocation(res.rawHeaders[index + 1]!, path, upstream)
        : res.rawHeaders[index + 1]!;
    lines.push(`${name}: ${value}`);
  }
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** Who may reach which preview (path mode: the path; subdomain mode: the host), or a refusal. */
export type PreviewResolver = (
  req: IncomingMessage,
  res: ServerResponse | null,
  deps: ContextDeps,
) => Promise<{ path: PreviewRequestPath; upstream: PreviewUpstream }>;

export function createPreviewProxy() {
  const access = createPreviewAccess();
  const upgraded = new Set<Duplex>();
  const agents = upstreamAgents();

  const resolvePath: PreviewResolver = async (req, res, deps) => {
    const path = parsePreviewPath(req.url ?? "");
    if (!path)
      throw new PreviewRefusal(
        400,
        "A preview's address is /preview/<session>/<port>/ with a port from 1 to 65535.",
      );
    // With a preview domain, previews never run on the studio's own origin: sent to their own.
    if (deps.config.previewDomain) {
      const own = previewUrl(
        { publicUrl: deps.publicUrl, previewDomain: deps.config.previewDomain },
        path.sessionId,
        path.port,
      );
      throw new PreviewRefusal(
        res ? 308 : 404,
        "This preview opens at its own address.",
        `${own.slice(0, -1)}${path.rest || "/"}`,
      );
    }
    const sandbox = await access.check(req, res, path, deps);
    const upstream = await deps.sessions.previews.target(sandbox, path.port);
    return { path, upstream };
  };

  async function forward(
    req: IncomingMessage,
    res: ServerResponse,
    deps: ContextDeps,
    resolve: PreviewResolver,
  ) {
    let path: PreviewRequestPath;
    let upstream: PreviewUpstream;
    try {
      ({ path, upstream } = await resolve(req, res, deps));
    } catch (error) {
      return answerRefusal(req, res, refusalOf(error));
    }
    // Relative links in the app's pages resolve under the prefix only with the slash.
    if (path.prefix && (path.rest === "" || path.rest.startsWith("?"))) {
      res.writeHead(308, { location: `${path.prefix}/${path.rest}`, "cache-control": "no-store" });
      return void res.end();
    }
    send(req, res, deps, path, upstream, true);
  }

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    deps: ContextDeps,
    path: PreviewRequestPath,
    upstream: PreviewUpstream,
    firstTry: boolean,
  ) {
    const outgoing = upstreamRequest(
      upstream,
      path,
      req.method ?? "GET",
      upstreamHeaders(req, path, upstream, false, deps),
      agents,
    );
    outgoing.setTimeout(UPSTREAM_HEADERS_MS, () => outgoing.destroy(new Error("no answer")));
    outgoing.on("response", (incoming) => {
      outgoing.setTimeout(0);
      res.writeHead(
        incoming.statusCode ?? 502,
        incoming.statusMessage,
        responseHeaders(incoming.headers, path, upstream),
      );
      // Server-Sent Events and the like: the headers go now, not with the first bytes.
      res.flushHeaders();
      incoming.pipe(res);
      incoming.on("error", () => res.destroy());
      res.on("close", () => incoming.destroy());
    });
    outgoing.on("error", (error) => {
      if (res.headersSent) return void res.destroy();
      if (firstTry && !res.destroyed && mayRetry(req, outgoing, error))
        return send(req, res, deps, path, upstream, false);
      deps.logger.debug(
        { sessionId: path.sessionId, port: path.port, err: error.message },
        "preview upstream failed",
      );
      answerRefusal(req, res, refusalOf(error));
    });
    // A retried request has no body to send again (mayRetry); the first pipes what comes.
    if (firstTry) req.pipe(outgoing);
    else outgoing.end();
    req.on("error", () => outgoing.destroy());
    res.on("close", () => {
      if (!res.writableFinished) outgoing.destroy();
    });
  }

  async function forwardUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    deps: ContextDeps,
    resolve: PreviewResolver,
  ) {
    let path: PreviewRequestPath;
    let upstream: PreviewUpstream;
    try {
      ({ path, upstream } = await resolve(req, null, deps));
    } catch (error) {
      return refuseUpgrade(req, socket, refusalOf(error));
    }
    const outgoing = upstreamRequest(
      upstream,
      path,
      req.method ?? "GET",
      upstreamHeaders(req, path, upstream, true, deps),
      null,
    );
    outgoing.setTimeout(UPSTREAM_HEADERS_MS, () => outgoing.destroy(new Error("no answer")));
    socket.on("close", () => outgoing.destroy());
    outgoing.on("upgrade", (incoming, appSocket, appHead) => {
      outgoing.setTimeout(0);
      appSocket.on("error", () => socket.destroy());
      socket.on("error", () => appSocket.destroy());
      appSocket.on("close", () => socket.destroy());
      socket.on("close", () => appSocket.destroy());
      upgraded.add(socket);
      socket.once("close", () => upgraded.delete(socket));
      socket.write(rawHeaderBlock(incoming, path, upstream));
      if (appHead.length) socket.write(appHead);
      if (head.length) appSocket.write(head);
      appSocket.pipe(socket);
      socket.pipe(appSocket);
    });
    // The app declined the upgrade: its status goes back, then the socket closes.
    outgoing.on("response", (incoming) => {
      incoming.resume();
      const status = incoming.statusCode ?? 502;
      socket.end(`HTTP/1.1 ${status} Declined\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    });
    outgoing.on("error", (error) => refuseUpgrade(req, socket, refusalOf(error)));
    outgoing.end();
  }

  return {
    /** Path mode: `/preview/<session>/<port>/…` on the studio's origin. */
    serve: (req: IncomingMessage, res: ServerResponse, deps: ContextDeps) =>
      forward(req, res, deps, resolvePath),
    upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, deps: ContextDeps) =>
      forwardUpgrade(req, socket, head, deps, resolvePath),
    /** Another way in (subdomain mode), with the same forwarding. */
    forward,
    forwardUpgrade,
    /** Ends the spliced WebSockets (the server's close does not reach upgraded sockets) and kept connections. */
    closeAll() {
      for (const socket of upgraded) socket.destroy();
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
