import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, inlineScriptHashes } from "./csp.ts";

describe("the web app's Content-Security-Policy", () => {
  it("allows the studio's own resources, data: images, and no framing", () => {
    const policy = contentSecurityPolicy();
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("img-src 'self' data:");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it("allows the build's inline scripts by hash, and nothing for external ones", () => {
    const body = "\n      document.documentElement.classList.add('dark');\n    ";
    const html = `<head><script>${body}</script><script type="module" crossorigin src="/assets/index.js"></script></head>`;
    const expected = `'sha256-${createHash("sha256").update(body).digest("base64")}'`;
    expect(inlineScriptHashes(html)).toEqual([expected]);
    expect(contentSecurityPolicy([expected])).toContain(`script-src 'self' ${expected}`);
  });
});
