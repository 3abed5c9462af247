// Which ledger entries a view covers. One filter shape serves the page, the totals, the summaries
// and the CSV export, so all four always describe exactly the same set of entries.
import { Prisma } from "@studio/db";
import { KEY_SOURCES, LEDGER_KINDS, MODEL_PROVIDERS } from "@studio/models";
import { z } from "zod";
import { isManager } from "../orgs/roles.ts";
import type { Role } from "../orgs/schemas.ts";
import { forbidden } from "../shared/errors.ts";

const id = z.string().min(1).max(64);

export const ledgerFilterSchema = z
  .object({
    /** "organization": everyone's entries (owners and admins); "mine": the caller's own. */
    scope: z.enum(["organization", "mine"]).default("mine"),
    /** Inclusive start and exclusive end. */
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
    userId: id.optional(),
    sessionId: id.optional(),
    provider: z.enum(MODEL_PROVIDERS).optional(),
    model: z.string().min(1).max(120).optional(),
    keySource: z.enum(KEY_SOURCES).optional(),
    kind: z.array(z.enum(LEDGER_KINDS)).max(LEDGER_KINDS.length).optional(),
  })
  .refine((filter) => !filter.from || !filter.to || filter.from < filter.to, {
    error: "The start of the range must come before its end.",
    path: ["to"],
  });
export type LedgerFilter = z.infer<typeof ledgerFilterSchema>;

export interface LedgerViewer {
  userId: string;
  organizationId: string;
  role: Role;
}

/**
 * The SQL condition for a filter, always limited to the viewer's organisation, and to their own
 * entries unless they manage it. A member asking for the organisation's entries is refused, not
 * quietly narrowed, so the API's answer matches what the page claims to show.
 */
export function ledgerWhere(viewer: LedgerViewer, filter: LedgerFilter): Prisma.Sql {
  if (filter.scope === "organization" && !isManager(viewer.role))
    throw forbidden("Only owners and admins see the organisation's ledger.");
  const conditions: Prisma.Sql[] = [Prisma.sql`organization_id = ${viewer.organizationId}`];
  if (filter.scope === "mine") conditions.push(Prisma.sql`user_id = ${viewer.userId}`);
  else if (filter.userId) conditions.push(Prisma.sql`user_id = ${filter.userId}`);
  if (filter.from) conditions.push(Prisma.sql`created_at >= ${filter.from}`);
  if (filter.to) conditions.push(Prisma.sql`created_at < ${filter.to}`);
  if (filter.sessionId) conditions.push(Prisma.sql`session_id = ${filter.sessionId}`);
  if (filter.provider) conditions.push(Prisma.sql`provider = ${filter.provider}::model_provider`);
  if (filter.model) conditions.push(Prisma.sql`model = ${filter.model}`);
  if (filter.keySource) conditions.push(Prisma.sql`key_source = ${filter.keySource}::key_source`);
  if (filter.kind?.length) conditions.push(Prisma.sql`kind = ANY(${filter.kind}::ledger_kind[])`);
  return Prisma.join(conditions, " AND ");
}

/**
 * The same filter on the daily totals, for whole days [fromDay, toDay). The viewer rules are
 * ledgerWhere's (it runs first for every view, so a refusal happens there).
 */
export function dailyTotalsWhere(
  viewer: LedgerViewer,
  filter: LedgerFilter,
  days: { fromDay: string | null; toDay: string | null },
): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`organization_id = ${viewer.organizationId}`];
  if (filter.scope === "mine") conditions.push(Prisma.sql`user_id = ${viewer.userId}`);
  else if (filter.userId) conditions.push(Prisma.sql`user_id = ${filter.userId}`);
  if (days.fromDay) conditions.push(Prisma.sql`day >= ${days.fromDay}::date`);
  if (days.toDay) conditions.push(Prisma.sql`day < ${days.toDay}::date`);
  if (filter.provider) conditions.push(Prisma.sql`provider = ${filter.provider}`);
  if (filter.model) conditions.push(Prisma.sql`model = ${filter.model}`);
  if (filter.keySource) conditions.push(Prisma.sql`key_source = ${filter.keySource}`);
  if (filter.kind?.length) conditions.push(Prisma.sql`kind = ANY(${filter.kind}::ledger_kind[])`);
  return Prisma.join(conditions, " AND ");
}
