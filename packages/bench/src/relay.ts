// Relay: added latency and throughput of the studio's path (sandbox-agent SSE → runner → Postgres
// → subscription SSE) against a direct subscriber on sandbox-agent's own SSE, in one run, split at
// the runner's commit.
// Both subscribers live in the clients' process, so they pay the same costs as each other.
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { manyChunks } from "@studio/testkit";
import { startClientsProcess, type TextArrival } from "./clients.ts";
import { type BenchStack, readySession } from "./stack.ts";
import { median, now, percentile, round } from "./stats.ts";

const CHUNKS = 2000;
/** The machine is shared: several rounds, each on a fresh session, and the median of each figure. */
const ROUNDS = 3;

export interface RelayRound {
  directChunks: number;
  studioEvents: number;
  addedP50Ms: number;
  addedP99Ms: number;
  /**
   * The same comparison between two identical direct subscribers (the second's lateness): how far
   * apart sandbox-agent serves its own connections, the floor of what "added" can resolve.
   */
  directSkewP50Ms: number;
  directSkewP99Ms: number;
  /** Where the added time goes: from the direct subscriber's arrival to the runner's commit... */
  toCommitP50Ms: number;
  toCommitP99Ms: number;
  /** ...and from the commit to the studio subscriber's arrival. */
  afterCommitP50Ms: number;
  afterCommitP99Ms: number;
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
    directSkewP50Ms: middle((round) => round.directSkewP50Ms),
    directSkewP99Ms: middle((round) => round.directSkewP99Ms),
    toCommitP50Ms: middle((round) => round.toCommitP50Ms),
    toCommitP99Ms: middle((round) => round.toCommitP99Ms),
    afterCommitP50Ms: middle((round) => round.afterCommitP50Ms),
    afterCommitP99Ms: middle((round) => round.afterCommitP99Ms),
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
      // Through the sandbox's private socket when it has a network of its own.
      agentUrl: `${state.server.sockets ? "http://localhost" : `http://127.0.0.1:${state.server.port}`}/v1/acp/${row.acpServerId}`,
      agentToken: state.server.token,
      agentSocket: state.server.sockets?.agent ?? null,
      agentCursor: row.agentEventCursor,
    });
    const load = round(os.loadavg()[0]!);
    // When each batch of the reply was committed, on the clock the clients' process uses.
    const commits: TextArrival[] = [];
    let committedLength = 0;
    const stopWatching = stack.appendQueue.onStored((batch) => {
      if (batch.sessionId !== sessionId) return;
      for (const event of batch.events)
        if (event.type === "agent_message_chunk") committedLength += event.text.length;
      commits.push({ at: now(), length: committedLength });
    });
    await stack.upstream.enqueue({ steps: [manyChunks(CHUNKS)] });
    await stack.client.sessions.sendMessage.mutate({ sessionId, text: "stream 2000 chunks" });
    const { direct, secondDirect, studio } = await results;
    stopWatching();
    await stack.client.sessions.stop.mutate({ sessionId });
    return { ...measure(direct, secondDirect, studio, commits), load };
  } finally {
    clients.close();
  }
}

/** For each arrival, the first entry of `later` that had at least as much text (or none). */
function matching(arrivals: TextArrival[], later: TextArrival[]): Array<TextArrival | undefined> {
  let cursor = 0;
  return arrivals.map((arrival) => {
    while (cursor < later.length && later[cursor]!.length < arrival.length) cursor++;
    return later[cursor];
  });
}

/** How much later `later` had each arrival's text than `arrivals` did. */
function lateness(arrivals: TextArrival[], later: TextArrival[]): number[] {
  const seen = matching(arrivals, later);
  return arrivals.flatMap((arrival, index) => (seen[index] ? [seen[index].at - arrival.at] : []));
}

function measure(
  direct: TextArrival[],
  secondDirect: TextArrival[],
  studio: TextArrival[],
  commits: TextArrival[],
): Omit<RelayRound, "load"> {
  // For each chunk the direct subscriber saw: when was that much text committed, and when did the
  // studio subscriber have it?
  const seen = matching(direct, studio);
  const committed = matching(direct, commits);
  const added: number[] = [];
  const toCommit: number[] = [];
  const afterCommit: number[] = [];
  direct.forEach((arrival, index) => {
    const atStudio = seen[index];
    const atCommit = committed[index];
    if (atStudio) added.push(atStudio.at - arrival.at);
    if (atStudio && atCommit) {
      toCommit.push(atCommit.at - arrival.at);
      afterCommit.push(atStudio.at - atCommit.at);
    }
  });
  const skew = lateness(direct, secondDirect);
  const span = (arrivals: TextArrival[]) => arrivals.at(-1)!.at - arrivals[0]!.at;
  const directDuration = span(direct);
  const studioDuration = span(studio);
  return {
    directChunks: direct.length,
    studioEvents: studio.length,
    addedP50Ms: round(percentile(added, 50)),
    addedP99Ms: round(percentile(added, 99)),
    directSkewP50Ms: round(percentile(skew, 50)),
    directSkewP99Ms: round(percentile(skew, 99)),
    toCommitP50Ms: round(percentile(toCommit, 50)),
    toCommitP99Ms: round(percentile(toCommit, 99)),
    afterCommitP50Ms: round(percentile(afterCommit, 50)),
    afterCommitP99Ms: round(percentile(afterCommit, 99)),
    directDurationMs: round(directDuration),
    studioDurationMs: round(studioDuration),
    throughputRatio: round(directDuration / studioDuration, 3),
  };
}
