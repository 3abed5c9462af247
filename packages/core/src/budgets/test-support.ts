// What the budgets' integration tests record: calls of claude-haiku-4-5 ($1 in, $5 out per million),
// 100 tokens in and 1,980 out, so each costs 10,000 micro-USD at the list price.
import type { DbClient } from "@studio/db";
import { seedSessionRow } from "@studio/testkit";
import { hashSecret } from "../auth/secrets.ts";
import { type CallToRecord, recordModelCalls } from "../billing/ledger.ts";
import { newId } from "../shared/ids.ts";

export const HAIKU_CALL_COST = 10_000n;

/** Records `calls` such calls of a session at `at`, admitted from `allowanceIds` when given. */
export async function recordHaikuCalls(
  { db, pool }: DbClient,
  sessionId: string,
  { at = new Date(), calls = 1, allowanceIds }: { at?: Date; calls?: number; allowanceIds?: string[] } = {},
): Promise<void> {
  const batch = Array.from(
    { length: calls },
    (): CallToRecord => ({
      call: {
        requestId: newId(),
        sessionId,
        model: "claude-haiku-4-5",
        inputTokens: 100,
        outputTokens: 1_980,
        cachedTokens: 0,
        reasoningTokens: 0,
        estimated: false,
        upstreamStatus: 200,
        at,
      },
      ...(allowanceIds ? { allowanceIds } : {}),
    }),
  );
  await recordModelCalls(db, pool, batch, { platformMarkupBps: 0 });
}

/** An organisation in `timeZone` whose owner has a session calling claude-haiku-4-5. */
export async function haikuOrganization({ db }: DbClient, timeZone = "UTC") {
  const seeded = await seedSessionRow(db, {
    provider: "anthropic",
    model: "claude-haiku-4-5",
    upstreamProvider: "anthropic",
    upstreamModel: "claude-haiku-4-5",
    gatewayTokenHash: hashSecret(newId()),
  });
  const actor = { userId: seeded.userId, organizationId: seeded.organizationId };
  await db.organization.update({ where: { id: seeded.organizationId }, data: { timeZone } });
  await db.membership.create({ data: { id: newId(), ...actor, role: "owner" } });
  return { ...seeded, actor };
}
