// GET /api/usage/ledger.csv?filter=<JSON of the ledger filter>: the whole filtered ledger as a CSV
// download, streamed with backpressure (one batch in memory however large the export). Same
// authentication and organisation rules as the API: a cookie or an API token, the caller's active
// organisation, and the organisation's entries only for its owners and admins.
import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError, defaultOrganizationId, findMembership, ledgerCsv, ledgerFilterSchema } from "@studio/core";
import { authenticate, type ContextDeps } from "./context.ts";

export const LEDGER_CSV_PATH = "/api/usage/ledger.csv";

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
  const rows = ledgerCsv(deps.db, viewer, filter.data);
  let first: IteratorResult<string>;
  try {
    first = await rows.next(); // the header, after the filter's access check ran
  } catch (error) {
    if (error instanceof AppError && error.code === "FORBIDDEN") return refuse(res, 403, error.message);
    throw error;
  }
  const day = new Date().toISOString().slice(0, 10);
  res.writeHead(200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="ledger-${day}.csv"`,
    "cache-control": "no-store",
  });
  let closed = false;
  res.on("close", () => {
    closed = true;
  });
  try {
    for (let chunk = first; !chunk.done && !closed; chunk = await rows.next()) {
      if (!res.write(chunk.value)) await new Promise((resolve) => res.once("drain", resolve));
    }
    await rows.return(undefined);
    res.end();
  } catch (error) {
    deps.logger.error({ err: error }, "ledger export failed");
    res.destroy();
  }
}
