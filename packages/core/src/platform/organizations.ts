// What platform admins see of every organisation on the studio: enough to find one and give it
// credits, nothing of its work (sessions, keys and usage stay with its members).
import type { DbTx } from "@studio/db";
import { z } from "zod";
import { assertPlatformAdmin, type PlatformActor } from "./actor.ts";

export const PLATFORM_ORGANIZATIONS_PAGE = 50;
/** The period an organisation's use of platform credits is shown for, in days up to today. */
export const PLATFORM_SPEND_DAYS = 30;

export const listPlatformOrganizationsInput = z.object({
  /** Part of the organisation's name or of an owner's email, any case. */
  search: z.string().trim().max(100).default(""),
  /** Where the previous page ended (`nextCursor`): organisations come by name, then id. */
  cursor: z.object({ name: z.string().max(200), id: z.string().max(64) }).nullish(),
});
export type ListPlatformOrganizationsInput = z.infer<typeof listPlatformOrganizationsInput>;

export interface PlatformOrganization {
  id: string;
  name: string;
  personal: boolean;
  createdAt: Date;
  members: number;
  owners: { name: string; email: string }[];
  balanceMicroUsd: bigint;
  /** Charged to its platform credits over the last PLATFORM_SPEND_DAYS days (UTC), today included. */
  platformSpendMicroUsd: bigint;
}

export async function listPlatformOrganizations(
  db: DbTx,
  actor: PlatformActor,
  input: ListPlatformOrganizationsInput,
): Promise<{ organizations: PlatformOrganization[]; nextCursor: { name: string; id: string } | null }> {
  assertPlatformAdmin(actor, "see every organisation");
  const { search, cursor } = input;
  // Prisma passes `contains` to LIKE as it is: its wildcards (and the escape) are typed text here.
  const contains = { contains: search.replace(/[\\%_]/g, "\\$&"), mode: "insensitive" as const };
  const matching = search
    ? [
        {
          OR: [
            { name: contains },
            { memberships: { some: { role: "owner" as const, user: { email: contains } } } },
          ],
        },
      ]
    : [];
  const afterPrevious = cursor
    ? [{ OR: [{ name: { gt: cursor.name } }, { name: cursor.name, id: { gt: cursor.id } }] }]
    : [];
  const rows = await db.organization.findMany({
    where: { AND: [...matching, ...afterPrevious] },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: PLATFORM_ORGANIZATIONS_PAGE + 1,
    select: {
      id: true,
      name: true,
      personal: true,
      createdAt: true,
      creditAccount: { select: { balanceMicroUsd: true } },
      _count: { select: { memberships: true } },
      memberships: {
        where: { role: "owner" },
        orderBy: { createdAt: "asc" },
        take: 3,
        select: { user: { select: { name: true, email: true } } },
      },
    },
  });
  const page = rows.slice(0, PLATFORM_ORGANIZATIONS_PAGE);
  const spend = await platformSpend(
    db,
    page.map((row) => row.id),
  );
  const last = page.at(-1);
  return {
    nextCursor: rows.length > page.length && last ? { name: last.name, id: last.id } : null,
    organizations: page.map((row) => ({
      id: row.id,
      name: row.name,
      personal: row.personal,
      createdAt: row.createdAt,
      members: row._count.memberships,
      owners: row.memberships.map((membership) => membership.user),
      balanceMicroUsd: row.creditAccount?.balanceMicroUsd ?? 0n,
      platformSpendMicroUsd: spend.get(row.id) ?? 0n,
    })),
  };
}

/** From the daily totals the ledger keeps, so a page costs one small query however many calls. */
async function platformSpend(db: DbTx, organizationIds: string[]): Promise<Map<string, bigint>> {
  if (organizationIds.length === 0) return new Map();
  const today = new Date(new Date().toISOString().slice(0, 10));
  const since = new Date(today.getTime() - (PLATFORM_SPEND_DAYS - 1) * 86_400_000);
  const sums = await db.ledgerDailyTotal.groupBy({
    by: ["organizationId"],
    where: {
      organizationId: { in: organizationIds },
      kind: "usage",
      keySource: "platform",
      day: { gte: since },
    },
    _sum: { amountMicroUsd: true },
  });
  // Charges are negative amounts; what was spent is their opposite.
  return new Map(sums.map((sum) => [sum.organizationId, -(sum._sum.amountMicroUsd ?? 0n)]));
}
