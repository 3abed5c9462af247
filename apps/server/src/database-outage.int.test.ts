// A database that goes away in the middle of a turn and comes back loses nothing: the runner holds
// the session, then reads the agent's stream again from the cursor the database kept, so the reply
// is stored whole and exactly once and the turn's end and status are the truth. The embedded
// PostgreSQL is brought back by the studio itself; an external one is waited for.
import { readFileSync } from "node:fs";
import path from "node:path";
import { createStudioClient, type StudioClient } from "@studio/client";
import {
  type CuttablePostgres,
  type ScriptedModelServer,
  startCuttablePostgres,
  startScriptedModelServer,
} from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useDataDirs } from "./testing/data-dirs.ts";
import {
  agentText,
  collectEvents,
  type ReceivedEvent,
  readySession,
  sequenceProblems,
} from "./testing/session-events.ts";
import { type StudioProcess, signUpAccount, startStudioProcess } from "./testing/studio-process.ts";

const newDataDir = useDataDirs();
const database = useTestDatabase();
let upstream: ScriptedModelServer;

beforeAll(async () => {
  upstream = await startScriptedModelServer();
});

afterAll(async () => {
  await upstream?.close();
});

const chunks = Array.from({ length: 30 }, (_, index) => `part${index} `);
const reply = chunks.join("");

/** The whole log once the turn has ended and the session is idle, read from a fresh subscription. */
async function settledLog(client: StudioClient, sessionId: string): Promise<ReceivedEvent[]> {
  await vi.waitFor(async () => expect((await client.sessions.get.query({ sessionId })).status).toBe("idle"), {
    timeout: 120_000,
    interval: 250,
  });
  const events = collectEvents(client, sessionId);
  await events.waitFor("turn_ended", undefined, 30_000);
  // What the agent and the gateway add after the turn (a metered title call) is in by now.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  events.stop();
  return events.events;
}

function expectWholeReplyOnce(log: ReceivedEvent[]) {
  expect(agentText(log)).toBe(reply);
  expect(log.filter((event) => event.type === "turn_ended")).toMatchObject([{ stopReason: "end_turn" }]);
  expect(log.filter((event) => event.type === "turn_started")).toHaveLength(1);
  expect(sequenceProblems(log)).toBeNull();
}

function dumpOnFailure(studio: StudioProcess) {
  return (error: unknown) => {
    console.log(studio.output.join("").slice(-6000));
    throw error;
  };
}

describe("an external database", { timeout: 120_000 }, () => {
  it("not reachable when the studio starts is waited for", async () => {
    const proxy = await startCuttablePostgres(database.url);
    proxy.cut();
    try {
      const starting = startStudioProcess({
        DATABASE_URL: proxy.url,
        STUDIO_DATA_DIR: newDataDir("studio-db-late-"),
        CUSTOM_OPENAI_BASE_URL: `${upstream.url}/v1`,
      });
      // Back a moment after the studio first found it away.
      await vi.waitFor(() => expect(proxy.refused).toBeGreaterThan(0), { timeout: 60_000, interval: 50 });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      proxy.restore();
      const studio = await starting;
      try {
        expect(studio.output.join("")).toContain("waiting for the database");
        expect((await fetch(`${studio.url}/api/health`)).status).toBe(200);
      } finally {
        await studio.stop();
      }
    } finally {
      await proxy.close();
    }
  });
});

describe("a database outage mid-turn", { timeout: 300_000 }, () => {
  it("the embedded PostgreSQL killed: the studio starts it again and the reply is stored whole, once", async () => {
    // No DATABASE_URL: the studio runs (and supervises) its own PostgreSQL.
    const dataDir = newDataDir("studio-pg-kill-");
    const studio = await startStudioProcess({
      STUDIO_DATA_DIR: dataDir,
      CUSTOM_OPENAI_BASE_URL: `${upstream.url}/v1`,
    });
    try {
      const account = await signUpAccount(studio.url);
      const session = await readySession(account.client);
      const watch = collectEvents(account.client, session.id);
      upstream.enqueue({ steps: [{ text: chunks }], chunkDelayMs: 150 });
      await account.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "a long answer" });
      await watch.waitFor("agent_message_chunk", (event) => event.text.includes("part3"), 90_000);
      watch.stop();

      const postmaster = Number(
        readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0],
      );
      process.kill(postmaster, "SIGKILL");
      // While it is down, the health check says so.
      await vi.waitFor(
        async () => {
          const health = await fetch(`${studio.url}/api/health`);
          expect(health.status).toBe(503);
          expect(await health.json()).toMatchObject({ status: "degraded", database: { status: "down" } });
        },
        { timeout: 10_000, interval: 50 },
      );
      await vi.waitFor(() => expect(studio.output.join("")).toContain("embedded PostgreSQL is back"), {
        timeout: 60_000,
        interval: 100,
      });
      expect(studio.output.join("")).toContain("embedded PostgreSQL stopped; starting it again");
      expect((await fetch(`${studio.url}/api/health`)).status).toBe(200);

      const log = await settledLog(account.client, session.id);
      expectWholeReplyOnce(log);
      expect(upstream.queued).toBe(0);
    } catch (error) {
      dumpOnFailure(studio)(error);
    } finally {
      await studio.stop();
    }
  });

  it("an external database refusing connections for longer than the lease: held, then resumed exactly once", async () => {
    let proxy: CuttablePostgres | null = null;
    let studio: StudioProcess | null = null;
    try {
      proxy = await startCuttablePostgres(database.url);
      studio = await startStudioProcess({
        DATABASE_URL: proxy.url,
        STUDIO_DATA_DIR: newDataDir("studio-db-cut-"),
        CUSTOM_OPENAI_BASE_URL: `${upstream.url}/v1`,
        SESSION_LEASE_SECONDS: "3",
      });
      const account = await signUpAccount(studio.url);
      const session = await readySession(account.client);
      const watch = collectEvents(account.client, session.id);
      upstream.enqueue({ steps: [{ text: chunks }], chunkDelayMs: 150 });
      await account.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "a long answer" });
      await watch.waitFor("agent_message_chunk", (event) => event.text.includes("part3"), 90_000);
      watch.stop();

      proxy.cut();
      // Longer than the 3 s lease, and past the end of the reply: the turn ends while it is away.
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      const row = await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
      expect(row.runnerLeaseExpiresAt!.getTime()).toBeLessThan(Date.now());
      proxy.restore();

      const client = createStudioClient({ url: studio.url, token: account.token });
      const log = await settledLog(client, session.id);
      expectWholeReplyOnce(log);
      const stored = await database.db.sessionEvent.findMany({
        where: { sessionId: session.id },
        orderBy: { seq: "asc" },
      });
      expect(stored.map((event) => Number(event.seq))).toEqual(log.map((event) => event.seq));
      expect(studio.output.join("")).toContain("database back: reading the agent's stream again");
    } catch (error) {
      if (studio) dumpOnFailure(studio)(error);
      throw error;
    } finally {
      await studio?.stop();
      await proxy?.close();
    }
  });
});
