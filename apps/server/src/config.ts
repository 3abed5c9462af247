// The one module that reads process.env. Everything else receives a typed Config.

import type { BlockList } from "node:net";
import path from "node:path";
import {
  type PrivateNetworkPolicy,
  parseExemptAddresses,
  type SignUpPolicy,
  specialAddressKind,
} from "@studio/core";
import { DEFAULT_UPSTREAM_URLS, type UpstreamConfig } from "@studio/gateway";
import { defaultProvisioningConcurrency } from "@studio/runner";
import { z } from "zod";
import { parseTrustProxy, type TrustProxy } from "./http/client-address.ts";

const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..");

/** A positive whole number, or `none` (or empty) for no limit at all. */
const limitOrNone = (max: number) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .transform((value, context) => {
      if (value === "" || value === "none") return null;
      const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(number) || number < 1 || number > max) {
        context.addIssue({ code: "custom", message: `a whole number from 1 to ${max}, or "none"` });
        return z.NEVER;
      }
      return number;
    });

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().optional(),
  STUDIO_DATA_DIR: z.string().default(path.join(repoRoot, ".data")),
  STUDIO_WEB_DIST: z.string().default(path.join(repoRoot, "apps", "web", "dist")),
  /**
   * Behind proxies: `true` (one), a count of proxies, or the proxies' addresses and CIDR ranges. The
   * client address is read from the right of X-Forwarded-For, past those proxies only.
   */
  TRUST_PROXY: z
    .string()
    .default("false")
    .transform((value, context) => {
      const parsed = parseTrustProxy(value);
      if (parsed instanceof Error) {
        context.addIssue({ code: "custom", message: parsed.message });
        return z.NEVER;
      }
      return parsed;
    }),
  /** Live event streams (a session open in a tab, a program following one) per user and replica. */
  SUBSCRIPTIONS_PER_USER: z.coerce.number().int().min(1).max(100_000).default(32),
  /** Live sessions at once across the whole studio (`none`: no cap). */
  MAX_LIVE_SESSIONS: limitOrNone(1_000_000).default(200),
  /** Live sessions at once per organisation, unless it sets its own (`none`: no cap). */
  MAX_LIVE_SESSIONS_PER_ORGANIZATION: limitOrNone(1_000_000).default(50),
  /** Live sessions at once per member of an organisation, unless it sets its own (`none`: no cap). */
  MAX_LIVE_SESSIONS_PER_MEMBER: limitOrNone(1_000_000).default(10),
  /** Model calls per minute per organisation, unless it sets its own; unset: unlimited. */
  MODEL_CALLS_PER_MINUTE_PER_ORGANIZATION: limitOrNone(10_000_000).optional(),
  /** Model calls per minute per member, unless the organisation sets its own; unset: unlimited. */
  MODEL_CALLS_PER_MINUTE_PER_MEMBER: limitOrNone(10_000_000).optional(),
  /** API requests (tRPC and HTTP API routes) per minute from one client address (`none`: no limit). */
  API_REQUESTS_PER_MINUTE_PER_ADDRESS: limitOrNone(10_000_000).default(600),
  /**
   * Client addresses and CIDR ranges that per-address limits (sign-ups, API token creation, API
   * requests) leave alone, e.g. a QA team's test runner: `203.0.113.7, 198.51.100.0/24`.
   */
  LIMITS_EXEMPT_ADDRESSES: z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return text?.trim() ? parseExemptAddresses(text) : null;
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SECURE_COOKIES: z.stringbool().optional(),
  SANDBOX_PROVIDER: z.enum(["local", "e2b"]).default("local"),
  /**
   * CPU niceness of local sandboxes' processes (0–19; 0 = the studio's own). Agents churn CPU; at a
   * lower priority they never make the studio's event stream wait for a core.
   */
  LOCAL_SANDBOX_NICENESS: z.coerce.number().int().min(0).max(19).default(10),
  /** Another OpenCode build for local sandboxes (default: the one from the opencode-ai package). */
  OPENCODE_BIN: z.string().optional(),
  E2B_API_KEY: z.string().optional(),
  /** The template with the agents built in (`pnpm e2b:template`); required with e2b unless below. */
  E2B_TEMPLATE: z.string().optional(),
  /** Run on E2B's small base template (512 MiB), installing the agents at every session start. */
  E2B_ALLOW_BASE_TEMPLATE: z.stringbool().default(false),
  /** Let E2B sandboxes reach the studio over plain http (the session's gateway token in clear). */
  E2B_ALLOW_HTTP_GATEWAY: z.stringbool().default(false),
  /** The studio as a sandbox reaches it, for the model gateway (E2B needs a public URL). */
  GATEWAY_PUBLIC_URL: z.url().optional(),
  SESSION_LEASE_SECONDS: z.coerce.number().min(1).max(600).default(15),
  /**
   * Sandboxes one replica starts at once; the rest wait in its queue, in order. A start keeps about
   * a core busy, so the default is one per core (see defaultProvisioningConcurrency).
   */
  PROVISIONING_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
  XAI_API_KEY: z.string().optional(),
  XAI_BASE_URL: z.url().optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z.url().optional(),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  GOOGLE_GENERATIVE_AI_API_KEY: z.string().optional(),
  GOOGLE_BASE_URL: z.url().optional(),
  OPENROUTER_API_KEY: z.string().optional(),
  OPENROUTER_BASE_URL: z.url().optional(),
  CUSTOM_OPENAI_BASE_URL: z.url().optional(),
  CUSTOM_OPENAI_API_KEY: z.string().optional(),
  KEY_DELIVERY: z.enum(["gateway", "environment"]).default("gateway"),
  /** The master key sealing provider keys, base64 of 32 bytes; else the keyring file below. */
  STUDIO_MASTER_KEY: z.base64().optional(),
  /** Keyring file (created on first run, readable by its owner only); default <data dir>/master-keys.json. */
  STUDIO_MASTER_KEY_FILE: z.string().optional(),
  /** Platform margin on calls paid with platform credits, in basis points (1000 = 10 %). */
  CREDITS_MARKUP_BPS: z.coerce.number().int().min(0).max(100_000).default(0),
  /** Who may create an account: anyone, or only people with a pending invitation. */
  SIGN_UPS: z.enum(["open", "invitation"]).default("open"),
  /**
   * Whether organisations' own endpoint URLs may reach loopback, private, link-local and other
   * special addresses. Default: allowed only for a studio nobody else can reach (see below).
   */
  TENANT_PRIVATE_NETWORK: z.enum(["allow", "deny"]).optional(),
  /** Where uploaded archives are kept until a session uses them; default <data dir>/uploads. */
  STUDIO_UPLOAD_DIR: z.string().optional(),
  /** An upload's size as sent (the archive itself), in bytes. */
  STUDIO_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(200 * 1024 * 1024),
  /** All of an upload's files' contents once unpacked, in bytes. */
  STUDIO_UPLOAD_MAX_UNPACKED_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024 * 1024),
  /** Entries (files, folders, links) in one upload. */
  STUDIO_UPLOAD_MAX_FILES: z.coerce.number().int().min(1).default(100_000),
  /**
   * Subdomain mode for previews: `<port>-<session>.<PREVIEW_DOMAIN>` with wildcard DNS pointing at
   * the studio. A bare domain name (`preview.example.com`), never one the studio itself is under.
   * Unset: `localhost` for a studio reached at localhost, else path mode; empty: path mode.
   */
  PREVIEW_DOMAIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^$|^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
      message: "a domain name such as preview.example.com (no scheme, port or path), or empty for path mode",
    })
    .optional(),
});

