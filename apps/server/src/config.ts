// The one module that reads process.env. Everything else receives a typed Config.
import path from "node:path";
import { z } from "zod";

const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().optional(),
  STUDIO_DATA_DIR: z.string().default(path.join(repoRoot, ".data")),
  STUDIO_WEB_DIST: z.string().default(path.join(repoRoot, "apps", "web", "dist")),
  TRUST_PROXY: z.stringbool().default(false),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SECURE_COOKIES: z.stringbool().optional(),
  SANDBOX_PROVIDER: z.enum(["local", "e2b"]).default("local"),
  KEY_DELIVERY: z.enum(["gateway", "environment"]).default("gateway"),
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
  trustProxy: boolean;
  logLevel: string;
  secureCookies: boolean;
  /** Where session sandboxes run. */
  sandboxProvider: "local" | "e2b";
  /** How a sandbox gets model access: through the studio's gateway (keys never enter it) or env vars. */
  keyDelivery: "gateway" | "environment";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `  ${issue.path.join(".")}: ${issue.message}`)
      .join("\n");
    throw new Error(`Invalid configuration:\n${problems}`);
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
    secureCookies: e.SECURE_COOKIES ?? e.NODE_ENV === "production",
    sandboxProvider: e.SANDBOX_PROVIDER,
    keyDelivery: e.KEY_DELIVERY,
  };
}
