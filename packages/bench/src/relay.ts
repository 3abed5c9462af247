// Relay: added latency and throughput of the studio's path (sandbox-agent SSE → runner → Postgres
// → NOTIFY → subscription SSE) against a direct subscriber on sandbox-agent's own SSE, in one run.
import { readFileSync } from "node:fs";
import path from "node:path";
import { manyChunks } from "@studio/testkit";
import { readSse } from "./sse.ts";
import { type BenchStack, readySession } from "./stack.ts";
import { percentile, round } from "./stats.ts";

const CHUNKS = 2000;

interface Arrival {
  at: number;
  /** Characters of the reply received so far. */
  length: number;
}

export interface RelayResult {
  chunks: number;
  directChunks: number;
  studioEvents: number;
  addedP50Ms: number;
  addedP99Ms: number;
  directDurationMs: number;
  studioDurationMs: number;
  throughputRatio: number;
}

export async function benchRelay(stack: BenchStack): Promise<RelayResult> {
  const sessionId = await readySession(stack);
  const row = await stack.db.studioSession.findUniqueOrThrow({ where: { id: sessionId } });
  const state = JSON.parse(
    readFileSync(path.join(stack.dataDir, "sandboxes", row.sandboxId!, "sandbox.json"), "utf8"),
  );
  const agentUrl = `http://127.0.0.1:${state.server.port}`;

  const direct: Arrival[] = [];
  const studio: Arrival[] = [];
  let directLength = 0;
  let studioLength = 0;
  const abort = new AbortController();
  // A second consumer of the agent's stream, resuming after what the runner already stored.
  void readSse(
    `${agentUrl}/v1/acp/${row.acpServerId}`,
    {
      authorization: `Bearer ${state.server.token}`,
      ...(row.agentEventCursor ? { "last-event-id": row.agentEventCursor } : {}),
    },
    (data) => {
      const message = JSON.parse(data);
      const update = message?.params?.update;
      if (message.method === "session/update" && update?.sessionUpdate === "agent_message_chunk") {
        directLength += String(update.content?.text ?? "").length;
        direct.push({ at: performance.now(), length: directLength });
      }
    },
    abort.signal,
  ).catch(() => {});

  let resolveEnded: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    resolveEnded = resolve;
  });
  const subscription = stack.client.sessions.events.subscribe(
    { sessionId, lastEventId: String(row.lastEventSeq) },
    {
      onData: ({ data }) => {
        if (data.type === "agent_message_chunk") {
          studioLength += data.text.length;
          studio.push({ at: performance.now(), length: studioLength });
        }
        if (data.type === "turn_ended") resolveEnded();
      },
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 500)); // both streams open

  stack.upstream.enqueue({ steps: [manyChunks(CHUNKS)] });
  await stack.client.sessions.sendMessage.mutate({ sessionId, text: "stream 2000 chunks" });
  await ended;
  await new Promise((resolve) => setTimeout(resolve, 200));
  abort.abort();
  subscription.unsubscribe();

  // For each chunk the direct subscriber saw, when did the studio subscriber have that much text?
  const added: number[] = [];
  let cursor = 0;
  for (const arrival of direct) {
    while (cursor < studio.length && studio[cursor]!.length < arrival.length) cursor++;
    if (cursor < studio.length) added.push(studio[cursor]!.at - arrival.at);
  }
  const span = (arrivals: Arrival[]) => arrivals.at(-1)!.at - arrivals[0]!.at;
  const directDuration = span(direct);
  const studioDuration = span(studio);
  await stack.client.sessions.stop.mutate({ sessionId });
  return {
    chunks: CHUNKS,
    directChunks: direct.length,
    studioEvents: studio.length,
    addedP50Ms: round(percentile(added, 50)),
    addedP99Ms: round(percentile(added, 99)),
    directDurationMs: round(directDuration),
    studioDurationMs: round(studioDuration),
    throughputRatio: round(directDuration / studioDuration, 3),
  };
}
