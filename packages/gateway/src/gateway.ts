// The model gateway: sandboxes call `/api/llm/<provider>/…` with their per-session token as the API
// key; the gateway checks the token, swaps in the real key and streams the provider's answer back
// unchanged. Provider keys therefore never enter a sandbox.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import { hashSecret } from "@studio/core";
import type { Db } from "@studio/db";
import {
  callerToken,
  type GatewayProvider,
  KEY_HEADERS,
  type UpstreamConfig,
  upstreamAuthHeaders,
} from "./upstreams.ts";

export const GATEWAY_PREFIX = "/api/llm/";

// Hop-by-hop headers (RFC 9110 §7.6.1) and ones the gateway sets itself.
const DROPPED_REQUEST_HEADERS = new Set([
  "host",
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "content-length",
  "cookie",
  ...KEY_HEADERS,
]);
const DROPPED_RESPONSE_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

const PROVIDERS = new Set<GatewayProvider>(["xai", "anthropic", "openai", "google", "openrouter", "custom"]);

export interface GatewayLogger {
  warn(details: object, message: string): void;
}

export interface GatewayOptions {
  db: Db;
  upstreams: UpstreamConfig;
  logger: GatewayLogger;
}

interface GatewaySession {
  id: string;
  provider: GatewayProvider;
}

function fail(res: ServerResponse, status: number, message: string) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { type: "studio_gateway_error", message } }));
}

async function sessionForToken(db: Db, token: string): Promise<GatewaySession | null> {
  return db.studioSession.findFirst({
    where: {
      gatewayTokenHash: hashSecret(token),
      status: { in: ["provisioning", "ready", "active", "idle"] },
    },
    select: { id: true, provider: true },
  });
}

export function createGatewayHandler({ db, upstreams, logger }: GatewayOptions) {
  return async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://gateway");
    const [provider, ...rest] = url.pathname.slice(GATEWAY_PREFIX.length).split("/");
    if (!provider || !PROVIDERS.has(provider as GatewayProvider)) return fail(res, 404, "Unknown provider.");
    const token = callerToken(req.headers, url);
    const session = token ? await sessionForToken(db, token) : null;
    if (!session) return fail(res, 401, "Invalid or expired session token.");
    if (session.provider !== provider)
      return fail(res, 403, `This session uses ${session.provider}, not ${provider}.`);
    const upstream = upstreams[session.provider];
    if (!upstream) return fail(res, 503, `No upstream is configured for ${provider}.`);

    url.searchParams.delete("key");
    const target = new URL(`${upstream.baseUrl.replace(/\/+$/, "")}/${rest.join("/")}${url.search}`);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !DROPPED_REQUEST_HEADERS.has(name)) headers[name] = value;
    }
    Object.assign(headers, upstreamAuthHeaders(session.provider, upstream.apiKey));

    const client = target.protocol === "https:" ? https : http;
    const upstreamRequest = client.request(target, { method: req.method, headers }, (upstreamResponse) => {
      const responseHeaders: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(upstreamResponse.headers)) {
        if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name)) responseHeaders[name] = value;
      }
      res.writeHead(upstreamResponse.statusCode ?? 502, responseHeaders);
      res.flushHeaders();
      upstreamResponse.pipe(res);
    });
    upstreamRequest.setNoDelay(true);
    upstreamRequest.on("error", (error) => {
      logger.warn({ sessionId: session.id, provider, err: error.message }, "gateway upstream failed");
      if (!res.headersSent) fail(res, 502, "The model provider could not be reached.");
      else res.destroy();
    });
    // The sandbox hung up (e.g. a cancelled turn): stop paying for the upstream stream too.
    res.on("close", () => {
      if (!res.writableFinished) upstreamRequest.destroy();
    });
    req.pipe(upstreamRequest);
  };
}
