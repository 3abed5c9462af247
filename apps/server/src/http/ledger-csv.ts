// GET /api/usage/ledger.csv?filter=<JSON of the ledger filter>: the whole filtered ledger as a CSV
// download, streamed with backpressure (a few chunks in memory however large the export). Same
// authentication and organisation rules as the API: a cookie or an API token, the caller's active
// organisation, and the organisation's entries only for its owners and admins.
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import {
  AppError,
  defaultOrganizationId,
  findMembership,
  ledgerCsvQuery,
  ledgerFilterSchema,
} from "@studio/core";
import { copyCsvOut } from "@studio/db";
import { authenticate, type ContextDeps } from "./context.ts";

export const LEDGER_CSV_PATH = "/api/usage/ledger.csv";

const MAX_CONCURRENT_EXPORTS = 4;
let runningExports = 0;

function refuse(res: ServerResponse, status: number, message: string) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify({ error: message }));
}

export async function serveLedgerCsv(req: IncomingMessage, res: ServerResponse, deps: ContextDeps) {
  if (req.method !== "GET") return refuse(res, 405, "Use GET.");
  const auth = await authenticate(req, res, deps);
  if (!auth) return refuse(res, 401, "Sign in to continue.");
  const user = auth.kind === "session" ? auth.session.user : auth.token.user;
  const organizationId =
    auth.kind === "token"
      ? auth.token.organizationId
      : (auth.session.activeOrganizationId ?? (await defaultOrganizationId(deps.db, user.id)));
  const membership = organizationId ? await findMembership(deps.db, user.id, organizationId) : null;
  if (!organizationId || !membership) return refuse(res, 403, "You are not a member of this organisation.");

  const url = new URL(req.url ?? "/", "http://studio");
  let filterJson: unknown = {};
  try {
    filterJson = JSON.parse(url.searchParams.get("filter") ?? "{}");
  } catch {
    return refuse(res, 400, "The filter is not valid JSON.");
  }
  const filter = ledgerFilterSchema.safeParse(filterJson);
  if (!filter.success)
    return refuse(res, 400, `Invalid filter. ${filter.error.issues[0]?.message ?? ""}`.trim());

  const viewer = { userId: user.id, organizationId, role: membership.role };
  let query: ReturnType<typeof ledgerCsvQuery>;
  try {
    query = ledgerCsvQuery(viewer, filter.data);
  } catch (error) {
    if (error instanceof AppError && error.code === "FORBIDDEN") return refuse(res, 403, error.message);
    throw error;
  }
  // Each export holds a database connection of its own while the download lasts.
  if (runningExports >= MAX_CONCURRENT_EXPORTS) {
    res.setHeader("retry-after", "5");
    return refuse(res, 429, "Other exports are running. Try again in a few seconds.");
  }
  runningExports += 1;
  try {
    const csv = await copyCsvOut(deps.db, query);
    const day = new Date().toISOString().slice(0, 10);
    res.writeHead(200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="ledger-${day}.csv"`,
      "cache-control": "no-store",
    });
    // A client that goes away ends the pipeline, which destroys the COPY and closes its connection.
    await pipeline(csv, res).catch((error: unknown) => {
      const clientLeft = (error as { code?: string }).code === "ERR_STREAM_PREMATURE_CLOSE";
      if (!clientLeft) deps.logger.error({ err: error }, "ledger export failed");
    });
  } finally {
    runningExports -= 1;
  }
}
