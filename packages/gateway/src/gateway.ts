// The model gateway: sandboxes call `/api/llm/<provider>/…` with their per-session token as the API
// key; the gateway checks the token, refuses calls the session may not make (another model, no
// credits, budget spent), swaps in the real key, streams the provider's answer back unchanged while
// reading its usage, and records one ledger entry per call. Provider keys never enter a sandbox.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Keyring, type PrivateNetworkPolicy, paysWithCredits } from "@studio/core";
import type { Db } from "@studio/db";
import { getCatalogProvider } from "@studio/models";
import { GatewayAccess, type GatewaySession } from "./access.ts";
import { forwardCall, UpstreamRedirectError } from "./forward.ts";
import {
  createUsageMeter,
  memberCount,
  memberValue,
  type RootMembers,
  rootMembers,
  type UsageMeter,
  type WireFormat,
  wireFormatFor,
  withUsageRequested,
} from "./metering/index.ts";
import { CallRecorder, type PendingCall, type RecorderLogger } from "./recorder.ts";
import { newGuardedAgent, RefusedAddressError } from "./tenant-network.ts";
import {
  callerToken,
  type GatewayProvider,
  KEY_HEADERS,
  type UpstreamConfig,
  upstreamAuthHeaders,
} from "./upstreams.ts";

export const GATEWAY_PREFIX = "/api/llm/";
export const REQUEST_ID_HEADER = "x-studio-request-id";
/** Prompts with long histories are large, but nothing a model takes comes near this. */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

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
  // The gateway reads the response to meter it, so it asks for it uncompressed.
  "accept-encoding",
  // undici sends request bodies whole; it refuses to be told otherwise.
  "expect",
  ...KEY_HEADERS,
]);

const PROVIDERS = new Set<GatewayProvider>(["xai", "anthropic", "openai", "google", "openrouter", "custom"]);

export interface GatewayOptions {
  db: Db;
  keyring: Keyring;
  upstreams: UpstreamConfig;
  /** Whether organisations' own endpoints may reach loopback, private and link-local addresses. */
  tenantPrivateNetwork: PrivateNetworkPolicy;
  logger: RecorderLogger;
  /** Platform margin on calls paid with platform credits, in basis points. */
  platformMarkupBps?: number;
}

/** Errors in the shape OpenAI-style SDKs print, so the agent shows the reason to the person. */
function fail(res: ServerResponse, status: number, message: string, type = "studio_gateway_error") {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { type, message } }));
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        resolve(null);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The model a call asks for: in the path for Google, once in the JSON body for everyone else. */
function requestedModel(
  format: WireFormat,
  path: string,
  body: Buffer,
  root: RootMembers | null,
): string | null {
  if (format === "google") return /\/models\/([^/:]+):/.exec(path)?.[1] ?? null;
  // Named twice, a provider might read the other one than the gateway checked.
  if (!root || memberCount(root, "model") !== 1) return null;
  const model = memberValue(body, root, "model");
  return typeof model === "string" ? model : null;
}

/** A session may call its own model and its provider's small model (OpenCode's titles), nothing else. */
function modelAllowed(session: GatewaySession, model: string): boolean {
  if (session.upstreamProvider === "custom") return true;
  return model === session.upstreamModel || model === getCatalogProvider(session.upstreamProvider).smallModel;
}