export interface Config {
  env: "development" | "production" | "test";
  port: number;
  host: string;
  /** Origin the studio is reached at; derived from HOST and PORT when not set. */
  publicUrl: string | null;
  /** An external PostgreSQL; when null an embedded one is started under dataDir. */
  databaseUrl: string | null;
  dataDir: string;
  webDist: string;
  /** How many proxies (or which) to look past in X-Forwarded-For; false: the socket's peer. */
  trustProxy: TrustProxy;
  logLevel: string;
  /** Live event streams one user may hold open on this replica. */
  subscriptionsPerUser: number;
  /** Studio-wide caps and the defaults organisations get when they set none (null: no limit). */
  limits: {
    liveSessions: { studio: number | null; perOrganization: number | null; perMember: number | null };
    modelCallsPerMinute: { organizationPerMinute: number | null; memberPerMinute: number | null };
    apiRequestsPerMinutePerAddress: number | null;
    /** LIMITS_EXEMPT_ADDRESSES; loopback is always exempt. */
    exemptAddresses: BlockList | null;
  };
  /** The session cookie's `Secure` flag: SECURE_COOKIES, else PUBLIC_URL's scheme, else production. */
  secureCookies: boolean;
  /** Where session sandboxes run. */
  sandboxProvider: "local" | "e2b";
  /** How a sandbox gets model access: through the studio's gateway (keys never enter it) or env vars. */
  keyDelivery: "gateway" | "environment";
  /** template null: E2B's base template, allowed only by E2B_ALLOW_BASE_TEMPLATE. */
  e2b: { apiKey: string | null; template: string | null };
  /** CPU niceness of local sandboxes (0: none). */
  localSandboxNiceness: number;
  /** OpenCode binary for local sandboxes; null: the packaged one. */
  opencodeBin: string | null;
  /** Base URL of the model gateway as sandboxes reach it; derived from the listening port when null. */
  gatewayPublicUrl: string | null;
  leaseMs: number;
  /** Sandboxes one replica starts at once (PROVISIONING_CONCURRENCY, default one per core). */
  provisioningConcurrency: number;
  /** Platform keys and upstream URLs per provider (the gateway's upstreams). */
  upstreams: UpstreamConfig;
  /** Where provider keys' master key comes from. */
  masterKey: { kind: "value"; base64: string } | { kind: "file"; path: string };
  creditsMarkupBps: number;
  /** "invitation": after the first account, only people invited to an organisation can sign up. */
  signUps: SignUpPolicy;
  /** Whether organisations' own endpoints may be on loopback, private or link-local addresses. */
  tenantPrivateNetwork: PrivateNetworkPolicy;
  /** PREVIEW_DOMAIN: previews at `<port>-<session>.<domain>` (subdomain mode); null: under `/preview/` (path mode). */
  previewDomain: string | null;
  /** Archives members upload to start sessions from: where they are kept and how large they may be. */
  uploads: {
    dir: string;
    limits: { compressedBytes: number; unpackedBytes: number; files: number };
  };
}

