// More sessions at once than the replica starts at a time (PROVISIONING_CONCURRENCY=2): the rest
// wait in order with a "waiting for a free slot" step saying how many are ahead, the replica
// claims no more than it can start within a round, and every one becomes ready.
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { useDataDirs } from "./testing/data-dirs.ts";
import { collectEvents, type ReceivedEvent } from "./testing/session-events.ts";
import {
  type StudioProcess,
  signUpAccount,
  startStudioProcess,
  type TestAccount,
} from "./testing/studio-process.ts";

const newDataDir = useDataDirs();
const database = useTestDatabase();
let upstream: ScriptedModelServer;
let studio: StudioProcess;
let account: TestAccount;

beforeAll(async () => {
  upstream = await startScriptedModelServer();
  studio = await startStudioProcess({
    DATABASE_URL: database.url,
    STUDIO_DATA_DIR: newDataDir("studio-queue-"),
    CUSTOM_OPENAI_BASE_URL: `${upstream.url}/v1`,
    PROVISIONING_CONCURRENCY: "2",
  });
  account = await signUpAccount(studio.url);
}, 120_000);

afterEach((context) => {
  if (context.task.result?.state === "fail") console.log(studio.output.join("").slice(-6000));
});

afterAll(async () => {
  await studio?.stop();
  await upstream?.close();
});

type Provisioning = Extract<ReceivedEvent, { type: "provisioning" }>;
const provisioningOf = (events: ReceivedEvent[]) =>
  events.filter((event): event is Provisioning => event.type === "provisioning");
const queueLabels = (events: ReceivedEvent[]) =>
  provisioningOf(events)
    .filter((event) => event.step === "queue")
    .map((event) => `${event.state}: ${event.label}`);
const timeOf = (event: { at: Date | string }) => new Date(event.at).getTime();

it("starts two at a time, queues the rest in order, and makes every one ready", {
  timeout: 240_000,
}, async () => {
  const sessions: { id: string }[] = [];
  const watches: ReturnType<typeof collectEvents>[] = [];
  // One after another without waiting, so their order (created_at) is defined.
  for (let index = 0; index < 5; index++) {
    const session = await account.client.sessions.create.mutate({
      environment: "development",
      provider: "custom",
      model: "scripted-1",
    });
    sessions.push(session);
    watches.push(collectEvents(account.client, session.id));
  }
  const ready = await Promise.all(
    watches.map((watch) => watch.waitFor("status_changed", (event) => event.to === "ready", 180_000)),
  );
  const events = watches.map((watch) => watch.events);
  for (const watch of watches) watch.stop();

  // The first two start at once; the next two wait on this replica, told how many are ahead.
  expect(queueLabels(events[0]!)).toEqual([]);
  expect(queueLabels(events[1]!)).toEqual([]);
  expect(queueLabels(events[2]!)).toEqual([
    "started: Waiting for a free slot (next)",
    "completed: Waited for a free slot",
  ]);
  expect(queueLabels(events[3]!)).toEqual([
    "started: Waiting for a free slot (1 ahead)",
    "started: Waiting for a free slot (next)",
    "completed: Waited for a free slot",
  ]);
  // The fifth is not claimed while four are starting or waiting: nothing happens to it until a
  // slot frees, then it waits its turn like the others.
  const firstReady = Math.min(timeOf(ready[0]!), timeOf(ready[1]!));
  const fifthFirstStep = provisioningOf(events[4]!)[0]!;
  expect(timeOf(fifthFirstStep)).toBeGreaterThanOrEqual(firstReady);
  expect(queueLabels(events[4]!).at(-1)).toBe("completed: Waited for a free slot");

  // Queue order: sandboxes are created in the order the sessions were.
  const sandboxStarts = events.map((list) =>
    timeOf(provisioningOf(list).find((event) => event.step === "sandbox" && event.state === "started")!),
  );
  expect(sandboxStarts.slice(2)).toEqual([...sandboxStarts.slice(2)].sort((a, b) => a - b));
  expect(sandboxStarts[2]).toBeGreaterThanOrEqual(firstReady);
  // The queue step comes first in each waiting session's card, before any other step.
  for (const list of events.slice(2)) expect(provisioningOf(list)[0]!.step).toBe("queue");
  // Every one became ready, none failed.
  for (const list of events) {
    expect(list.filter((event) => event.type === "error")).toEqual([]);
    expect(provisioningOf(list).filter((event) => event.state === "failed")).toEqual([]);
  }
  const rows = await database.db.studioSession.findMany({
    where: { id: { in: sessions.map((session) => session.id) } },
    select: { status: true },
  });
  expect(rows.map((row) => row.status)).toEqual(Array(5).fill("ready"));
});
