// GET /api/usage/ledger.csv?filter=<JSON of the ledger filter>: the whole filtered ledger as a CSV
// download, streamed with backpressure (a few chunks in memory however large the export). Same
// authentication and organisation rules as the API: a cookie or an API token, the caller's active
// organisation, and the organisation's entries only for its owners and admins.
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { Slots } from "@studio/api";
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
  let release: () => void;
  try {
    release = exportSlots.acquire(exportLimits(organizationId, user.id));
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "TOO_MANY_REQUESTS") throw error;
    res.setHeader("retry-after", String(error.retryAfterSeconds ?? 5));
    return refuse(res, 429, error.message);
  }
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
    release();
  }
}
