// Sign-in flood: wrong passwords for unknown accounts, each from an address of its own so the
// throttle never refuses one and every attempt reaches scrypt (the worst case for the server), 100
// in flight at once as a tRPC batch would run them. Measured in the studio's process, against the
// same process idle in the same run: the event loop's delay, and how long a file read (which needs
// libuv's thread pool, as file serving, DNS and new upstream connections do) takes meanwhile. Run
// twice: with the hashing limit the studio runs with, and with it lifted (as before the limit).
import { readFile } from "node:fs/promises";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { configurePasswordHashing, passwordHashingStats, signIn } from "@studio/core";
import type { BenchStack } from "./stack.ts";
import { percentile, round } from "./stats.ts";

const ATTEMPTS = 200;
const IN_FLIGHT = 100;
const IDLE_MS = 3_000;
const PROBE_EVERY_MS = 20;

export interface FloodPhase {
  durationMs: number;
  attemptsPerSecond: number | null;
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  fileReadP50Ms: number;
  fileReadP99Ms: number;
}

export interface SignInFloodResult {
  attempts: number;
  inFlight: number;
  hashingConcurrency: number;
  idle: FloodPhase;
  limited: FloodPhase;
  unlimited: FloodPhase;
  /** Flood ÷ idle, with the studio's limit. */
  loopDelayP99Ratio: number;
  fileReadP99Ratio: number;
  /** Flood ÷ idle with the limit lifted, for comparison. */
  unlimitedFileReadP99Ratio: number;
}

/** Measures the process while `work` runs: event-loop delay and a thread-pool probe. */
async function measure(work: () => Promise<number | null>): Promise<FloodPhase> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  const reads: number[] = [];
  let stop = false;
  const probe = (async () => {
    while (!stop) {
      const started = performance.now();
      await readFile(import.meta.filename);
      reads.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  histogram.enable();
  const started = performance.now();
  const attempts = await work();
  const durationMs = performance.now() - started;
  histogram.disable();
  stop = true;
  await probe;
  const ms = (ns: number) => round(ns / 1e6, 1);
  return {
    durationMs: Math.round(durationMs),
    attemptsPerSecond: attempts === null ? null : round(attempts / (durationMs / 1000), 1),
    loopDelayP50Ms: ms(histogram.percentile(50)),
    loopDelayP99Ms: ms(histogram.percentile(99)),
    loopDelayMaxMs: ms(histogram.max),
    fileReadP50Ms: round(percentile(reads, 50), 2),
    fileReadP99Ms: round(percentile(reads, 99), 2),
  };
}

async function flood(stack: BenchStack, run: number, attempts = ATTEMPTS): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < attempts) {
      const attempt = next++;
      await signIn(
        stack.db,
        { email: `flood-${run}-${attempt}@example.test`, password: "not the password" },
        `198.18.${run}.${attempt}`,
      ).catch(() => {});
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, attempts) }, worker));
  return attempts;
}

export async function benchSignInFlood(stack: BenchStack): Promise<SignInFloodResult> {
  // Warm up: the first scrypt allocates its 32 MiB and the first queries prepare.
  await flood(stack, 0, 10);
  const idle = await measure(async () => {
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    return null;
  });
  const hashingConcurrency = passwordHashingStats().concurrency;
  const limited = await measure(() => flood(stack, 1));
  configurePasswordHashing({ concurrency: IN_FLIGHT });
  let unlimited: FloodPhase;
  try {
    unlimited = await measure(() => flood(stack, 2));
  } finally {
    configurePasswordHashing({ concurrency: hashingConcurrency });
  }
  return {
    attempts: ATTEMPTS,
    inFlight: IN_FLIGHT,
    hashingConcurrency,
    idle,
    limited,
    unlimited,
    loopDelayP99Ratio: round(limited.loopDelayP99Ms / idle.loopDelayP99Ms, 2),
    fileReadP99Ratio: round(limited.fileReadP99Ms / idle.fileReadP99Ms, 2),
    unlimitedFileReadP99Ratio: round(unlimited.fileReadP99Ms / idle.fileReadP99Ms, 2),
  };
}
