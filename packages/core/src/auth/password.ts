import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { availableParallelism } from "node:os";
import { AppError } from "../shared/errors.ts";

// scrypt from node:crypto (no native add-on to install): N=2^15, r=8, p=1 costs 32 MiB and tens of
// milliseconds per hash. The parameters are stored with each hash so they can be raised later.
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

// Each scrypt runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which
// file reads, DNS lookups and zlib share. A flood of sign-ins would fill it and stall everything
// else, so hashes run a few at a time and the rest wait in a bounded queue.
let limit = defaultConcurrency(4);
let maxQueued = 128;
let running = 0;
const waiting: Array<() => void> = [];
const counts = { hashes: 0, verifications: 0, refusedBusy: 0 };

/** At most half the thread pool, and no more than the cores that can run them. */
function defaultConcurrency(threadPoolSize: number): number {
  return Math.max(1, Math.min(availableParallelism(), Math.floor(threadPoolSize / 2)));
}

/**
 * Sizes the limit from the thread pool the process runs with (the server passes
 * UV_THREADPOOL_SIZE); `concurrency` overrides it (benchmarks compare against no limit).
 */
export function configurePasswordHashing(options: {
  threadPoolSize?: number;
  concurrency?: number;
  maxQueued?: number;
}) {
  limit = options.concurrency ?? defaultConcurrency(options.threadPoolSize ?? 4);
  if (options.maxQueued !== undefined) maxQueued = options.maxQueued;
}

/** What password work has run in this process, for tests and benchmarks. */
export function passwordHashingStats() {
  return { ...counts, running, queued: waiting.length, concurrency: limit };
}

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= limit) {
    if (waiting.length >= maxQueued) {
      counts.refusedBusy += 1;
      throw new AppError("TOO_MANY_REQUESTS", "The studio is busy right now. Try again in a few seconds.", {
        retryAfterSeconds: 5,
      });
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running += 1;
  }
  try {
    return await work();
  } finally {
    // The slot passes straight to the next in line, so `running` never dips below the queue's need.
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

function derive(password: string, salt: Buffer, params: typeof PARAMS): Promise<Buffer> {
  return limited(() => deriveNow(password, salt, params));
}

function deriveNow(password: string, salt: Buffer, params: typeof PARAMS): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFKC"),
      salt,
      KEY_LENGTH,
      { ...params, maxmem: 128 * params.N * params.r * 2 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  counts.hashes += 1;
  const key = await derive(password, salt, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64");
  counts.verifications += 1;
  const actual = await derive(password, Buffer.from(salt, "base64"), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Verifying against this when the account does not exist keeps response times alike. */
export const UNKNOWN_ACCOUNT_HASH =
  "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
