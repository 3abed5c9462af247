// Relay: added latency and throughput of the studio's path (sandbox-agent SSE → runner → Postgres
// → NOTIFY → subscription SSE) against a direct subscriber on sandbox-agent's own SSE, in one run.
// Both subscribers live in the clients' process, so they pay the same costs as each other.
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { manyChunks } from "@studio/testkit";
import { startClientsProcess, type TextArrival } from "./clients.ts";
import { type BenchStack, readySession } from "./stack.ts";
import { median, percentile, round } from "./stats.ts";

const CHUNKS = 2000;
/** The machine is shared: several rounds, each on a fresh session, and the median of each figure. */
const ROUNDS = 3;

export interface RelayRound {
  directChunks: number;
  studioEvents: number;
  addedP50Ms: number;
  addedP99Ms: number;
  directDurationMs: number;
  studioDurationMs: number;
  throughputRatio: number;
  /** The 1-minute load average when the round started. */
  load: number;
}

export interface RelayResult extends Omit<RelayRound, "load"> {
  chunks: number;
  rounds: RelayRound[];
}

export async function benchRelay(stack: BenchStack): Promise<RelayResult> {
  const rounds: RelayRound[] = [];
  for (let index = 0; index < ROUNDS; index++) rounds.push(await relayRound(stack));
  const middle = (pick: (round: RelayRound) => number) => median(rounds.map(pick));
  return {
    chunks: CHUNKS,
    directChunks: middle((round) => round.directChunks),
    studioEvents: middle((round) => round.studioEvents),
    addedP50Ms: middle((round) => round.addedP50Ms),
    addedP99Ms: middle((round) => round.addedP99Ms),
    directDurationMs: middle((round) => round.directDurationMs),
    studioDurationMs: middle((round) => round.studioDurationMs),
    throughputRatio: middle((round) => round.throughputRatio),
    rounds,
  };
}

async function relayRound(stack: BenchStack): Promise<RelayRound> {
  const sessionId = await readySession(stack);
  const row = await stack.db.studioSession.findUniqueOrThrow({ where: { id: sessionId } });
  const state = JSON.parse(
    readFileSync(path.join(stack.dataDir, "sandboxes", row.sandboxId!, "sandbox.json"), "utf8"),
  );
  const clients = await startClientsProcess();
  try {
    const { results } = await clients.start({
      kind: "relay",
      url: stack.url,
      token: stack.token,
      sessionId,
      lastEventId: String(row.lastEventSeq),
      agentUrl: `http://127.0.0.1:${state.server.port}/v1/acp/${row.acpServerId}`,
      agentToken: state.server.token,
      agentCursor: row.agentEventCursor,
    });
    const load = round(os.loadavg()[0]!);
    await stack.upstream.enqueue({ steps: [manyChunks(CHUNKS)] });
    await stack.client.sessions.sendMessage.mutate({ sessionId, text: "stream 2000 chunks" });
    const { direct, studio } = await results;
    await stack.client.sessions.stop.mutate({ sessionId });
    return { ...measure(direct, studio), load };
  } finally {
    clients.close();
  }
}

function measure(direct: TextArrival[], studio: TextArrival[]): Omit<RelayRound, "load"> {
  // For each chunk the direct subscriber saw, when did the studio subscriber have that much text?
  const added: number[] = [];
  let cursor = 0;
  for (const arrival of direct) {
    while (cursor < studio.length && studio[cursor]!.length < arrival.length) cursor++;
    if (cursor < studio.length) added.push(studio[cursor]!.at - arrival.at);
  }
  const span = (arrivals: TextArrival[]) => arrivals.at(-1)!.at - arrivals[0]!.at;
  const directDuration = span(direct);
  const studioDuration = span(studio);
  return {
    directChunks: direct.length,
    studioEvents: studio.length,
    addedP50Ms: round(percentile(added, 50)),
    addedP99Ms: round(percentile(added, 99)),
    directDurationMs: round(directDuration),
    studioDurationMs: round(studioDuration),
    throughputRatio: round(directDuration / studioDuration, 3),
  };
}
