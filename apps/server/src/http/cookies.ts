import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "studio_session";

export function readCookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const separator = part.indexOf("=");
    if (separator > 0 && part.slice(0, separator).trim() === name) {
      try {
        return decodeURIComponent(part.slice(separator + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** HttpOnly so scripts cannot read it; SameSite=Lax so other sites' requests do not carry it. */
export function sessionCookie(value: string, expiresAt: Date | null, secure: boolean): string {
  const attributes = [
    `${SESSION_COOKIE}=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    expiresAt ? `Expires=${expiresAt.toUTCString()}` : "Max-Age=0",
  ];
  if (secure) attributes.push("Secure");
  return attributes.join("; ");
}
