// The model gateway: sandboxes call `/api/llm/<provider>/…` with their per-session token as the API
// key; the gateway checks the token, refuses calls the session may not make (another model, no
// credits, budget spent), swaps in the real key, streams the provider's answer back (JSON and event
// streams only, with the headers its client needs) while reading its usage, and records one ledger
// entry per call. Provider keys never enter a sandbox. It answers programs, never browsers.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Keyring, type PrivateNetworkPolicy, paysWithCredits } from "@studio/core";
import type { Db, SqlPool } from "@studio/db";
import type { NotificationListener } from "@studio/db/notifications";
import { getCatalogProvider, type Logger, MODEL_PROVIDERS } from "@studio/models";
import { GatewayAccess, type GatewaySession } from "./access.ts";
import type { AllowanceHold } from "./allowances.ts";
import { refuseUnknownFields } from "./body-fields.ts";
import { GatewayBudgets } from "./budgets.ts";
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
import { GatewayRateLimits, type RateLimitDefaults } from "./rate-limits.ts";
import { CallRecorder, type PendingCall } from "./recorder.ts";
import { fail, GatewayRefusal } from "./refusal.ts";
import { RequestBytes, type RequestBytesLimits, readBody } from "./request-bytes.ts";
import { forwardedRequestHeaders, refuseBrowsers, refuseNonJson } from "./request-policy.ts";
import { passedResponseHeaders } from "./response-policy.ts";
import { trimTrailingSlashes } from "./slashes.ts";
import { newGuardedAgent, RefusedAddressError } from "./tenant-network.ts";
import { callerToken, type GatewayProvider, type UpstreamConfig, upstreamAuthHeaders } from "./upstreams.ts";

export const GATEWAY_PREFIX = "/api/llm/";
export const REQUEST_ID_HEADER = "x-studio-request-id";
const PROVIDERS = new Set<GatewayProvider>(MODEL_PROVIDERS);

export interface GatewayOptions {
  db: Db;
  /** The `pg` pool under `db`: metering's statement goes straight to it. */
  pool: SqlPool;
  keyring: Keyring;
  upstreams: UpstreamConfig;
  /** Whether organisations' own endpoints may reach loopback, private and link-local addresses. */
  tenantPrivateNetwork: PrivateNetworkPolicy;
  logger: Logger;
  /** Platform margin on calls paid with platform credits, in basis points. */
  platformMarkupBps?: number;
  /** Request bytes held at once (default: 256 MiB in all, 64 MiB per account). */
  requestBytes?: RequestBytesLimits;
  /** Model calls per minute when an organisation sets none (null: unlimited). */
  rateLimits?: RateLimitDefaults;
  /** The replica's LISTEN connection: without it, budgets cannot recall other replicas' allowances. */
  notifications?: NotificationListener;
}

