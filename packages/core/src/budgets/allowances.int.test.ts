import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { seedListPrices } from "../billing/prices.ts";
import { newId } from "../shared/ids.ts";
import { type AllowanceRequest, grantAllowance, READ_ADMISSION_SQL } from "./allowances.ts";
import { setBudget } from "./budgets.ts";
import { setBudgetInput } from "./schemas.ts";
import { readSpendValues } from "./status.ts";
import { HAIKU_CALL_COST, haikuOrganization, recordHaikuCalls } from "./test-support.ts";

const database = useTestDatabase();
const CALL_COST = HAIKU_CALL_COST;
const LIMIT = 1_000_000n;
const startDay = `${new Date().toISOString().slice(0, 8)}01`;
const nextMonth = new Date();
nextMonth.setUTCDate(1);
nextMonth.setUTCMonth(nextMonth.getUTCMonth() + 1);
const nextStartDay = nextMonth.toISOString().slice(0, 10);

async function organizationWithBudget() {
  await seedListPrices(database.db);
  const { actor, ...seeded } = await haikuOrganization(database);
  await setBudget(
    database.db,
    actor,
    setBudgetInput.parse({ scope: "organization", limitMicroUsd: Number(LIMIT) }),
  );
  const { id: budgetId } = await database.db.budget.findFirstOrThrow({
    where: { organizationId: seeded.organizationId },
  });
  const ask = (holder: string, want: bigint, overrides: Partial<AllowanceRequest> = {}) =>
    grantAllowance(database.db, {
      allowanceId: newId(),
      holder,
      organizationId: seeded.organizationId,
      budgetId,
      limitMicroUsd: LIMIT,
      subject: "org",
      startDay,
      nextStartDay,
      wantMicroUsd: want,
      ttlMs: 30_000,
      ...overrides,
    });
  return { ...seeded, actor, budgetId, ask };
}

const spend = (sessionId: string, calls: number, allowanceIds?: string[]) =>
  recordHaikuCalls(database, sessionId, { calls, ...(allowanceIds ? { allowanceIds } : {}) });

const remaining = async (id: string) =>
  (await database.db.budgetAllowance.findUniqueOrThrow({ where: { id } })).remainingMicroUsd;

async function admissionRead(organizationId: string) {
  const { rows } = await database.pool.query<{ spent: string; reserved: string }>(
    READ_ADMISSION_SQL,
    readSpendValues(organizationId, [{ subject: "org", startDay, nextStartDay }]),
  );
  return { spent: BigInt(rows[0]!.spent), reserved: BigInt(rows[0]!.reserved) };
}

describe("budget allowances", () => {
  it("are never granted past what no one has spent or holds, however many replicas ask at once", async () => {
    const { sessionId, ask } = await organizationWithBudget();
    await spend(sessionId, 20); // 200,000 of 1,000,000 spent
    const grants = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(`replica-${i % 4}`, 100_000n)));
    const granted = grants.reduce((sum, grant) => sum + grant.grantedMicroUsd, 0n);
    // 1,000,000 − 200,000 spent − the last tenth (100,000), exactly: 7 whole grants.
    expect(granted).toBe(700_000n);
    expect(grants.every((grant) => grant.alive && grant.grantedMicroUsd <= 100_000n)).toBe(true);
    expect(grants.filter((grant) => grant.grantedMicroUsd > 0n)).toHaveLength(7);
    // Nothing more for anyone, even a little.
    expect((await ask("replica-9", 1n)).grantedMicroUsd).toBe(0n);
  });

  it("turn into spend as their calls are recorded, and count as held for every exact read", async () => {
    const { sessionId, organizationId, ask } = await organizationWithBudget();
    const allowanceId = newId();
    expect(await ask("replica-a", 100_000n, { allowanceId })).toEqual({
      grantedMicroUsd: 100_000n,
      alive: true,
    });
    expect(await admissionRead(organizationId)).toEqual({ spent: 0n, reserved: 100_000n });

    await spend(sessionId, 3, [allowanceId]);
    expect(await remaining(allowanceId)).toBe(100_000n - 3n * CALL_COST);
    expect(await admissionRead(organizationId)).toEqual({
      spent: 3n * CALL_COST,
      reserved: 100_000n - 3n * CALL_COST,
    });
    // Calls admitted by the exact read take nothing from it; more than it holds leaves it at nothing.
    await spend(sessionId, 2);
    expect(await remaining(allowanceId)).toBe(70_000n);
    await spend(sessionId, 8, [allowanceId]);
    expect(await remaining(allowanceId)).toBe(0n);
    // Renewing adds to it, within what is free: 1,000,000 − 130,000 spent − 100,000.
    expect((await ask("replica-a", 2_000_000n, { allowanceId })).grantedMicroUsd).toBe(770_000n);
    expect(await remaining(allowanceId)).toBe(770_000n);
  });

  it("lapse for everyone when not renewed, and are never revived", async () => {
    const { organizationId, ask } = await organizationWithBudget();
    const allowanceId = newId();
    await ask("replica-a", 900_000n, { allowanceId, ttlMs: 300 });
    expect((await ask("replica-b", 100_000n)).grantedMicroUsd).toBe(0n);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await admissionRead(organizationId)).reserved).toBe(0n);
    expect(await ask("replica-a", 1n, { allowanceId })).toEqual({ grantedMicroUsd: 0n, alive: false });
    expect((await ask("replica-b", 900_000n)).grantedMicroUsd).toBe(900_000n);
  });

  it("grant nothing for a budget that changed, turned soft, or belongs to another organisation", async () => {
    const { actor, ask } = await organizationWithBudget();
    const other = await organizationWithBudget();
    expect(await ask("replica-a", 1_000n, { limitMicroUsd: LIMIT + 1n })).toEqual({
      grantedMicroUsd: 0n,
      alive: false,
    });
    expect(await ask("replica-a", 1_000n, { budgetId: other.budgetId })).toEqual({
      grantedMicroUsd: 0n,
      alive: false,
    });
    await setBudget(
      database.db,
      actor,
      setBudgetInput.parse({ scope: "organization", limitMicroUsd: Number(LIMIT), hard: false }),
    );
    expect(await ask("replica-a", 1_000n)).toEqual({ grantedMicroUsd: 0n, alive: false });
    expect(await database.db.budgetAllowance.count({ where: { organizationId: actor.organizationId } })).toBe(
      0,
    );
  });
});
