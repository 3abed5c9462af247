// GET /api/usage/ledger.csv?filter=<JSON of the ledger filter>: the whole filtered ledger as a CSV
// download, streamed with backpressure (a few chunks in memory however large the export). Same
// authentication and organisation rules as the API: a cookie or an API token, the caller's active
// organisation, and the organisation's entries only for its owners and admins.
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { type ResolvedActor, Slots } from "@studio/api";
import { ledgerCsvQuery, ledgerFilterSchema } from "@studio/core";
import { copyCsvOut, type SqlPool } from "@studio/db";
import type { ContextDeps } from "./context.ts";
import { refuse, refuseWith, requestActor } from "./respond.ts";

export const LEDGER_CSV_PATH = "/api/usage/ledger.csv";

// Each export holds a database connection of its own while the download lasts: a few on the
// replica, and no more than half of them for one organisation or one at a time for one member, so
// neither a member nor an organisation can keep the others' exports out.
export const EXPORT_LIMITS = { replica: 4, organization: 2, member: 1 } as const;
const exportSlots = new Slots(5);

function exportLimits(organizationId: string, userId: string) {
  return [
    {
      key: `member:${organizationId}:${userId}`,
      max: EXPORT_LIMITS.member,
      message: "Your previous export is still running. Try again when it has finished.",
    },
    {
      key: `organization:${organizationId}`,
      max: EXPORT_LIMITS.organization,
      message: "Other exports of this organisation are running. Try again in a few seconds.",
    },
    {
      key: "replica",
      max: EXPORT_LIMITS.replica,
      message: "Other exports are running. Try again in a few seconds.",
    },
  ];
}

export async function serveLedgerCsv(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ContextDeps & { pool: SqlPool },
) {
  if (req.method !== "GET") return refuse(res, 405, "Use GET.");
  let viewer: ResolvedActor["actor"];
  try {
    ({ actor: viewer } = await requestActor(req, res, deps));
  } catch (error) {
    return refuseWith(res, error);
  }
  const { organizationId, userId } = viewer;

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

  let query: ReturnType<typeof ledgerCsvQuery>;
  let release: () => void;
  try {
    query = ledgerCsvQuery(viewer, filter.data);
    release = exportSlots.acquire(exportLimits(organizationId, userId));
  } catch (error) {
    return refuseWith(res, error);
  }
  try {
    const csv = await copyCsvOut(deps.pool, query);
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
    release();
  }
}
