// A gateway over real HTTP in front of the scripted model server, with sessions, keys and credits
// made directly in the test database.
import http from "node:http";
import type { PrivateNetworkPolicy } from "@studio/core";
import {
  changeCredits,
  hashSecret,
  type Keyring,
  newId,
  newKeyring,
  randomToken,
  seedListPrices,
  setProviderKey,
} from "@studio/core";
import type { Db, DbClient } from "@studio/db";
import type { NotificationListener } from "@studio/db/notifications";
import { type ModelProvider, silentLogger } from "@studio/models";
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { afterAll, beforeAll } from "vitest";
import { createGateway, type Gateway } from "../gateway.ts";
import type { UpstreamConfig } from "../upstreams.ts";

export const PLATFORM_KEY = "sk-platform-PLANTED-0123456789";
export const ORG_KEY = "sk-org-PLANTED-abcdefghijklmnop";

export interface GatewayFixture {
  upstream: ScriptedModelServer;
  gateway: Gateway;
  url: string;
  keyring: Keyring;
  warnings: string[];
  close(): Promise<void>;
}

export async function startGatewayFixture(
  { db, pool }: DbClient,
  options: {
    markupBps?: number;
    tenantPrivateNetwork?: PrivateNetworkPolicy;
    /** Replaces the scripted model server as some providers' upstream (e.g. one answering oddly). */
    upstreams?: UpstreamConfig;
    /** Request bytes the gateway may hold at once (default: the gateway's own). */
    requestBytes?: { total: number; perUser: number };
    /** A LISTEN connection of its own, as a replica has (budgets' recalls need one). */
    notifications?: NotificationListener;
  } = {},
): Promise<GatewayFixture> {
  await seedListPrices(db);
  const upstream = await startScriptedModelServer({ expectedKey: [PLATFORM_KEY, ORG_KEY] });
  const platform = (baseUrl: string) => ({ baseUrl, apiKey: PLATFORM_KEY });
  const upstreams: UpstreamConfig = {
    custom: platform(`${upstream.url}/v1`),
    anthropic: platform(upstream.url),
    google: platform(upstream.url),
    openai: platform(upstream.url),
    xai: platform(upstream.url),
    // The platform has no OpenRouter key; organisations may bring one.
    openrouter: { baseUrl: upstream.url, apiKey: null },
    ...options.upstreams,
  };
  const keyring = newKeyring();
  const warnings: string[] = [];
  const gateway = createGateway({
    db,
    pool,
    keyring,
    upstreams,
    tenantPrivateNetwork: options.tenantPrivateNetwork ?? "allow",
    logger: {
      ...silentLogger,
      warn: (details, message) => warnings.push(`${message} ${JSON.stringify(details)}`),
    },
    platformMarkupBps: options.markupBps ?? 0,
    ...(options.requestBytes ? { requestBytes: options.requestBytes } : {}),
    ...(options.notifications ? { notifications: options.notifications } : {}),
  });
  const server = http.createServer((req, res) => void gateway.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    upstream,
    gateway,
    keyring,
    warnings,
    url: `http://127.0.0.1:${port}/api/llm`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await upstream.close();
    },
  };
}

type GatewayFixtureOptions = NonNullable<Parameters<typeof startGatewayFixture>[1]>;

/** A gateway fixture whose start and close are its test file's hooks' (see `useGatewayFixture`). */
export type UsedGatewayFixture = Omit<GatewayFixture, "close">;

/**
 * A gateway fixture of this test file's own, started before its tests (on the test database, so
 * call `useTestDatabase` first) and closed after them; read its fields inside tests and hooks.
 * Options that depend on what earlier hooks started are given as a function, called when it starts.
 */
