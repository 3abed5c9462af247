// The real stack for benchmarks: a throwaway PostgreSQL (durable, as the studio runs it), the
// studio server in this process, a local sandbox provider and the scripted model server in a
// process of its own (upstream-process.ts).
// (Subscribers that time the relay and fan-out run in another: see clients-process.ts.)
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { StudioClient } from "@studio/client";
import { newKeyring } from "@studio/core";
import { createDbClient, type Db } from "@studio/db";
import type { AppendQueue } from "@studio/runner";
import type { SandboxProvider } from "@studio/sandbox";
import { createStudioServer } from "@studio/server/app";
import { loadConfig } from "@studio/server/config";
import { createLogger } from "@studio/server/logger";
import { createSessionRuntime } from "@studio/server/runtime";
import { signUpAccount } from "@studio/server/testing";
import { createTestDatabase, startTestPostgres } from "@studio/testkit";
import { startUpstreamProcess, type UpstreamProcess } from "./upstream.ts";

export interface BenchStack {
  db: Db;
  /** The runtime's append queue: what the runners write through, and what tells of each commit. */
  appendQueue: AppendQueue;
  databaseUrl: string;
  url: string;
  dataDir: string;
  /** The scripted provider, in a process of its own. */
  upstream: UpstreamProcess;
  client: StudioClient;
  token: string;
  /** The studio's configuration, logger and live-session context (its event bus), for benches that serve its router another way. */
  config: ReturnType<typeof loadConfig>;
  logger: ReturnType<typeof createLogger>;
  sessions: Awaited<ReturnType<typeof createSessionRuntime>>["sessions"];
  /** The runtime's sandbox provider: for benches that reach a session's sandbox directly. */
  provider: SandboxProvider;
  /** Platform credits for the account's organisation: sessions on a priced provider (anthropic) need them. */
  grantCredits(microUsd?: bigint): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(): Promise<BenchStack> {
  const postgres = await startTestPostgres({ durable: true });
  const database = await createTestDatabase(postgres.adminUrl);
  const upstream = await startUpstreamProcess();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "studio-bench-"));
  const config = loadConfig({
    PORT: "0",
    STUDIO_DATA_DIR: dataDir,
    STUDIO_WEB_DIST: "/nonexistent",
    CUSTOM_OPENAI_BASE_URL: `${upstream.url}/v1`,
    // Every provider's platform upstream is the scripted one (Claude Code and Codex sessions).
    ANTHROPIC_BASE_URL: upstream.url,
    ANTHROPIC_API_KEY: "sk-ant-platform-bench",
    OPENAI_BASE_URL: `${upstream.url}/v1`,
    OPENAI_API_KEY: "sk-openai-platform-bench",
    LOG_LEVEL: "warn",
    // The preview bench measures path mode: the proxy alone, without a subdomain to resolve.
    PREVIEW_DOMAIN: "",
    // The bench account starts bursts of sessions (provisioning-burst): no live-session caps.
    MAX_LIVE_SESSIONS_PER_MEMBER: "none",
    MAX_LIVE_SESSIONS_PER_ORGANIZATION: "none",
    // The fan-out bench holds 150 streams with one token, the capacity bench up to 1,200.
    SUBSCRIPTIONS_PER_USER: "5000",
  });
  const logger = createLogger("warn");
  const { db, pool } = createDbClient(database.url, { maxConnections: 40 });
  let port = 0;
  const keyring = newKeyring();
  const runtime = await createSessionRuntime({
    config,
    db,
    pool,
    databaseUrl: database.url,
    logger,
    gatewayUrl: () => `http://127.0.0.1:${port}/api/llm`,
    keyring,
  });
  const server = createStudioServer({ config, db, pool, logger, sessions: runtime.sessions, keyring });
  const url = await server.listen();
  port = server.port();
  await runtime.startRunners();
  const { token, client, email } = await signUpAccount(url);
  return {
    db,
    appendQueue: runtime.appendQueue,
    databaseUrl: database.url,
    url,
    dataDir,
    upstream,
    token,
    client,
    config,
    logger,
    sessions: runtime.sessions,
    provider: runtime.provider,
    async grantCredits(microUsd = 100_000_000n) {
      const { organizationId } = await db.membership.findFirstOrThrow({
        where: { user: { email } },
        select: { organizationId: true },
      });
      await db.creditAccount.upsert({
        where: { organizationId },
        create: { organizationId, balanceMicroUsd: microUsd },
        update: { balanceMicroUsd: microUsd },
      });
    },
    async stop() {
      await server.close();
      await runtime.stop();
      await db.$disconnect();
      await database.drop();
      upstream.close();
      await postgres.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The agent, provider and model of a session; OpenCode on the scripted model when not given. */
export type SessionChoice = Partial<
  Pick<Parameters<StudioClient["sessions"]["create"]["mutate"]>[0], "agent" | "provider" | "model">
>;

/** Creates a session and waits until it is ready (at most `timeoutMs`); returns its id. */
export async function readySession(
  stack: BenchStack,
  choice: SessionChoice = {},
  timeoutMs = 180_000,
): Promise<string> {
  const session = await stack.client.sessions.create.mutate({
    environment: "development",
    provider: "custom",
    model: "scripted-1",
    ...choice,
  });
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (performance.now() > deadline) throw new Error(`session not ready after ${timeoutMs} ms`);
    const row = await stack.db.studioSession.findUniqueOrThrow({
      where: { id: session.id },
      select: { status: true, errorReason: true },
    });
    if (row.status === "ready") return session.id;
    if (row.status === "error") throw new Error(`session failed: ${row.errorReason}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
