// Two studio replicas on one database: commands and subscribers on different replicas, and a
// replica killed mid-turn with the other taking the session over, nothing lost.
import type { ScriptedModelServer } from "@studio/testkit";
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
let ground: ReplicaGround;
let upstream: ScriptedModelServer;
let proxy: FailoverProxy;
let replicaA: StudioProcess;
let replicaB: StudioProcess;
let env: Record<string, string>;

beforeAll(async () => {
  ground = await prepareReplicas({
    DATABASE_URL: database.url,
    STUDIO_DATA_DIR: newDataDir("studio-replicas-"),
    SESSION_LEASE_SECONDS: "3",
  });
  ({ upstream, gateway: proxy, env } = ground);
  replicaA = await startStudioProcess({ ...env, PORT: String(ground.portA) });
  replicaB = await startStudioProcess({ ...env, PORT: String(ground.portB) });
}, 120_000);

afterEach((context) => {
  if (context.task.result?.state === "fail") {
    console.log("A:", replicaA.output.join("").slice(-4000), "\nB:", replicaB.output.join("").slice(-4000));
  }
  expect(upstream.queued, "scripted replies left unused").toBe(0);
});

afterAll(async () => {
  await replicaA?.stop();
  await replicaB?.stop();
  await ground?.close();
});

/** The replica whose runner took the session (it logs "running session" with the id). */
function runnerOf(sessionId: string): StudioProcess | null {
  const a = runningLines(replicaA, sessionId);
  const b = runningLines(replicaB, sessionId);
  if (a === b) return null;
  return a > b ? replicaA : replicaB;
}

describe("two replicas", { timeout: 180_000 }, () => {
  it("serve a command on one and a subscriber on the other", async () => {
    const onA = await signUpAccount(replicaA.url);
    const onB = {
      ...onA,
      client: (await import("@studio/client")).createStudioClient({ url: replicaB.url, token: onA.token }),
    };
    const session = await onA.client.sessions.create.mutate({
      environment: "development",
      provider: "custom",
      model: "scripted-1",
    });
    const watchB = collectEvents(onB.client, session.id);
    const watchA = collectEvents(onA.client, session.id);
    await watchB.waitFor("status_changed", (event) => event.to === "ready", 90_000);

    upstream.enqueue([{ text: "Answered across replicas." }]);
    await onA.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "sent to A" });
    await watchB.waitFor("turn_ended");
    await watchA.waitFor("turn_ended");
    expect(agentText(watchB.events)).toBe("Answered across replicas.");
    // Events after the turn (the title call's metering, say) may still be on their way to one of
    // them: both end with the same log.
    await vi.waitFor(
      () => expect(watchB.events.map((event) => event.seq)).toEqual(watchA.events.map((event) => event.seq)),
      { timeout: 15_000, interval: 100 },
    );
    expect(sequenceProblems(watchB.events)).toBeNull();
    watchA.stop();
    watchB.stop();
  });

  it("lose a replica mid-turn: the other takes the session over with nothing lost", async () => {
    const account = await signUpAccount(replicaB.url);
    const session = await readySession(account.client, 90_000);
    const owner = runnerOf(session.id);
    expect(owner).not.toBeNull();
    const survivor = owner === replicaA ? replicaB : replicaA;
    // Subscribe through the survivor, and send the gateway's traffic there too.
    const { createStudioClient } = await import("@studio/client");
    const client = createStudioClient({ url: survivor.url, token: account.token });
    const events = collectEvents(client, session.id);
    proxy.setTargets([survivor.url]);

    const reply = Array.from({ length: 60 }, (_, index) => `part ${index}; `).join("");
    upstream.enqueue({ steps: [{ text: reply, chunkSize: 8 }], chunkDelayMs: 100 });
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "a long answer please" });
    await events.waitFor("agent_message_chunk");
    await owner!.kill();

    const ended = await events.waitFor("turn_ended", undefined, 120_000);
    expect(ended.stopReason).toBe("end_turn");
    expect(agentText(events.events)).toBe(reply);
    expect(sequenceProblems(events.events)).toBeNull();
    const stored = await database.db.sessionEvent.findMany({
      where: { sessionId: session.id },
      orderBy: { seq: "asc" },
    });
    expect(stored.map((row) => Number(row.seq))).toEqual(events.events.map((event) => event.seq));
    await vi.waitFor(async () => {
      const row = await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
      expect(row.status).toBe("idle");
    });

    // It really was a takeover: the survivor re-attached to the running agent.
    expect(survivor.output.join("")).toMatch(sessionLogLine(session.id, "re-attached to the agent"));

    // The survivor keeps serving the session.
    upstream.enqueue([{ text: "Still here." }]);
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "and now?" });
    await events.waitFor("turn_ended", (event) => event.seq > ended.seq);
    expect(agentText(events.events, ended.seq)).toBe("Still here.");
    events.stop();
  });
});
