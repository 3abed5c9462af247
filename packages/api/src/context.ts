import type {
  EndpointModels,
  KeyProvider,
  Keyring,
  PrivateNetworkPolicy,
  SessionEventBus,
  SessionRuntimeSettings,
  SessionTerminalsPort,
  SessionWorkspaces,
  SignUpPolicy,
  ValidApiToken,
  ValidSession,
} from "@studio/core";
import type { Db } from "@studio/db";
import type { Logger } from "@studio/models";

export interface RequestInfo {
  ipAddress: string | null;
  /** Per-address limits leave this client alone (loopback, or LIMITS_EXEMPT_ADDRESSES). */
  limitExempt: boolean;
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

export interface Context {
  db: Db;
  auth: Authentication | null;
  request: RequestInfo;
  cookies: SessionCookieWriter;
  logger: Logger;
  /** The studio's own origin, e.g. http://localhost:3000, for links it hands out. */
  publicUrl: string;
  /** Who may create an account (SIGN_UPS). */
  signUps: SignUpPolicy;
  /** Live sessions: where new events are announced, and how sandboxes are made. */
  sessions: {
    bus: SessionEventBus;
    runtime: SessionRuntimeSettings;
    /** Running sandboxes' workspaces: downloads, patches, commit and push. */
    workspaces: SessionWorkspaces;
    /** Running sandboxes' terminals (PTYs). */
    terminals: SessionTerminalsPort;
    /** Running sandboxes' previews: their listening ports, and the way to each. */
    previews: import("@studio/core").SessionPreviewsPort;
  };
  /** What one caller may hold open on this replica; the defaults in `limits.ts` when absent. */
  limits?: {
    /** Live event streams (tRPC subscriptions) per user. */
    subscriptionsPerUser: number;
  };
  /** Organisation keys: the keyring that seals them, and the provider call that tests one. */
  keys: {
    keyring: Keyring;
    /** Whether an organisation's endpoint may be on a private or loopback address (TENANT_PRIVATE_NETWORK). */
    privateNetwork: PrivateNetworkPolicy;
    probe(
      provider: KeyProvider,
      key: { apiKey: string; baseUrl: string | null },
    ): Promise<{ ok: boolean; status?: number | null; message: string }>;
    /** A key was set or removed: forget cached copies so the change applies at once. */
    changed(organizationId: string): void;
    /**
     * What the OpenAI-compatible endpoint the organisation's custom sessions would use lists at
     * `GET /models`, asked by the studio with the stored key and kept briefly; null without one.
     */
    endpointModels(organizationId: string): Promise<EndpointModels | null>;
  };
}
