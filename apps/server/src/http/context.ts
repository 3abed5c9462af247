import type { IncomingMessage, ServerResponse } from "node:http";
import type { Authentication, Context } from "@studio/api";
import { isLimitExempt, validateApiToken, validateSessionToken } from "@studio/core";
import type { Db } from "@studio/db";
import type { Logger } from "@studio/models";
import type { Config } from "../config.ts";
import { clientAddress } from "./client-address.ts";
import { readCookie, SESSION_COOKIE, sessionCookie } from "./cookies.ts";
import type { StudioOrigins } from "./origins.ts";

export interface ContextDeps {
  config: Config;
  db: Db;
  logger: Logger;
  publicUrl: string;
  /** The names and origins that are the studio's own (from configuration, never from the request). */
  origins: StudioOrigins;
  sessions: Context["sessions"];
  keys: Context["keys"];
}

/**
 * A browser names the page that sent a request in `Origin` (and `Sec-Fetch-Site`). Requests from the
 * studio's own pages pass; non-browser clients send neither and carry no ambient cookie risk. The
 * studio's own origins are configured ones: `Host` is the requester's to choose (DNS rebinding).
 */
export function isSameOrigin(req: IncomingMessage, origins: Pick<StudioOrigins, "originAllowed">): boolean {
  const origin = req.headers.origin;
  if (origin) return origins.originAllowed(origin);
  const site = req.headers["sec-fetch-site"];
  return site === undefined || site === "same-origin" || site === "none";
}

function appendSetCookie(res: ServerResponse, cookie: string) {
  const existing = res.getHeader("set-cookie");
  const list = Array.isArray(existing) ? existing : existing ? [String(existing)] : [];
  res.setHeader("set-cookie", [...list, cookie]);
}

/**
 * The caller: an API token, or the session cookie (renewed or cleared on `res`; a WebSocket upgrade
 * has no response to set it on, and leaves that to the next ordinary request).
 */
export async function authenticate(
  req: IncomingMessage,
  res: ServerResponse | null,
  deps: ContextDeps,
): Promise<Authentication | null> {
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ")) {
    const token = await validateApiToken(deps.db, header.slice("Bearer ".length).trim());
    return token ? { kind: "token", token } : null;
  }
  const cookie = readCookie(req, SESSION_COOKIE);
  if (!cookie) return null;
  const session = await validateSessionToken(deps.db, cookie);
  if (!session) {
    if (res) appendSetCookie(res, sessionCookie("", null, deps.config.secureCookies));
    return null;
  }
  if (session.renewed && res)
    appendSetCookie(res, sessionCookie(cookie, session.expiresAt, deps.config.secureCookies));
  return { kind: "session", session };
}

export async function createRequestContext(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ContextDeps,
): Promise<Context> {
  const ipAddress = clientAddress(
    req.socket.remoteAddress,
    req.headers["x-forwarded-for"],
    deps.config.trustProxy,
  );
  return {
    db: deps.db,
    auth: await authenticate(req, res, deps),
    publicUrl: deps.publicUrl,
    signUps: deps.config.signUps,
    logger: deps.logger,
    sessions: deps.sessions,
    keys: deps.keys,
    limits: { subscriptionsPerUser: deps.config.subscriptionsPerUser },
    request: {
      ipAddress,
      limitExempt: isLimitExempt(ipAddress, deps.config.limits.exemptAddresses),
      userAgent: req.headers["user-agent"] ?? null,
      sameOrigin: isSameOrigin(req, deps.origins),
    },
    cookies: {
      set: (token, expiresAt) =>
        appendSetCookie(res, sessionCookie(token, expiresAt, deps.config.secureCookies)),
      clear: () => appendSetCookie(res, sessionCookie("", null, deps.config.secureCookies)),
    },
  };
}
