// Subdomain mode (PREVIEW_DOMAIN): `<port>-<session>.<domain>` is its own origin, so the app sees
// `/` as its root and the studio's session cookie is never sent there. Entry goes through the
// studio's origin, which checks membership and hands the preview host a one-minute grant; the
// preview host turns it into its own short-lived cookie (host-only, HMAC-signed with a key derived
// from the master key, so every replica accepts it). Membership is checked again
// on every request the cookie is used for, so a member who is removed loses the preview at once.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import {
  PREVIEW_HANDOFF_PATH,
  type PreviewAt,
  previewOrigin,
  previewSandboxFor,
  sharedPreviewSandbox,
  signPreviewGrant,
  verifyPreviewGrant,
} from "@studio/core";
import { authenticate, type ContextDeps } from "./context.ts";
import { readCookie, SESSION_COOKIE } from "./cookies.ts";
import {
  answerRefusal,
  PreviewRefusal,
  type PreviewRequestPath,
  refusalOf,
  refuseUpgrade,
  wantsHtml,
} from "./preview-access.ts";
import type { createPreviewProxy, PreviewResolver } from "./preview-proxy.ts";

/** On the studio's origin: checks membership, then sends the browser to the preview with a grant. */
export const PREVIEW_AUTHORIZE_PATH = "/api/previews/authorize";
const GRANT_TTL_MS = 60_000;
const COOKIE_TTL_MS = 15 * 60_000;

export type PreviewHost = PreviewAt;

/** `3000-abc.<domain>` → port 3000 of session abc; null for any other name under the domain. */
export function parsePreviewHost(host: string, domain: string): PreviewHost | null {
  const name = host.toLowerCase().replace(/:\d+$/, "");
  if (!name.endsWith(`.${domain}`)) return null;
  const match = /^([1-9][0-9]{0,4})-([a-z0-9]{1,64})$/.exec(name.slice(0, -domain.length - 1));
  if (!match || Number(match[1]) > 65_535) return null;
  return { port: Number(match[1]), sessionId: match[2]! };
}

/** Whether `host` is under the preview domain at all (then it is answered here, never by the studio). */
export function isUnderPreviewDomain(host: string | undefined, domain: string | null): boolean {
  return !!host && !!domain && host.toLowerCase().replace(/:\d+$/, "").endsWith(`.${domain}`);
}

/** `__Host-` on HTTPS: no other host (another preview under the domain) can set or shadow it. */
const cookieName = (secure: boolean) => (secure ? "__Host-studio_preview" : "studio_preview");

/** Every value of a cookie: a sibling preview may have planted one more under the same name. */
function cookieValues(req: IncomingMessage, name: string): string[] {
  return (req.headers.cookie ?? "")
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
}

const previewOriginOf = (deps: ContextDeps, at: PreviewHost) =>
  previewOrigin(
    { publicUrl: deps.publicUrl, previewDomain: deps.config.previewDomain },
    at.sessionId,
    at.port,
  );

const safePath = (next: string | null) =>
  next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";

/** The studio's side: `GET /api/previews/authorize?session=&port=&next=`. */
export async function authorizePreview(req: IncomingMessage, res: ServerResponse, deps: ContextDeps) {
  try {
    const url = new URL(req.url ?? "/", "http://studio.invalid");
    const at = {
      sessionId: url.searchParams.get("session") ?? "",
      port: Number(url.searchParams.get("port")),
    };
    if (!deps.config.previewDomain || !parsePreviewHost(`${at.port}-${at.sessionId}.x`, "x"))
      throw new PreviewRefusal(400, "That is not a preview of this studio.");
    // Only the studio's own browser session: the grant is for the person at this browser.
    const auth = readCookie(req, SESSION_COOKIE) ? await authenticate(req, res, deps) : null;
    if (auth?.kind !== "session") {
      const back = `/sign-in?${new URLSearchParams({ next: `${url.pathname}${url.search}` })}`;
      throw new PreviewRefusal(303, "Sign in to open this preview.", back);
    }
    await previewSandboxFor(deps.db, { userId: auth.session.userId }, at.sessionId);
    const grant = signPreviewGrant(deps.keys.keyring, {
      use: "handoff",
      ...at,
      userId: auth.session.userId,
      expiresAt: Date.now() + GRANT_TTL_MS,
    });
    const next = safePath(url.searchParams.get("next"));
    const target = `${previewOriginOf(deps, at)}${PREVIEW_HANDOFF_PATH}?${new URLSearchParams({ grant, next })}`;
    res.writeHead(303, { location: target, "cache-control": "no-store" });
    res.end();
  } catch (error) {
    answerRefusal(req, res, refusalOf(error));
  }
}

