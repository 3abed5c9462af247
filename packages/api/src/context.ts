import type { SessionEventBus, SessionRuntimeSettings, ValidApiToken, ValidSession } from "@studio/core";
import type { Db } from "@studio/db";

export interface RequestInfo {
  ipAddress: string | null;
  userAgent: string | null;
  /** False when a browser says the request came from another site (checked on mutations). */
  sameOrigin: boolean;
}

/** How procedures set or clear the session cookie without knowing about HTTP. */
export interface SessionCookieWriter {
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

export type Authentication =
  | { kind: "session"; session: ValidSession }
  | { kind: "token"; token: ValidApiToken };

export interface Logger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface Context {
  db: Db;
  auth: Authentication | null;
  request: RequestInfo;
  cookies: SessionCookieWriter;
  logger: Logger;
  /** The studio's own origin, e.g. http://localhost:3000, for links it hands out. */
  publicUrl: string;
  /** Live sessions: where new events are announced, and how sandboxes are made. */
  sessions: {
    bus: SessionEventBus;
    runtime: SessionRuntimeSettings;
    /** Providers the platform can serve (an upstream key or endpoint is configured). */
    platformProviders: ReadonlySet<string>;
  };
}

export function authenticatedUser(auth: Authentication) {
  return auth.kind === "session" ? auth.session.user : auth.token.user;
}
