// Who may open a preview, and what a refused one is told. Path mode: `/preview/<session>/<port>/…`
// on the studio's own origin, where the browser already sends the studio's session cookie; it
// counts only after the session's membership rules pass (core's `previewSandboxFor`), checked again
// every few seconds, so a member who is removed loses the preview as soon as the cache entry ends.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { toHttpError } from "@studio/api";
import { AppError, type PreviewSandbox, previewPathPrefix, previewSandboxFor } from "@studio/core";
import { authenticate, type ContextDeps, isSameOrigin } from "./context.ts";
import { readCookie, SESSION_COOKIE } from "./cookies.ts";

export const PREVIEW_PATH_PREFIX = "/preview/";

/** How long a passed membership check counts for one browser session and preview session. */
const ACCESS_CACHE_MS = 5_000;
const ACCESS_CACHE_MAX = 2_000;

export interface PreviewRequestPath {
  sessionId: string;
  port: number;
  /** `/preview/<session>/<port>`: what the app is told it is mounted under. */
  prefix: string;
  /** What the app is asked for, from `/`, with the query. */
  rest: string;
}

export function isPreviewPath(url: string): boolean {
  return url === "/preview" || url.startsWith(PREVIEW_PATH_PREFIX) || url.startsWith("/preview?");
}

const PREVIEW_PATH = /^\/preview\/([a-z0-9]{1,64})\/([0-9]{1,5})([/?].*)?$/s;

/** The parts of a preview path; null when it is not one (answered 400). */
export function parsePreviewPath(url: string): PreviewRequestPath | null {
  const match = PREVIEW_PATH.exec(url);
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535 || match[2]!.startsWith("0")) return null;
  const sessionId = match[1]!;
  return { sessionId, port, prefix: previewPathPrefix(sessionId, port), rest: match[3] ?? "" };
}

export class PreviewRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Where a browser is sent instead (sign-in), if anywhere. */
    readonly location?: string,
  ) {
    super(message);
  }
}

export function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? "").includes("text/html");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function refusalBody(req: IncomingMessage, refusal: PreviewRefusal): { type: string; body: string } {
  if (!wantsHtml(req)) return { type: "application/json", body: JSON.stringify({ error: refusal.message }) };
  const message = escapeHtml(refusal.message);
  return {
    type: "text/html; charset=utf-8",
    body: `<!doctype html><meta charset="utf-8"><title>Preview unavailable</title><p>${message}</p>`,
  };
}

/** The refusal as an ordinary HTTP answer. */
export function answerRefusal(req: IncomingMessage, res: ServerResponse, refusal: PreviewRefusal) {
  if (res.headersSent) return void res.destroy();
  const { type, body } = refusalBody(req, refusal);
  const headers: Record<string, string> = { "content-type": type, "cache-control": "no-store" };
  if (refusal.location) headers.location = refusal.location;
  res.writeHead(refusal.status, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}

/** The refusal written on an upgrading socket, which then closes. */
export function refuseUpgrade(req: IncomingMessage, socket: Duplex, refusal: PreviewRefusal) {
  const { type, body } = refusalBody(req, refusal);
  socket.end(
    `HTTP/1.1 ${refusal.status} Refused\r\ncontent-type: ${type}\r\ncache-control: no-store\r\n` +
      `connection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Any failure as a refusal: AppErrors by their code, anything else a 502 without details. */
export function refusalOf(error: unknown): PreviewRefusal {
  if (error instanceof PreviewRefusal) return error;
  if (error instanceof AppError) {
    const { status, body } = toHttpError(error);
    return new PreviewRefusal(status, body.error);
  }
  return new PreviewRefusal(502, "The preview cannot be reached: the sandbox did not answer on that port.");
}

export function createPreviewAccess() {
  const granted = new Map<string, { until: number; sandbox: PreviewSandbox }>();

  /**
   * The session's running sandbox if the caller may preview it. The studio's session cookie
   * counts (path mode is the studio's own origin), as does an API token; a browser with neither is
   * sent to sign in and back. Refusals: 404 for anyone who is not a member, 409 for a session
   * that is not running.
   */
  async function check(
    req: IncomingMessage,
    res: ServerResponse | null,
    path: PreviewRequestPath,
    deps: ContextDeps,
  ): Promise<PreviewSandbox> {
    const credential = req.headers.authorization ?? readCookie(req, SESSION_COOKIE);
    // A WebSocket carries the cookie from any page: only the studio's own (the previews') may use
    // it. Checked before the cache, which knows the cookie, not the page.
    if (!res && !req.headers.authorization && credential && !isSameOrigin(req, deps.origins))
      throw new PreviewRefusal(403, "This preview's socket opens only from the preview's own pages.");
    // Keyed by a digest: the cache holds no usable credential.
    const key = credential
      ? createHash("sha256").update(`${credential}\u0000${path.sessionId}`).digest("base64url")
      : null;
    const cached = key ? granted.get(key) : undefined;
    if (cached && cached.until > Date.now()) return cached.sandbox;

    const auth = await authenticate(req, res, deps);
    if (!auth) {
      const back = `/sign-in?${new URLSearchParams({ next: `${path.prefix}${path.rest || "/"}` })}`;
      const browser = wantsHtml(req) && (req.method === "GET" || req.method === "HEAD") && !res?.headersSent;
      throw browser && res
        ? new PreviewRefusal(303, "Sign in to open this preview.", back)
        : new PreviewRefusal(401, "Sign in to open this preview.");
    }
    // A token is its organisation's only; a browser session reaches any organisation the user is in.
    const who =
      auth.kind === "token"
        ? { userId: auth.token.userId, organizationId: auth.token.organizationId }
        : { userId: auth.session.userId };
    const sandbox = await previewSandboxFor(deps.db, who, path.sessionId);
    if (key) {
      if (granted.size >= ACCESS_CACHE_MAX) granted.clear();
      granted.set(key, { until: Date.now() + ACCESS_CACHE_MS, sandbox });
    }
    return sandbox;
  }

  return { check };
}
