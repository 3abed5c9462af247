// The web app's Content-Security-Policy. Scripts, styles, fonts and requests come from the studio
// itself; images also from `data:` URLs (nothing else: an image URL in agent output would be a way to
// send data anywhere); no plugins, no framing by other sites, no form posting elsewhere. The built
// index.html has one inline script (the theme, applied before first paint): it is allowed by the
// hash of its text, read from the build being served, so the policy follows any rebuild.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** The SHA-256 source expressions of the inline `<script>` elements (those without `src`). */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const [, attributes = "", body = ""] = match;
    if (/\bsrc\s*=/i.test(attributes) || body.length === 0) continue;
    hashes.push(`'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`);
  }
  return hashes;
}

export function contentSecurityPolicy(scriptHashes: readonly string[] = []): string {
  return [
    "default-src 'self'",
    `script-src 'self'${scriptHashes.map((hash) => ` ${hash}`).join("")}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The policy for the web app built into `webDist` (its index.html's inline scripts allowed). */
export function webAppPolicy(webDist: string): string {
  const index = path.join(webDist, "index.html");
  return contentSecurityPolicy(existsSync(index) ? inlineScriptHashes(readFileSync(index, "utf8")) : []);
}
