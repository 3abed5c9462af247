// The gateway's one error type and the one place that turns it into an answer. Every answer the
// gateway writes itself is JSON in the shape OpenAI-style SDKs print, so the agent shows the reason.
import type { ServerResponse } from "node:http";

/**
 * On every gateway response, the provider's relayed ones included: nothing on the studio's origin
 * that a browser is led to may run a script, load anything, or be read as another content type.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": "sandbox; default-src 'none'",
  "x-content-type-options": "nosniff",
};

/** A call the gateway will not forward, or an answer it will not pass on. */
export class GatewayRefusal extends Error {
  override name = "GatewayRefusal";
  constructor(
    readonly status: number,
    message: string,
    readonly type = "studio_gateway_error",
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function fail(res: ServerResponse, refusal: GatewayRefusal): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(refusal.status, {
    ...SECURITY_HEADERS,
    ...refusal.headers,
    "content-type": "application/json",
  });
  res.end(JSON.stringify({ error: { type: refusal.type, message: refusal.message } }));
}
