// Seeds usage-ledger entries (and a session for them to point at) straight into the e2e server's
// database, with dates and amounts a test chooses: real metered calls would take minutes each and
// could never be backdated. Balances follow the way the ledger keeps them: each entry's
// balance_after continues from the one before, and the credit account ends on the last.
import { randomUUID } from "node:crypto";
import { newId } from "../../packages/core/src/shared/ids.ts";
import { withDb } from "./session-log.ts";

export interface SeedEntry {
  at: Date;
  userId: string | null;
  kind: "usage" | "grant" | "adjustment" | "refund";
  provider?: "xai" | "anthropic" | "openai" | "google" | "openrouter" | "custom";
  model?: string;
  keySource?: "direct" | "openrouter" | "platform";
  inputTokens?: number;
  outputTokens?: number;
  cachedTokens?: number;
  /** Signed: charges negative, grants positive. */
  amountMicroUsd: bigint;
  costMicroUsd?: bigint;
  sessionId?: string;
  reason?: string;
}

/** A person's id and the id of one of their organisations, by its name. */
export function memberIds(email: string, organizationName: string) {
  return withDb(async (db) => {
    const membership = await db.membership.findFirstOrThrow({
      where: { user: { email }, organization: { name: organizationName } },
      select: { userId: true, organizationId: true },
    });
    return membership;
  });
}

/** A stopped session with a title, as if it had run and ended; no sandbox is started for it. */
export function seedStoppedSession(organizationId: string, userId: string, title: string): Promise<string> {
  return withDb(async (db) => {
    const session = await db.studioSession.create({
      data: {
        id: newId(),
        organizationId,
        userId,
        environment: "development",
        status: "stopped",
        provider: "xai",
        model: "grok-4-1-fast",
        keySource: "platform",
        upstreamProvider: "xai",
        upstreamModel: "grok-4-1-fast",
        sandboxProvider: "local",
        idleTimeoutSeconds: 1800,
        title,
        stoppedAt: new Date(),
      },
      select: { id: true },
    });
    return session.id;
  });
}

/**
 * Inserts the entries in time order, continuing the organisation's balance, and leaves the credit
 * account at the final balance. Returns the balance after the last entry.
 */
export function seedLedger(organizationId: string, entries: readonly SeedEntry[]): Promise<bigint> {
  return withDb((db) =>
    db.$transaction(async (tx) => {
      const account = await tx.creditAccount.findUnique({ where: { organizationId } });
      let balance = account?.balanceMicroUsd ?? 0n;
      const ordered = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime());
      for (const entry of ordered) {
        balance += entry.amountMicroUsd;
        await tx.ledgerEntry.create({
          data: {
            organizationId,
            userId: entry.userId,
            sessionId: entry.sessionId ?? null,
            kind: entry.kind,
            amountMicroUsd: entry.amountMicroUsd,
            costMicroUsd: entry.costMicroUsd ?? 0n,
            balanceAfterMicroUsd: balance,
            idempotencyKey: `e2e-seed-${randomUUID()}`,
            provider: entry.provider ?? null,
            model: entry.model ?? null,
            keySource: entry.keySource ?? null,
            inputTokens: entry.inputTokens ?? 0,
            outputTokens: entry.outputTokens ?? 0,
            cachedTokens: entry.cachedTokens ?? 0,
            reason: entry.reason ?? null,
            createdById: entry.kind === "usage" ? null : entry.userId,
            createdAt: entry.at,
          },
        });
      }
      await tx.creditAccount.upsert({
        where: { organizationId },
        create: { organizationId, balanceMicroUsd: balance },
        update: { balanceMicroUsd: balance },
      });
      return balance;
    }),
  );
}
