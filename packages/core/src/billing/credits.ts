// Credit management by people: the balance any member may see; grants and adjustments, each a ledger
// entry with its reason, by platform admins only. Credits pay for the platform's keys, so an
// organisation's own owners must not be able to add them.
import type { Db, DbTx } from "@studio/db";
import { LEDGER_KINDS } from "@studio/models";
import { z } from "zod";
import { assertPlatformAdmin, type PlatformActor } from "../platform/actor.ts";
import { AppError, notFound } from "../shared/errors.ts";
import { changeCredits, creditBalance } from "./ledger.ts";
import { parseUsd } from "./pricing.ts";

const usdAmount = z
  .string()
  .trim()
  .max(24)
  .transform((text, context) => {
    const value = parseUsd(text);
    if (value === null) {
      context.addIssue({
        code: "custom",
        message: "Enter an amount in USD with at most six decimals, e.g. 25 or 0.50.",
      });
      return z.NEVER;
    }
    return value;
  });

export const changeCreditsInput = z.object({
  organizationId: z.string().min(1).max(64),
  kind: z.enum(LEDGER_KINDS).extract(["grant", "adjustment"]),
  /** USD as text (exact: never a float), e.g. "25.00"; an adjustment may be negative. */
  amountUsd: usdAmount,
  reason: z.string().trim().min(3, { error: "Say why, in a few words." }).max(500),
  /** Chosen by the client per submission, so a retried submission applies once. */
  requestId: z.string().min(8).max(64),
});
export type ChangeCreditsInput = z.infer<typeof changeCreditsInput>;

export async function changeOrganizationCredits(db: Db, actor: PlatformActor, input: ChangeCreditsInput) {
  assertPlatformAdmin(actor, "grant or adjust credits");
  if (input.kind === "grant" && input.amountUsd <= 0n)
    throw new AppError("BAD_REQUEST", "A grant adds credits: enter an amount above zero.");
  if (input.amountUsd === 0n) throw new AppError("BAD_REQUEST", "An adjustment of zero changes nothing.");
  const organization = await db.organization.findUnique({
    where: { id: input.organizationId },
    select: { id: true },
  });
  if (!organization) throw notFound("Organisation");
  return changeCredits(
    db,
    { userId: actor.userId, organizationId: organization.id },
    {
      kind: input.kind,
      amountMicroUsd: input.amountUsd,
      reason: input.reason,
      requestId: input.requestId,
    },
  );
}

export async function organizationBalance(db: DbTx, organizationId: string) {
  return { balanceMicroUsd: await creditBalance(db, organizationId) };
}
