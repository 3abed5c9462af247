// Writes events straight into a session's log, for histories a scripted agent would need many
// minutes to produce (thousands of events). It goes through the studio's own append, which numbers
// events gap-free under the session row's lock, in the e2e server's embedded PostgreSQL.
import path from "node:path";
import type { StudioEvent } from "../../packages/acp/src/events.ts";
import { appendEvents } from "../../packages/core/src/sessions/event-log.ts";
import { createDb, type Db } from "../../packages/db/src/index.ts";
import { runningEmbeddedPostgresUrl } from "../../packages/db/src/postgres.ts";

/** Events per append: one statement each, like a large batch of the runner's EventWriter. */
const BATCH = 250;

/** The e2e server's database: its running embedded PostgreSQL. */
function databaseUrl(): string {
  const dataDir = process.env.STUDIO_E2E_DATA_DIR;
  if (!dataDir) throw new Error("STUDIO_E2E_DATA_DIR is not set: run through playwright.config.ts");
  const url = runningEmbeddedPostgresUrl(path.join(dataDir, "postgres"));
  if (!url) throw new Error("the e2e server's PostgreSQL is not running");
  return url;
}

export async function withDb<T>(use: (db: Db) => Promise<T>): Promise<T> {
  const db = createDb(databaseUrl(), { maxConnections: 2 });
  try {
    return await use(db);
  } finally {
    await db.$disconnect();
  }
}

/** Who started the session, to author the prompts of a seeded history. */
export function sessionOwnerId(sessionId: string): Promise<string> {
  return withDb(async (db) => {
    const row = await db.studioSession.findUniqueOrThrow({
      where: { id: sessionId },
      select: { userId: true },
    });
    return row.userId;
  });
}

/** Appends events to the end of a session's log; returns the seq of the last one. */
export function appendSessionEvents(sessionId: string, events: StudioEvent[]): Promise<number> {
  return withDb(async (db) => {
    let last = 0n;
    for (let start = 0; start < events.length; start += BATCH) {
      last = await appendEvents(db, sessionId, events.slice(start, start + BATCH));
    }
    return Number(last);
  });
}
