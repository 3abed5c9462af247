// Which names the studio answers to, and which browser origins count as its own. Both come from
// configuration only, never from the request: a page whose name an attacker re-points at this
// machine (DNS rebinding) arrives with its own name in `Host` and `Origin`, and is refused.
import { specialAddressKind } from "@studio/core";

export interface StudioOrigins {
  /** Whether a request's `Host` header names the studio (else it is answered 421). */
  hostAllowed(host: string | undefined): boolean;
  /** Whether a browser's `Origin` is one of the studio's own pages. */
  originAllowed(origin: string): boolean;
  /** The origins accepted, for logs and tests. */
  readonly origins: ReadonlySet<string>;
}

export interface OriginSettings {
  /** PUBLIC_URL's origin, or null (then http://localhost:<port>). */
  publicUrl: string | null;
  /** The interface the studio listens on (HOST). */
  host: string;
  /** GATEWAY_PUBLIC_URL: the name sandboxes reach the studio at, for the model gateway. */
  gatewayPublicUrl: string | null;
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"] as const;

/** `host:port` with the scheme's default port spelt out, and the form browsers send (port omitted). */
function hostForms(url: URL): string[] {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return [url.host.toLowerCase(), `${url.hostname.toLowerCase()}:${port}`];
}

/** True for 127.0.0.1, ::1, localhost, and 0.0.0.0 / :: (every interface, loopback included). */
export function servesOnLoopback(host: string): boolean {
  if (host === "" || host === "localhost" || host.endsWith(".localhost")) return true;
  const kind = specialAddressKind(host);
  return kind === "loopback" || kind === "unspecified";
}

export function studioOrigins(settings: OriginSettings, port: number): StudioOrigins {
  const publicUrl = new URL(settings.publicUrl ?? `http://localhost:${port}`);
  const hosts = new Set<string>(hostForms(publicUrl));
  for (const name of LOOPBACK_NAMES) {
    hosts.add(`${name}:${port}`);
    if (port === 80) hosts.add(name);
  }
  // Sandboxes call the gateway at GATEWAY_PUBLIC_URL (a proxy in front of replicas, say).
  if (settings.gatewayPublicUrl)
    for (const form of hostForms(new URL(settings.gatewayPublicUrl))) hosts.add(form);

  const origins = new Set<string>([publicUrl.origin]);
  if (servesOnLoopback(settings.host)) {
    for (const name of LOOPBACK_NAMES) origins.add(new URL(`http://${name}:${port}`).origin);
  }
  return {
    origins,
    hostAllowed: (host) => host !== undefined && hosts.has(host.toLowerCase()),
    originAllowed: (origin) => origins.has(origin),
  };
}