function upstreamsFrom(e: z.infer<typeof envSchema>): Config["upstreams"] {
  const upstreams: Config["upstreams"] = {
    xai: { baseUrl: e.XAI_BASE_URL ?? DEFAULT_UPSTREAM_URLS.xai, apiKey: e.XAI_API_KEY ?? null },
    anthropic: {
      baseUrl: e.ANTHROPIC_BASE_URL ?? DEFAULT_UPSTREAM_URLS.anthropic,
      apiKey: e.ANTHROPIC_API_KEY ?? null,
    },
    openai: { baseUrl: e.OPENAI_BASE_URL ?? DEFAULT_UPSTREAM_URLS.openai, apiKey: e.OPENAI_API_KEY ?? null },
    google: {
      baseUrl: e.GOOGLE_BASE_URL ?? DEFAULT_UPSTREAM_URLS.google,
      apiKey: e.GOOGLE_GENERATIVE_AI_API_KEY ?? null,
    },
    openrouter: {
      baseUrl: e.OPENROUTER_BASE_URL ?? DEFAULT_UPSTREAM_URLS.openrouter,
      apiKey: e.OPENROUTER_API_KEY ?? null,
    },
  };
  if (e.CUSTOM_OPENAI_BASE_URL) {
    upstreams.custom = { baseUrl: e.CUSTOM_OPENAI_BASE_URL, apiKey: e.CUSTOM_OPENAI_API_KEY ?? null };
  }
  return upstreams;
}

export const isLoopbackHost = (host: string) =>
  host === "localhost" || host.endsWith(".localhost") || specialAddressKind(host) === "loopback";

/**
 * A studio that listens on loopback only and is reached at a loopback origin is one person's
 * (`npm start`, with Ollama on localhost the usual custom endpoint): their own machine is theirs to
 * reach. Anything reachable by others, where strangers may own organisations, keeps them out.
 */
function defaultTenantPrivateNetwork(e: z.infer<typeof envSchema>): PrivateNetworkPolicy {
  const publicHostLoopback = !e.PUBLIC_URL || isLoopbackHost(new URL(e.PUBLIC_URL).hostname);
  return isLoopbackHost(e.HOST) && publicHostLoopback ? "allow" : "deny";
}

/**
 * Browsers resolve every `*.localhost` name to loopback, so a studio reached at localhost gives each
 * preview its own origin without any DNS: a preview's scripts never run on the studio's origin,
 * where they would act with the viewer's rights (path mode's price, see the README).
 */
function defaultPreviewDomain(e: z.infer<typeof envSchema>): string | null {
  const publicHost = e.PUBLIC_URL ? new URL(e.PUBLIC_URL).hostname : "localhost";
  return publicHost === "localhost" ? "localhost" : null;
}

/**
 * What a first E2B run would otherwise find out session by session: no key, no template (the base
 * one installs everything at every start, in 512 MiB), no address sandboxes can reach the studio at.
 */