export function createSubdomainPreviews(proxy: ReturnType<typeof createPreviewProxy>) {
  function hostOf(req: IncomingMessage, deps: ContextDeps): PreviewHost {
    const at = parsePreviewHost(req.headers.host ?? "", deps.config.previewDomain ?? "");
    if (!at)
      throw new PreviewRefusal(400, "That is not a preview address: <port>-<session>.<preview domain>.");
    return at;
  }

  const resolveHost: PreviewResolver = async (req, res, deps) => {
    const at = hostOf(req, deps);
    let userId: string | null = null;
    let organizationId: string | undefined;
    let shared = false;
    if (req.headers.authorization) {
      const auth = await authenticate(req, null, deps);
      if (auth?.kind === "token") ({ userId, organizationId } = auth.token);
    } else {
      for (const value of cookieValues(req, cookieName(deps.config.secureCookies))) {
        const grant = verifyPreviewGrant(deps.keys.keyring, value, ["cookie"], at);
        if (grant?.userId) userId = grant.userId;
        else if (grant && !userId)
          ({ organizationId, shared } = { organizationId: grant.organizationId, shared: true });
      }
      // A WebSocket from another site's page carries the cookie too: only the preview's own pages.
      if (
        (userId || shared) &&
        !res &&
        req.headers.origin &&
        req.headers.origin !== previewOriginOf(deps, at)
      )
        throw new PreviewRefusal(403, "This preview's socket opens only from the preview's own pages.");
    }
    if (!userId && shared && organizationId) {
      // A shared link's cookie: whoever holds it, while the organisation still shares previews.
      const sandbox = await sharedPreviewSandbox(deps.db, organizationId, at.sessionId);
      const upstream = await deps.sessions.previews.target(sandbox, at.port);
      return { path: { ...at, prefix: "", rest: req.url ?? "/" }, upstream };
    }
    if (!userId) {
      const entry = `${deps.publicUrl}${PREVIEW_AUTHORIZE_PATH}?${new URLSearchParams({
        session: at.sessionId,
        port: String(at.port),
        next: req.url ?? "/",
      })}`;
      const browser = res && wantsHtml(req) && (req.method === "GET" || req.method === "HEAD");
      throw browser
        ? new PreviewRefusal(303, "Sign in to open this preview.", entry)
        : new PreviewRefusal(401, "Sign in to open this preview.");
    }
    // Membership and the session's state, on every request: the cookie only says who this is.
    const sandbox = await previewSandboxFor(deps.db, { userId, organizationId }, at.sessionId);
    const upstream = await deps.sessions.previews.target(sandbox, at.port);
    const path: PreviewRequestPath = { ...at, prefix: "", rest: req.url ?? "/" };
    return { path, upstream };
  };

  async function handoff(req: IncomingMessage, res: ServerResponse, deps: ContextDeps) {
    const at = hostOf(req, deps);
    const url = new URL(req.url ?? "/", "http://preview.invalid");
    const token = url.searchParams.get("grant") ?? "";
    const grant = verifyPreviewGrant(deps.keys.keyring, token, ["handoff", "share"], at);
    if (!grant)
      throw new PreviewRefusal(403, "This preview link has expired. Open the preview from the studio again.");
    // A shared link opens nothing once its organisation stops sharing or the session stops.
    if (grant.use === "share") await sharedPreviewSandbox(deps.db, grant.organizationId!, at.sessionId);
    // A member's cookie lasts a quarter of an hour (then the studio is asked again); a shared
    // link's lasts as long as the link.
    const now = Date.now();
    const expiresAt = grant.use === "share" ? grant.expiresAt : now + COOKIE_TTL_MS;
    const cookie = signPreviewGrant(deps.keys.keyring, { ...grant, use: "cookie", expiresAt });
    const secure = deps.config.secureCookies;
    const attributes = [`${cookieName(secure)}=${cookie}`, "Path=/", "HttpOnly", "SameSite=Lax"];
    attributes.push(`Max-Age=${Math.max(1, Math.floor((expiresAt - now) / 1000))}`);
    if (secure) attributes.push("Secure");
    res.writeHead(303, {
      "set-cookie": attributes.join("; "),
      location: safePath(url.searchParams.get("next")),
      "cache-control": "no-store",
    });
    res.end();
  }

  return {
    async serve(req: IncomingMessage, res: ServerResponse, deps: ContextDeps) {
      try {
        if ((req.url ?? "").split("?")[0] === PREVIEW_HANDOFF_PATH) return await handoff(req, res, deps);
      } catch (error) {
        return answerRefusal(req, res, refusalOf(error));
      }
      return proxy.forward(req, res, deps, resolveHost);
    },
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, deps: ContextDeps) {
      if (!deps.config.previewDomain) return refuseUpgrade(req, socket, new PreviewRefusal(404, "Not found"));
      return proxy.forwardUpgrade(req, socket, head, deps, resolveHost);
    },
  };
}