export interface Gateway {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  access: GatewayAccess;
  /** Resolves when every call recorded so far is in the ledger (tests, shutdown). */
  settled(): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const access = new GatewayAccess(options.db, options.keyring, options.upstreams);
  const recorder = new CallRecorder(options.db, access, options.logger, options.platformMarkupBps ?? 0);
  // Organisations' own endpoints; the platform's upstreams are the operator's and not checked.
  const guardedAgent = options.tenantPrivateNetwork === "deny" ? newGuardedAgent() : null;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://gateway");
    const [provider, ...rest] = url.pathname.slice(GATEWAY_PREFIX.length).split("/");
    const path = `/${rest.join("/")}`;
    if (!provider || !PROVIDERS.has(provider as GatewayProvider)) return fail(res, 404, "Unknown provider.");
    const token = callerToken(req.headers, url);
    const session = token ? await access.sessionForToken(token) : null;
    if (!session) return fail(res, 401, "Invalid or expired session token.", "authentication_error");
    if (session.upstreamProvider !== provider)
      return fail(res, 403, `This session calls ${session.upstreamProvider}, not ${provider}.`);
    const format = wireFormatFor(session.upstreamProvider, req.method ?? "GET", path);
    if (!format) return fail(res, 404, "The studio's gateway forwards model calls only.");
    if (session.budgetMicroUsd !== null && session.totalCostMicroUsd >= session.budgetMicroUsd)
      return fail(res, 402, "This session has spent its budget.", "budget_exceeded");
    if (paysWithCredits(session) && session.balanceMicroUsd <= 0n) {
      recorder.noticeOutOfCredits(session);
      return fail(res, 402, "The organisation is out of platform credits.", "insufficient_credits");
    }

    const received = await readBody(req);
    if (!received) return fail(res, 413, "The request is too large.");
    const root = format === "google" ? null : rootMembers(received);
    const model = requestedModel(format, path, received, root);
    if (!model) return fail(res, 400, "The request must name one model.");
    if (!modelAllowed(session, model)) return fail(res, 403, `This session may not call ${model}.`);
    const pending = access.upstreamFor(session);
    const resolved = pending instanceof Promise ? await pending : pending;
    if (!resolved.ok) return fail(res, resolved.status, resolved.message);
    const { upstream } = resolved;
    const body = withUsageRequested(format, session.upstreamProvider, received, root) ?? received;

    // Google's SDK may put the caller's key in the query; the upstream key goes in a header.
    let search = "";
    if (req.url?.includes("?")) {
      url.searchParams.delete("key");
      search = url.search;
    }
    const target = new URL(`${upstream.baseUrl.replace(/\/+$/, "")}${path}${search}`);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !DROPPED_REQUEST_HEADERS.has(name)) headers[name] = value;
    }
    Object.assign(headers, upstreamAuthHeaders(session.upstreamProvider, upstream.apiKey), {
      "accept-encoding": "identity",
      "content-length": String(body.length),
    });

    const requestId = randomUUID();
    // Only what the request needs comes before it leaves; the meter is made once the answer's first
    // chunk has been passed on, and the call's bookkeeping starts after the request is on its way.
    let contentType: string | undefined;
    let meter: UsageMeter | null = null;
    const meterOf = () => (meter ??= createUsageMeter(format, contentType));
    let call: PendingCall | null = null;
    const dispatcher = upstream.tenantSupplied && guardedAgent ? { dispatcher: guardedAgent } : {};
    forwardCall({ url: target, method: req.method ?? "POST", headers, body, ...dispatcher }, res, {
      responseHeaders: { [REQUEST_ID_HEADER]: requestId },
      onResponse: (type) => {
        contentType = type;
      },
      onChunk: (chunk) => meterOf().push(chunk),
      onSettled: (status) => call?.finish(status, meterOf().result()),
      onUnreachable: (error) => {
        options.logger.warn(
          { sessionId: session.id, provider, err: error.message },
          "gateway upstream failed",
        );
        call?.abandon();
        // Refused by TENANT_PRIVATE_NETWORK: a 4xx, so the agent shows why rather than retrying.
        if (error instanceof RefusedAddressError)
          return fail(res, 403, `${error.message} Change it in Settings → Provider keys.`);
        if (error instanceof UpstreamRedirectError) return fail(res, 502, error.message);
        fail(res, 502, "The model provider could not be reached.");
      },
    });
    call = recorder.begin({
      requestId,
      session,
      model,
      requestBody: received,
      organizationKey: upstream.organizationKey,
    });
  }

  return { handle, access, settled: () => recorder.settled() };
}