/** The model a call asks for: in the path for Google, once in the JSON body for everyone else. */
function requestedModel(
  format: WireFormat,
  path: string,
  body: Buffer,
  root: RootMembers | null,
): string | null {
  if (format === "google") {
    // …/models/<model>:<method>, the shape wireFormatFor checked; no regex on the sandbox's path.
    const last = path.slice(path.lastIndexOf("/") + 1);
    return last.slice(0, Math.max(0, last.lastIndexOf(":"))) || null;
  }
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

/** A call past every check, on its way to the provider. */
interface AdmittedCall {
  session: GatewaySession;
  url: URL;
  path: string;
  format: WireFormat;
  received: Buffer;
  root: RootMembers;
  model: string;
  budgetHold: AllowanceHold | null;
}

export interface Gateway {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  access: GatewayAccess;
  /** Resolves when every call recorded so far is in the ledger (tests, shutdown). */
  settled(): Promise<void>;
  /** Bytes of request bodies held now (tests, diagnostics). */
  requestBytesHeld(): number;
  /** Calls a hard budget covered, by how they were admitted (tests, diagnostics). */
  budgetAdmissions(): { fromAllowances: number; byReading: number };
}

export function createGateway(options: GatewayOptions): Gateway {
  const access = new GatewayAccess(options.db, options.keyring, options.upstreams);
  const recorder = new CallRecorder(
    options.db,
    options.pool,
    access,
    options.logger,
    options.platformMarkupBps ?? 0,
  );
  const requestBytes = new RequestBytes(options.requestBytes);
  const rateLimits = new GatewayRateLimits(options.pool, options.rateLimits);
  const budgets = new GatewayBudgets({
    db: options.db,
    pool: options.pool,
    platformMarkupBps: options.platformMarkupBps ?? 0,
    prices: recorder.prices,
    notifications: options.notifications ?? null,
    onError: (error) => options.logger.warn({ err: String(error) }, "budget allowance failed"),
  });
  // Organisations' own endpoints; the platform's upstreams are the operator's and not checked.
  const guardedAgent = options.tenantPrivateNetwork === "deny" ? newGuardedAgent() : null;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    try {
      await forward(req, res);
    } catch (error) {
      if (!(error instanceof GatewayRefusal)) throw error;
      fail(res, error);
    }
  }

  /** Forwards one call, or throws the GatewayRefusal that answers it. */
  async function forward(req: IncomingMessage, res: ServerResponse) {
    refuseBrowsers(req.headers);
    const url = new URL(req.url ?? "/", "http://gateway");
    const [provider, ...rest] = url.pathname.slice(GATEWAY_PREFIX.length).split("/");
    const path = `/${rest.join("/")}`;
    if (!provider || !PROVIDERS.has(provider as GatewayProvider))
      throw new GatewayRefusal(404, "Unknown provider.");
    // The wire format decides where its client puts the token, so it is known first.
    const format = wireFormatFor(provider as GatewayProvider, req.method ?? "GET", path);
    if (!format) throw new GatewayRefusal(404, "The studio's gateway forwards model calls only.");
    const token = callerToken(format, req.headers, url);
    const session = token ? await access.sessionForToken(token) : null;
    if (!session) throw new GatewayRefusal(401, "Invalid or expired session token.", "authentication_error");
    if (session.upstreamProvider !== provider)
      throw new GatewayRefusal(403, `This session calls ${session.upstreamProvider}, not ${provider}.`);
    if (session.budgetMicroUsd !== null && session.totalCostMicroUsd >= session.budgetMicroUsd)
      throw new GatewayRefusal(402, "This session has spent its budget.", "budget_exceeded");
    if (paysWithCredits(session) && session.balanceMicroUsd <= 0n) {
      recorder.noticeOutOfCredits(session);
      throw new GatewayRefusal(402, "The organisation is out of platform credits.", "insufficient_credits");
    }
    // Rate limits and budgets' rules may ask the database; the request's body arrives meanwhile.
    const guarded = Promise.all([rateLimits.admit(session), budgets.covering(session)]);
    // Answered below, after the body; never an unhandled rejection if reading the body fails first.
    guarded.catch(() => {});

    refuseNonJson(req.headers);
    // Held until the answer is over (or refused): the body lives as long as the call.
    const hold = requestBytes.hold(session.userId);
    res.once("close", hold.release);
    const received = await readBody(req, hold);
    const [, covered] = await guarded;
    const root = rootMembers(received);
    const model = requestedModel(format, path, received, root);
    if (!model) throw new GatewayRefusal(400, "The request must name one model.");
    if (!root) throw new GatewayRefusal(400, "The request body must be a JSON object.");
    refuseUnknownFields(format, session.upstreamProvider, received, root);
    if (!modelAllowed(session, model)) throw new GatewayRefusal(403, `This session may not call ${model}.`);
    const budgetHold = await budgets
      .admit(session, covered, { format, body: received, root, model })
      .catch((refusal: unknown) => {
        if (refusal instanceof GatewayRefusal) {
          // Told in the chat, then stopped with the same sentence: a truthful state, not an agent
          // retrying into refusals.
          recorder.noticeRefusal(session, "budget_reached", refusal.message);
          recorder.trackStop(session, refusal.message);
        }
        throw refusal;
      });
    try {
      await send(req, res, { session, url, path, format, received, root, model, budgetHold });
    } catch (error) {
      budgetHold?.release();
      throw error;
    }
  }

  /** Sends an admitted call to its upstream and starts its bookkeeping. */
  async function send(req: IncomingMessage, res: ServerResponse, admitted: AdmittedCall) {
    const { session, url, path, format, received, root, model, budgetHold } = admitted;
    const provider = session.upstreamProvider;
    const pending = access.upstreamFor(session);
    const resolved = pending instanceof Promise ? await pending : pending;
    if (!resolved.ok) throw new GatewayRefusal(resolved.status, resolved.message);
    const { upstream } = resolved;
    const body = withUsageRequested(format, session.upstreamProvider, received, root) ?? received;

    // Google's SDK may put the caller's key in the query; the upstream key goes in a header.
    let search = "";
    if (req.url?.includes("?")) {
      url.searchParams.delete("key");
      search = url.search;
    }
    const target = new URL(`${trimTrailingSlashes(upstream.baseUrl)}${path}${search}`);
    const headers = {
      ...forwardedRequestHeaders(session.upstreamProvider, format, req.headers),
      ...upstreamAuthHeaders(session.upstreamProvider, upstream.apiKey),
      // The gateway reads the response to meter it, so it asks for it uncompressed.
      "accept-encoding": "identity",
      "content-length": String(body.length),
    };

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
      admit: passedResponseHeaders,
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
        fail(res, upstreamRefusal(error));
      },
    });
    const begun = recorder.begin({
      requestId,
      session,
      model,
      requestBody: received,
      organizationKey: upstream.organizationKey,
      budgetHold,
    });
    call = begun;
    // The sandbox left before the provider answered: nothing will be recorded (a no-op otherwise).
    res.once("close", () => begun.abandon());
  }

  return {
    handle,
    access,
    settled: () => recorder.settled(),
    requestBytesHeld: () => requestBytes.inUse,
    budgetAdmissions: () => ({ ...budgets.admitted }),
  };
}

/** What the sandbox is told when the provider's answer cannot be passed on. */
function upstreamRefusal(error: Error): GatewayRefusal {
  if (error instanceof GatewayRefusal) return error;
  // Refused by TENANT_PRIVATE_NETWORK: a 4xx, so the agent shows why rather than retrying.
  if (error instanceof RefusedAddressError)
    return new GatewayRefusal(403, `${error.message} Change it in Settings → Provider keys.`);
  if (error instanceof UpstreamRedirectError) return new GatewayRefusal(502, error.message);
  return new GatewayRefusal(502, "The model provider could not be reached.");
}