export function useGatewayFixture(
  database: DbClient,
  options: GatewayFixtureOptions | (() => GatewayFixtureOptions) = {},
): UsedGatewayFixture {
  let fixture: GatewayFixture | undefined;
  beforeAll(async () => {
    fixture = await startGatewayFixture(database, typeof options === "function" ? options() : options);
  });
  afterAll(async () => {
    await fixture?.close();
  });
  const started = () => {
    if (!fixture) throw new Error("the gateway fixture is started in beforeAll");
    return fixture;
  };
  return {
    get upstream() {
      return started().upstream;
    },
    get gateway() {
      return started().gateway;
    },
    get url() {
      return started().url;
    },
    get keyring() {
      return started().keyring;
    },
    get warnings() {
      return started().warnings;
    },
  };
}

export interface SessionSpec {
  provider: ModelProvider;
  model: string;
  keySource?: "direct" | "openrouter" | "platform";
  upstreamProvider?: ModelProvider;
  upstreamModel?: string;
  status?: "ready" | "stopped";
  creditsMicroUsd?: bigint;
  budgetMicroUsd?: bigint;
  /** Seal this key as the organisation's key for that provider (for custom, with its endpoint). */
  organizationKey?: { provider: ModelProvider; apiKey: string; baseUrl?: string };
}

export async function seedSession(db: Db, keyring: Keyring, spec: SessionSpec) {
  const userId = newId();
  const organizationId = newId();
  await db.user.create({
    data: { id: userId, email: `${userId}@example.com`, name: "G", passwordHash: "x" },
  });
  await db.organization.create({ data: { id: organizationId, name: "G", slug: organizationId } });
  const actor = { userId, organizationId, role: "owner" as const };
  if (spec.organizationKey) {
    const { provider, apiKey, baseUrl = "http://127.0.0.1:9/v1" } = spec.organizationKey;
    await setProviderKey(
      db,
      keyring,
      actor,
      provider === "custom" ? { provider, baseUrl, apiKey } : { provider, apiKey },
    );
  }
  if (spec.creditsMicroUsd !== undefined) {
    await changeCredits(db, actor, {
      kind: "grant",
      amountMicroUsd: spec.creditsMicroUsd,
      reason: "test",
      requestId: newId(),
    });
  }
  const token = randomToken(20);
  const session = await db.studioSession.create({
    data: {
      id: newId(),
      organizationId,
      userId,
      environment: "development",
      status: spec.status ?? "ready",
      provider: spec.provider,
      model: spec.model,
      keySource: spec.keySource ?? "platform",
      upstreamProvider: spec.upstreamProvider ?? spec.provider,
      upstreamModel: spec.upstreamModel ?? spec.model,
      budgetMicroUsd: spec.budgetMicroUsd ?? null,
      sandboxProvider: "local",
      idleTimeoutSeconds: 900,
      gatewayTokenHash: hashSecret(token),
    },
  });
  return { token, session, organizationId, userId };
}

/**
 * Another live session in an organisation `seedSession` made, on xai's grok-4: for `userId` (made a
 * member first when `newMember`), perhaps started by a program with an API token.
 */
export async function addSession(
  db: Db,
  organizationId: string,
  options: { userId?: string; apiTokenId?: string | null } = {},
) {
  const userId = options.userId ?? newId();
  if (!options.userId) {
    await db.user.create({
      data: { id: userId, email: `${userId}@example.com`, name: "M", passwordHash: "x" },
    });
    await db.membership.create({ data: { id: newId(), organizationId, userId, role: "member" } });
  }
  const token = randomToken(20);
  const session = await db.studioSession.create({
    data: {
      id: newId(),
      organizationId,
      userId,
      environment: "development",
      status: "ready",
      provider: "xai",
      model: "grok-4",
      keySource: "platform",
      upstreamProvider: "xai",
      upstreamModel: "grok-4",
      sandboxProvider: "local",
      idleTimeoutSeconds: 900,
      gatewayTokenHash: hashSecret(token),
      apiTokenId: options.apiTokenId ?? null,
    },
  });
  return { token, session, userId };
}
