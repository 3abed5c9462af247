// Helpers of the deletion tests (organisations and accounts).
import type { Db } from "@studio/db";
import { beforeAll } from "vitest";
import { signUpUser, type TestUser } from "./callers.ts";

/** Rows in every table with an organization_id column that belong to the organisation. */
export async function rowsOfOrganization(db: Db, organizationId: string): Promise<Record<string, number>> {
  const tables = await db.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.columns
    WHERE table_schema = 'public' AND column_name = 'organization_id' ORDER BY table_name`;
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [row] = await db.$queryRawUnsafe<{ count: bigint }[]>(
      `SELECT count(*) AS count FROM "${table_name}" WHERE organization_id = $1`,
      organizationId,
    );
    counts[table_name] = Number(row?.count ?? 0n);
  }
  return counts;
}

/** Only the tables that hold something. */
export const nonZero = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0));

/** The inviter's active organisation invites the invitee, who accepts. */
export async function joinAs(inviter: TestUser, invitee: TestUser, role: "owner" | "admin" | "member") {
  const { link } = await (await inviter.caller()).invitations.create({ email: invitee.email, role });
  await (await invitee.caller()).invitations.accept({ token: link.split("/invite/")[1]! });
}

/** A session on the platform's xAI key (the organisation needs platform credits). */
export const grokSession = { environment: "development", provider: "xai", model: "grok-4-1-fast" } as const;

/**
 * The studio's first account, its platform admin (signed up before the tests), and platform credits
 * granted by them: sessions on the platform's key need them.
 */
export function useCreditGrants(database: { readonly db: Db }) {
  const operator: { account?: TestUser } = {};
  beforeAll(async () => {
    operator.account = await signUpUser(database.db, "Operator");
  });
  return {
    platformAdmin: () => operator.account!,
    async grant(organizationId: string, requestId: string) {
      await (await operator.account!.caller()).platform.changeCredits({
        organizationId,
        kind: "grant",
        amountUsd: "5",
        reason: "deletion tests",
        requestId,
      });
    },
  };
}
