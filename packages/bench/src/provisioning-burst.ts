// Provisioning burst: 25 sessions created at the same moment through the API, against the same 25
// created one after another (each waiting for the previous to be ready) in the same run. The
// replica starts PROVISIONING_CONCURRENCY at a time (default: one per core) and queues the rest.
import os from "node:os";
import { defaultProvisioningConcurrency } from "@studio/runner";
import type { BenchStack } from "./stack.ts";
import { median, round } from "./stats.ts";

const SESSIONS = 25;

export interface ProvisioningBurstResult {
  sessions: number;
  /** Sandboxes the replica starts at once. */
  concurrency: number;
  sequential: { totalMs: number; p50Ms: number; maxMs: number; failed: number };
  burst: { allReadyMs: number; p50Ms: number; maxMs: number; failed: number };
  /** Time until all were ready at once ÷ the one-after-another total: below 1 is faster. */
  allReadyRatio: number;
  /** p50 time to ready at once ÷ one alone. */
  p50Ratio: number;
  load: string;
}

const create = (stack: BenchStack) =>
  stack.client.sessions.create.mutate({
    environment: "development",
    provider: "custom",
    model: "scripted-1",
  });

/**
 * Waits until every session is ready (or failed); returns each one's time to ready from `since`
 * (NaN for a failed one). Polls the table every 50 ms, for all of them in one query.
 */
async function readyTimes(stack: BenchStack, ids: string[], since: number[]): Promise<number[]> {
  const times = new Array<number>(ids.length).fill(-1);
  for (;;) {
    const pending = ids.filter((_, index) => times[index] === -1);
    if (pending.length === 0) return times;
    const rows = await stack.db.studioSession.findMany({
      where: { id: { in: pending }, status: { in: ["ready", "error"] } },
      select: { id: true, status: true, errorReason: true },
    });
    const at = performance.now();
    for (const row of rows) {
      const index = ids.indexOf(row.id);
      times[index] = row.status === "ready" ? at - since[index]! : Number.NaN;
      if (row.status === "error") console.warn(`session failed: ${row.errorReason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopAll(stack: BenchStack, ids: string[]) {
  await Promise.all(ids.map((sessionId) => stack.client.sessions.stop.mutate({ sessionId }).catch(() => {})));
}

export async function benchProvisioningBurst(stack: BenchStack): Promise<ProvisioningBurstResult> {
  const load = os.loadavg()[0]!.toFixed(2);
  // One after another: the baseline, each start with the machine to itself.
  const sequential: number[] = [];
  for (let index = 0; index < SESSIONS; index++) {
    const started = performance.now();
    const { id } = await create(stack);
    const [elapsed] = await readyTimes(stack, [id], [started]);
    sequential.push(elapsed!);
    await stopAll(stack, [id]);
  }
  // All at once.
  const began = performance.now();
  const since: number[] = [];
  const created = await Promise.all(
    Array.from({ length: SESSIONS }, async (_, index) => {
      since[index] = performance.now();
      return (await create(stack)).id;
    }),
  );
  const burst = await readyTimes(stack, created, since);
  const allReadyMs = performance.now() - began;
  await stopAll(stack, created);
  const ready = burst.filter((time) => !Number.isNaN(time));
  const alone = sequential.filter((time) => !Number.isNaN(time));
  const sequentialTotal = alone.reduce((sum, time) => sum + time, 0);
  return {
    sessions: SESSIONS,
    // The stack sets no PROVISIONING_CONCURRENCY: the default.
    concurrency: defaultProvisioningConcurrency(),
    sequential: {
      totalMs: round(sequentialTotal),
      p50Ms: round(median(alone)),
      maxMs: round(Math.max(...alone)),
      failed: sequential.length - alone.length,
    },
    burst: {
      allReadyMs: round(allReadyMs),
      p50Ms: round(median(ready)),
      maxMs: round(Math.max(...ready)),
      failed: burst.length - ready.length,
    },
    allReadyRatio: round(allReadyMs / sequentialTotal, 3),
    p50Ratio: round(median(ready) / median(alone), 3),
    load,
  };
}

export function provisioningBurstSection(result: ProvisioningBurstResult): string {
  const { sequential, burst } = result;
  return `## Provisioning burst (${result.sessions} sessions at once)

${result.sessions} sessions created at the same moment through the API (local provider, scripted
model), against the same number created one after another, each once the previous was ready, in
the same run. The replica starts ${result.concurrency} at a time (\`PROVISIONING_CONCURRENCY\`, by
default one per core) and queues the rest in order. Time to ready runs from each \`sessions.create\`
call to its session's \`ready\` status. 1-minute load average at the start: ${result.load}.

| | one after another | all at once | ratio (at once ÷ one after another) |
| --- | --- | --- | --- |
| time until all were ready | ${sequential.totalMs} ms (sum) | ${burst.allReadyMs} ms | ${result.allReadyRatio} |
| time to ready p50 | ${sequential.p50Ms} ms | ${burst.p50Ms} ms | ${result.p50Ratio} |
| time to ready max | ${sequential.maxMs} ms | ${burst.maxMs} ms | |
| sessions that failed | ${sequential.failed} | ${burst.failed} | |
`;
}
