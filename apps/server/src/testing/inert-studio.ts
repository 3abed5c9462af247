// The studio's HTTP server for tests of procedures and routes that start no session.
import { inertSessionsContext } from "@studio/api/testing";
import { newKeyring } from "@studio/core";
import type { DbClient } from "@studio/db";
import { createStudioServer, type StudioServer } from "../app.ts";
import { loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import type { TestAccount } from "./studio-process.ts";

/** Listens on a free port, with no session runtime, no web app and no log. */
export async function startInertStudio({
  db,
  pool,
}: DbClient): Promise<{ studio: StudioServer; url: string }> {
  const config = loadConfig({ PORT: "0", STUDIO_DATA_DIR: "/nonexistent", STUDIO_WEB_DIST: "/nonexistent" });
  const studio = createStudioServer({
    config,
    db,
    pool,
    logger: createLogger("silent"),
    sessions: inertSessionsContext,
    keyring: newKeyring(),
  });
  return { studio, url: await studio.listen() };
}

/** Asks for the usage ledger as CSV, filtered as the usage page would. */
export function fetchLedgerCsv(url: string, account: TestAccount, filter: unknown): Promise<Response> {
  return fetch(`${url}/api/usage/ledger.csv?filter=${encodeURIComponent(JSON.stringify(filter))}`, {
    headers: { authorization: `Bearer ${account.token}` },
  });
}
