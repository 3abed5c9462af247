// Signed grants for subdomain-mode previews: what the studio's origin hands a preview's origin (a
// one-minute handoff after a membership check, or a shareable link), and the preview cookie made
// from either. HMAC-signed with a key derived from the master key, so every replica accepts them and
// none is stored; each names the one session and port it opens.
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { Keyring } from "../keys/keyring.ts";

export interface PreviewAt {
  sessionId: string;
  port: number;
}

export type PreviewGrant = PreviewAt & {
  /** handoff: studio → preview, once, for a member; share: a link anyone may hold; cookie: the preview's own. */
  use: "handoff" | "share" | "cookie";
  expiresAt: number;
} & (
    | { userId: string; organizationId?: undefined }
    /** A shared link and its cookie: nobody in particular, for the session's organisation. */
    | { userId: null; organizationId: string }
  );

function grantKey(keyring: Keyring, version: number): Buffer | null {
  const master = keyring.keys.get(version);
  return master
    ? Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), "studio preview grant v1", 32))
    : null;
}

export function signPreviewGrant(keyring: Keyring, grant: PreviewGrant): string {
  const payload = Buffer.from(JSON.stringify({ ...grant, v: keyring.current })).toString("base64url");
  const signature = createHmac("sha256", grantKey(keyring, keyring.current)!)
    .update(payload)
    .digest("base64url");
  return `${payload}.${signature}`;
}

/** The grant if `token` is one, signed here, for this use, session and port, and not expired. */
export function verifyPreviewGrant(
  keyring: Keyring,
  token: string,
  uses: readonly PreviewGrant["use"][],
  at: PreviewAt,
  now = Date.now(),
): PreviewGrant | null {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return null;
  let grant: PreviewGrant & { v: number };
  try {
    grant = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const key = typeof grant?.v === "number" ? grantKey(keyring, grant.v) : null;
  if (!key) return null;
  const expected = createHmac("sha256", key).update(payload).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (!uses.includes(grant.use) || grant.sessionId !== at.sessionId || grant.port !== at.port) return null;
  if (typeof grant.expiresAt !== "number" || grant.expiresAt < now) return null;
  if (grant.userId === null && typeof grant.organizationId !== "string") return null;
  return grant;
}