function e2bProblems(e: z.infer<typeof envSchema>): string[] {
  if (e.SANDBOX_PROVIDER !== "e2b") return [];
  const problems: string[] = [];
  if (!e.E2B_API_KEY?.trim())
    problems.push("E2B_API_KEY: SANDBOX_PROVIDER=e2b needs your E2B team's API key");
  if (!e.E2B_TEMPLATE?.trim() && !e.E2B_ALLOW_BASE_TEMPLATE)
    problems.push(
      "E2B_TEMPLATE: SANDBOX_PROVIDER=e2b needs a template with the agents built in (build one with `pnpm e2b:template`), or E2B_ALLOW_BASE_TEMPLATE=true to install them in E2B's small base template at every session start",
    );
  if (!e.GATEWAY_PUBLIC_URL) {
    if (e.KEY_DELIVERY === "gateway")
      problems.push(
        "GATEWAY_PUBLIC_URL: SANDBOX_PROVIDER=e2b needs the studio's address as E2B sandboxes reach it (public, https), or KEY_DELIVERY=environment",
      );
    return problems;
  }
  const gateway = new URL(e.GATEWAY_PUBLIC_URL);
  if (isLoopbackHost(gateway.hostname))
    problems.push(
      "GATEWAY_PUBLIC_URL: an E2B sandbox cannot reach this machine's loopback; use a public address",
    );
  else if (gateway.protocol !== "https:" && !e.E2B_ALLOW_HTTP_GATEWAY)
    problems.push(
      "GATEWAY_PUBLIC_URL: E2B sandboxes send their gateway token to it, so it must be https (or set E2B_ALLOW_HTTP_GATEWAY=true)",
    );
  return problems;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success
    ? e2bProblems(parsed.data)
    : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  if (!parsed.success || problems.length > 0) {
    throw new Error(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ? new URL(e.PUBLIC_URL).origin : null,
    databaseUrl: e.DATABASE_URL || null,
    dataDir: path.resolve(e.STUDIO_DATA_DIR),
    webDist: path.resolve(e.STUDIO_WEB_DIST),
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    subscriptionsPerUser: e.SUBSCRIPTIONS_PER_USER,
    limits: {
      liveSessions: {
        studio: e.MAX_LIVE_SESSIONS,
        perOrganization: e.MAX_LIVE_SESSIONS_PER_ORGANIZATION,
        perMember: e.MAX_LIVE_SESSIONS_PER_MEMBER,
      },
      modelCallsPerMinute: {
        organizationPerMinute: e.MODEL_CALLS_PER_MINUTE_PER_ORGANIZATION ?? null,
        memberPerMinute: e.MODEL_CALLS_PER_MINUTE_PER_MEMBER ?? null,
      },
      apiRequestsPerMinutePerAddress: e.API_REQUESTS_PER_MINUTE_PER_ADDRESS,
      exemptAddresses: e.LIMITS_EXEMPT_ADDRESSES ?? null,
    },
    // https → Secure; an http PUBLIC_URL would never get a Secure cookie back from a browser.
    secureCookies:
      e.SECURE_COOKIES ??
      (e.PUBLIC_URL ? new URL(e.PUBLIC_URL).protocol === "https:" : e.NODE_ENV === "production"),
    sandboxProvider: e.SANDBOX_PROVIDER,
    keyDelivery: e.KEY_DELIVERY,
    e2b: { apiKey: e.E2B_API_KEY ?? null, template: e.E2B_TEMPLATE ?? null },
    localSandboxNiceness: e.LOCAL_SANDBOX_NICENESS,
    opencodeBin: e.OPENCODE_BIN ?? null,
    gatewayPublicUrl: e.GATEWAY_PUBLIC_URL ? e.GATEWAY_PUBLIC_URL.replace(/\/+$/, "") : null,
    leaseMs: e.SESSION_LEASE_SECONDS * 1000,
    provisioningConcurrency: e.PROVISIONING_CONCURRENCY ?? defaultProvisioningConcurrency(),
    upstreams: upstreamsFrom(e),
    masterKey: e.STUDIO_MASTER_KEY
      ? { kind: "value", base64: e.STUDIO_MASTER_KEY }
      : {
          kind: "file",
          path: path.resolve(e.STUDIO_MASTER_KEY_FILE ?? path.join(e.STUDIO_DATA_DIR, "master-keys.json")),
        },
    creditsMarkupBps: e.CREDITS_MARKUP_BPS,
    signUps: e.SIGN_UPS,
    tenantPrivateNetwork: e.TENANT_PRIVATE_NETWORK ?? defaultTenantPrivateNetwork(e),
    previewDomain: e.PREVIEW_DOMAIN === undefined ? defaultPreviewDomain(e) : e.PREVIEW_DOMAIN || null,
    uploads: {
      dir: path.resolve(e.STUDIO_UPLOAD_DIR ?? path.join(e.STUDIO_DATA_DIR, "uploads")),
      limits: {
        compressedBytes: e.STUDIO_UPLOAD_MAX_BYTES,
        unpackedBytes: e.STUDIO_UPLOAD_MAX_UNPACKED_BYTES,
        files: e.STUDIO_UPLOAD_MAX_FILES,
      },
    },
  };
}
