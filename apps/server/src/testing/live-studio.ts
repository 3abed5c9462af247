// Test support: a live studio for a test file. A real studio process on the file's own database,
// its local sandboxes running the real sandbox-agent and OpenCode, and the scripted model server
// as the only stand-in (the upstream behind the studio's gateway). One account's typed client.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { StudioClient } from "@studio/client";
import type { SessionSourceRequest } from "@studio/core";
import type { AgentName, ModelProvider } from "@studio/models";
import { LocalSandboxProvider } from "@studio/sandbox";
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { useDataDirs } from "./data-dirs.ts";
import { collectEvents } from "./session-events.ts";
import { type StudioProcess, signUpAccount, startStudioProcess } from "./studio-process.ts";

export interface LiveStudio {
  readonly database: ReturnType<typeof useTestDatabase>;
  readonly upstream: ScriptedModelServer;
  readonly client: StudioClient;
  /** The studio's URL, and the account's API token for plain HTTP routes (downloads, uploads). */
  readonly url: string;
  readonly token: string;
  /** Everything the studio process printed so far. */
  readonly output: string;
  readonly dataDir: string;
  /**
   * A new session on the scripted model (or the agent, provider and model given), once it is
   * ready, with its events being collected.
   */
  startSession(
    source?: SessionSourceRequest,
    choice?: { agent?: AgentName; provider?: ModelProvider; model?: string },
  ): Promise<{
    session: { id: string };
    events: ReturnType<typeof collectEvents>;
  }>;
  /**
   * One ready session on the scripted model that the file's tests take turns on (a sandbox start
   * costs seconds of CPU), each looking only at its own events: the same one while it is ready or
   * idle, a new one when a test left it otherwise (stopped, failed) or none was made yet, so a
   * test run alone gets its own. Its events stop being collected after the file.
   */
  readySession(): Promise<Awaited<ReturnType<LiveStudio["startSession"]>>>;
  /** The directories of the sandboxes made for a session, found by their state files. */
  sandboxDirsOf(sessionId: string): string[];
  /** The session's sandbox workspace, on the host. */
  workspaceOf(sessionId: string): Promise<string>;
  /** The same workspace as the agent sees it (confined, a neutral path inside the sandbox). */
  agentWorkspaceOf(sessionId: string): Promise<string>;
  /** Platform credits for the account's organisation (sessions on a priced provider need them). */
  grantCredits(microUsd?: bigint): Promise<void>;
}

/**
 * Call at the top of a test file: registers the hooks that start and stop the studio. Every
 * provider's platform upstream is the scripted model server; `env` adds to the studio's own.
 */
export function useLiveStudio(options: { env?: Record<string, string> } = {}): LiveStudio {
  const newDataDir = useDataDirs();
  const database = useTestDatabase();
  let upstream: ScriptedModelServer;
  let studio: StudioProcess;
  let client: StudioClient;
  let token: string;
  let dataDir: string;
  let shared: ReturnType<LiveStudio["startSession"]> | undefined;

  beforeAll(async () => {
    upstream = await startScriptedModelServer();
    dataDir = newDataDir("studio-sessions-");
    studio = await startStudioProcess({
      DATABASE_URL: database.url,
      STUDIO_DATA_DIR: dataDir,
      CUSTOM_OPENAI_BASE_URL: `${upstream.url}/v1`,
      CUSTOM_OPENAI_API_KEY: "sk-platform-test",
      ANTHROPIC_BASE_URL: upstream.url,
      ANTHROPIC_API_KEY: "sk-ant-platform-test",
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      OPENAI_API_KEY: "sk-openai-platform-test",
      // One account starts every session of a test file, often more than a member's default cap.
      MAX_LIVE_SESSIONS_PER_MEMBER: "none",
      ...options.env,
    });
    ({ client, token } = await signUpAccount(studio.url));
  }, 120_000);

  afterEach((context) => {
    // A failing test shows what the studio process said.
    if (context.task.result?.state === "fail") console.log(studio.output.join("").slice(-6000));
    // A reply left in the queue would answer the next test's prompt: each test uses exactly its own.
    expect(upstream.queued, "scripted replies left unused").toBe(0);
  });

  afterAll(async () => {
    (await shared?.catch(() => undefined))?.events.stop();
    await studio?.stop();
    await upstream?.close();
  });

  const live: LiveStudio = {
    database,
    get upstream() {
      return upstream;
    },
    get client() {
      return client;
    },
    get url() {
      return studio.url;
    },
    get token() {
      return token;
    },
    get output() {
      return studio.output.join("");
    },
    get dataDir() {
      return dataDir;
    },
    async startSession(source, choice) {
      const session = await client.sessions.create.mutate({
        environment: "development",
        provider: "custom",
        model: "scripted-1",
        ...choice,
        ...(source ? { source } : {}),
      });
      const events = collectEvents(client, session.id);
      await events.waitFor("status_changed", (event) => event.to === "ready", 90_000);
      return { session, events };
    },
    async readySession() {
      const current = await shared?.catch(() => undefined);
      if (current) {
        const { status } = await client.sessions.get.query({ sessionId: current.session.id });
        if (status === "ready" || status === "idle") return current;
        current.events.stop();
      }
      shared = live.startSession();
      return shared;
    },
    sandboxDirsOf(sessionId) {
      const root = path.join(dataDir, "sandboxes");
      return readdirSync(root)
        .map((name) => path.join(root, name))
        .filter((dir) => {
          const state = path.join(dir, "sandbox.json");
          return existsSync(state) && JSON.parse(readFileSync(state, "utf8")).sessionId === sessionId;
        });
    },
    async grantCredits(microUsd = 100_000_000n) {
      const { organizationId } = await database.db.membership.findFirstOrThrow({
        select: { organizationId: true },
      });
      await database.db.creditAccount.upsert({
        where: { organizationId },
        create: { organizationId, balanceMicroUsd: microUsd },
        update: { balanceMicroUsd: microUsd },
      });
    },
    async workspaceOf(sessionId) {
      const row = await database.db.studioSession.findUniqueOrThrow({
        where: { id: sessionId },
        select: { sandboxId: true },
      });
      return path.join(dataDir, "sandboxes", row.sandboxId!, "workspace");
    },
    async agentWorkspaceOf(sessionId) {
      const row = await database.db.studioSession.findUniqueOrThrow({
        where: { id: sessionId },
        select: { sandboxId: true },
      });
      // As the studio's own handle says (only to read it: the studio owns the sandbox).
      const provider = new LocalSandboxProvider({ rootDir: path.join(dataDir, "sandboxes") });
      return (await provider.connect(row.sandboxId!)).workspaceDir;
    },
  };
  return live;
}
