// A replica cut off from the database for longer than the lease loses its session mid-turn to
// another replica, which re-attaches to the running agent. When the first one reaches the database
// again it lets the session go (its runner is torn down without ending the agent): the turn the new
// owner took over goes on to its end, the agent never restarted, the reply stored whole and once.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createStudioClient } from "@studio/client";
import { type CuttablePostgres, type ScriptedModelServer, startCuttablePostgres } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { useDataDirs } from "./testing/data-dirs.ts";
import type { FailoverProxy } from "./testing/failover-proxy.ts";
import { prepareReplicas, type ReplicaGround } from "./testing/replica-ground.ts";
import { agentText, collectEvents, readySession, sequenceProblems } from "./testing/session-events.ts";
import {
  runningLines,
  type StudioProcess,
  sessionLogLine,
  signUpAccount,
  startStudioProcess,
} from "./testing/studio-process.ts";

const newDataDir = useDataDirs();
const database = useTestDatabase();
const LEASE_SECONDS = 3;
let ground: ReplicaGround;
let upstream: ScriptedModelServer;
let gateway: FailoverProxy;
/** Replica A's only way to PostgreSQL. */
let postgresOfA: CuttablePostgres;
let replicaA: StudioProcess;
let replicaB: StudioProcess | undefined;
let env: Record<string, string>;
let urlOfB: string;
let portB: number;

beforeAll(async () => {
  ground = await prepareReplicas({
    STUDIO_DATA_DIR: newDataDir("studio-lease-takeover-"),
    SESSION_LEASE_SECONDS: String(LEASE_SECONDS),
  });
  ({ upstream, gateway, env, urlOfB, portB } = ground);
  postgresOfA = await startCuttablePostgres(database.url);
  replicaA = await startStudioProcess({ ...env, DATABASE_URL: postgresOfA.url, PORT: String(ground.portA) });
}, 120_000);

afterEach((context) => {
  if (context.task.result?.state === "fail") {
    console.log("A:", replicaA?.output.join("").slice(-8000), "\nB:", replicaB?.output.join("").slice(-8000));
    // What the sandbox's agent server saw: a DELETE, its agent ending.
    const root = path.join(env.STUDIO_DATA_DIR!, "sandboxes");
    for (const dir of existsSync(root) ? readdirSync(root) : []) {
      const log = path.join(root, dir, "agent.log");
      if (!existsSync(log)) continue;
      const lines = readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => /method=DELETE|shutting down agent process|agent process exited/.test(line));
      console.log(`agent.log of ${dir}:\n${lines.join("\n")}`);
    }
  }
  expect(upstream.queued, "scripted replies left unused").toBe(0);
});

afterAll(async () => {
  // A replica stopping hands its leases back through the database: A must reach it again first.
  postgresOfA?.restore();
  await replicaA?.stop();
  await replicaB?.stop();
  await postgresOfA?.close();
  await ground?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a replica that loses its lease while cut off from the database", { timeout: 300_000 }, () => {
  it("lets the session go without ending the agent the new owner re-attached to", async () => {
    // A alone: the session is A's.
    const account = await signUpAccount(replicaA.url);
    const session = await readySession(account.client);
    expect(runningLines(replicaA, session.id)).toBe(1);
    const ownerA = (await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } }))
      .runnerId;
    expect(ownerA).not.toBeNull();

    // B joins, straight on the database; the sandbox's model calls and the subscriber go to B, so
    // neither depends on A while it is cut off.
    replicaB = await startStudioProcess({ ...env, DATABASE_URL: database.url, PORT: String(portB) });
    gateway.setTargets([urlOfB]);
    const client = createStudioClient({ url: replicaB.url, token: account.token });
    const events = collectEvents(client, session.id);
    await events.waitFor("status_changed", (event) => event.to === "ready", 30_000);

    // A reply long enough to be still streaming when A comes back and lets go: 250 pieces, 100 ms
    // apart (25 s), against a lease of 3 s, B's claim and re-attach, and A's few ticks once back.
    const pieces = Array.from({ length: 250 }, (_, index) => `part ${index}; `);
    const reply = pieces.join("");
    upstream.enqueue({ steps: [{ text: pieces }], chunkDelayMs: 100 });
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "a long answer please" });
    await events.waitFor("agent_message_chunk", undefined, 90_000);

    // A cut off until B has taken the session over and re-attached to the agent.
    postgresOfA.cut();
    const reattached = sessionLogLine(session.id, "re-attached to the agent");
    await vi.waitFor(() => expect(replicaB!.output.join("")).toMatch(reattached), {
      timeout: 60_000,
      interval: 100,
    });
    const row = await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.runnerId).not.toBe(ownerA);
    expect(runningLines(replicaB, session.id)).toBe(1);

    // A back: its first tick that reaches the database finds the lease gone and lets the session
    // go; a moment later whatever its teardown sent the agent has arrived.
    postgresOfA.restore();
    await vi.waitFor(
      () =>
        expect(replicaA.output.join("")).toMatch(
          sessionLogLine(session.id, "lease lost: letting the session go"),
        ),
      { timeout: 60_000, interval: 100 },
    );
    await sleep(3_000);
    // B's agent is the one it re-attached to: A's teardown did not end it.
    expect(replicaB.output.join(""), "B saw the agent exit").not.toContain(
      '"msg":"the agent process exited"',
    );
    expect(
      events.events.filter(
        (event) => (event.type === "notice" && event.code === "agent_restarted") || event.type === "error",
      ),
    ).toEqual([]);
    // Otherwise A let go of an agent that had nothing left to do: the test would show nothing.
    expect(
      events.events.some((event) => event.type === "turn_ended"),
      "the turn was still under way when A let the session go",
    ).toBe(false);
    // A did not take the session back.
    expect(runningLines(replicaA, session.id)).toBe(1);

    const ended = await events.waitFor("turn_ended", undefined, 120_000);
    expect(ended.stopReason).toBe("end_turn");
    expect(agentText(events.events)).toBe(reply);
    expect(
      events.events.filter(
        (event) => (event.type === "notice" && event.code === "agent_restarted") || event.type === "error",
      ),
    ).toEqual([]);
    expect(sequenceProblems(events.events)).toBeNull();
    await vi.waitFor(
      async () => {
        const current = await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
        expect(current.status).toBe("idle");
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(replicaB.output.join("")).not.toContain('"msg":"the agent process exited"');

    // B keeps serving the session, on the same agent.
    upstream.enqueue([{ text: "Still here." }]);
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "and now?" });
    const next = await events.waitFor("turn_ended", (event) => event.seq > ended.seq, 90_000);
    expect(next.stopReason).toBe("end_turn");
    expect(agentText(events.events, ended.seq)).toBe("Still here.");
    expect(sequenceProblems(events.events)).toBeNull();
    // What follows a turn (a metered title call, say) may still be on its way to the subscriber.
    await vi.waitFor(
      async () => {
        const stored = await database.db.sessionEvent.findMany({
          where: { sessionId: session.id },
          orderBy: { seq: "asc" },
        });
        expect(stored.map((event) => Number(event.seq))).toEqual(events.events.map((event) => event.seq));
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(replicaB.output.join("")).not.toContain('"msg":"the agent process exited"');
    events.stop();
  });
});
