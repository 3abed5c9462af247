// Budgets against real PostgreSQL: spend counted on the organisation's local day by the ledger's own
// statement, periods rolling over at its midnight (a fixed clock), which budgets cover a call, alerts
// once per period, and no reach into another organisation.
import { seedSessionRow } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { hashSecret } from "../auth/secrets.ts";
import { seedListPrices } from "../billing/prices.ts";
import { newId } from "../shared/ids.ts";
import { assertBudgetsAllowNewSession } from "./admission.ts";
import { listBudgets, memberBudgetUsage, myBudgets, removeBudget, setBudget } from "./budgets.ts";
import { recordBudgetCrossings } from "./crossings.ts";
import { setBudgetInput } from "./schemas.ts";
import { budgetStates, organizationBudgetRules } from "./status.ts";
import { HAIKU_CALL_COST, haikuOrganization, recordHaikuCalls } from "./test-support.ts";

const database = useTestDatabase();
const CALL_COST = HAIKU_CALL_COST;

const organization = (timeZone = "UTC") => haikuOrganization(database, timeZone);

async function member(organizationId: string) {
  const userId = newId();
  await database.db.user.create({
    data: {
      id: userId,
      email: `${userId}@example.com`,
      name: `Member ${userId.slice(0, 4)}`,
      passwordHash: "x",
    },
  });
  await database.db.membership.create({ data: { id: newId(), organizationId, userId, role: "member" } });
  const { sessionId } = await seedSessionRow(
    database.db,
    {
      provider: "anthropic",
      model: "claude-haiku-4-5",
      upstreamProvider: "anthropic",
      upstreamModel: "claude-haiku-4-5",
      gatewayTokenHash: hashSecret(newId()),
    },
    { owner: { userId, organizationId } },
  );
  return { userId, sessionId };
}

const spend = (sessionId: string, at: Date, calls = 1) =>
  recordHaikuCalls(database, sessionId, { at, calls });

const budget = (input: Record<string, unknown>) => setBudgetInput.parse(input);

describe("budgets", () => {
  it("count each call on the organisation's local day, and roll periods over at its midnight", async () => {
    await seedListPrices(database.db);
    const { sessionId, actor, organizationId } = await organization("Europe/Berlin");
    await setBudget(
      database.db,
      actor,
      budget({ scope: "organization", period: "month", limitMicroUsd: 1_000_000 }),
    );
    await setBudget(
      database.db,
      actor,
      budget({ scope: "member_default", period: "day", limitMicroUsd: 15_000 }),
    );
    // 23:30 on 31 May in Berlin, then 00:30 on 1 June.
    await spend(sessionId, new Date("2026-05-31T21:30:00Z"), 2);
    await spend(sessionId, new Date("2026-05-31T22:30:00Z"));
    const days = await database.db.budgetSpendDay.findMany({
      where: { organizationId },
      orderBy: [{ subject: "asc" }, { day: "asc" }],
    });
    expect(
      days.map((d) => [d.subject.split(":")[0], d.day.toISOString().slice(0, 10), d.spentMicroUsd]),
    ).toEqual([
      ["member", "2026-05-31", 2n * CALL_COST],
      ["member", "2026-06-01", CALL_COST],
      ["org", "2026-05-31", 2n * CALL_COST],
      ["org", "2026-06-01", CALL_COST],
    ]);

    const { timeZone, budgets } = await organizationBudgetRules(database.db, organizationId);
    const at = async (iso: string) =>
      (await budgetStates(database.db, budgets, actor, timeZone, new Date(iso))).map((s) => [
        s.budget.scope,
        s.window.startDay,
        s.spentMicroUsd,
      ]);
    expect(await at("2026-05-31T21:45:00Z")).toEqual([
      ["organization", "2026-05-01", 2n * CALL_COST],
      ["member_default", "2026-05-31", 2n * CALL_COST],
    ]);
    expect(await at("2026-05-31T22:45:00Z")).toEqual([
      ["organization", "2026-06-01", CALL_COST],
      ["member_default", "2026-06-01", CALL_COST],
    ]);
    // The member's daily budget of $0.015 was spent on the 31st, and is open again on the 1st.
    await expect(
      assertBudgetsAllowNewSession(database.db, actor, new Date("2026-05-31T21:45:00Z")),
    ).rejects.toMatchObject({
      code: "PAYMENT_REQUIRED",
      message: expect.stringMatching(
        /^Your daily budget of \$0\.015000 is spent\. It resets on 1 June 2026 at 00:00 \(Europe\/Berlin\)\.$/,
      ),
    });
    await assertBudgetsAllowNewSession(database.db, actor, new Date("2026-05-31T22:45:00Z"));
  });

  it("cover a call by the organisation's, its member's own (else the default) and its token's budgets", async () => {
    await seedListPrices(database.db);
    const { actor, organizationId } = await organization();
    const alice = await member(organizationId);
    const bob = await member(organizationId);
    const token = await database.db.apiToken.create({
      data: {
        id: newId(),
        userId: alice.userId,
        organizationId,
        name: "CI",
        secretHash: Buffer.from(newId()),
      },
    });
    await setBudget(database.db, actor, budget({ scope: "member_default", limitMicroUsd: 20_000 }));
    await setBudget(
      database.db,
      actor,
      budget({ scope: "member", userId: bob.userId, limitMicroUsd: 50_000, hard: false }),
    );
    await setBudget(
      database.db,
      actor,
      budget({ scope: "api_token", apiTokenId: token.id, limitMicroUsd: 5_000 }),
    );
    const now = new Date();
    await spend(alice.sessionId, now, 2);
    await spend(bob.sessionId, now, 3);

    const asAlice = { userId: alice.userId, organizationId };
    expect(
      (await myBudgets(database.db, asAlice)).map((b) => [b.scope, b.spentMicroUsd, b.remainingMicroUsd]),
    ).toEqual([["member_default", 20_000n, 0n]]);
    await expect(assertBudgetsAllowNewSession(database.db, asAlice)).rejects.toMatchObject({
      code: "PAYMENT_REQUIRED",
    });
    // Bob's own budget replaces the default, and it is soft: over it, he may still start sessions.
    const asBob = { userId: bob.userId, organizationId };
    expect(
      (await myBudgets(database.db, asBob)).map((b) => [b.scope, b.spentMicroUsd, b.crossedPercent]),
    ).toEqual([["member", 30_000n, 50]]);
    await assertBudgetsAllowNewSession(database.db, asBob);
    // A program with Alice's token is also under the token's budget, nothing spent on it yet.
    const viaToken = await myBudgets(database.db, { ...asAlice, apiTokenId: token.id });
    expect(viaToken.map((b) => [b.scope, b.spentMicroUsd])).toEqual([
      ["member_default", 20_000n],
      ["api_token", 0n],
    ]);

    const usage = await memberBudgetUsage(database.db, actor);
    expect(usage.map((u) => [u.userId, u.budget?.scope ?? null, u.spentMicroUsd])).toEqual([
      [actor.userId, "member_default", 0n],
      [alice.userId, "member_default", 20_000n],
      [bob.userId, "member", 30_000n],
    ]);
    const listed = await listBudgets(database.db, actor);
    expect(listed.map((b) => [b.scope, b.subject?.kind ?? null, b.spentMicroUsd])).toEqual([
      ["member_default", null, null],
      ["member", "member", 30_000n],
      ["api_token", "token", 0n],
    ]);
    // Setting a subject's budget again changes it.
    await setBudget(database.db, actor, budget({ scope: "member_default", limitMicroUsd: 40_000 }));
    expect((await myBudgets(database.db, asAlice))[0]!.remainingMicroUsd).toBe(20_000n);
  });

  it("alert each threshold once per period, the highest first-crossed in one message", async () => {
    await seedListPrices(database.db);
    const { actor, organizationId, sessionId } = await organization();
    await setBudget(
      database.db,
      actor,
      budget({ scope: "organization", limitMicroUsd: 40_000, hard: false, alertPercents: [80, 50, 100] }),
    );
    const now = new Date();
    await spend(sessionId, now, 3); // 75 %: past 50
    const who = [{ organizationId, userId: actor.userId }];
    expect((await recordBudgetCrossings(database.db, who, now)).map((c) => c.percent)).toEqual([50]);
    expect(await recordBudgetCrossings(database.db, who, now)).toEqual([]);
    await spend(sessionId, now, 2); // 125 %: past 80 and 100 at once
    const crossed = await recordBudgetCrossings(database.db, [...who, ...who], now);
    expect(crossed.map((c) => c.percent).sort()).toEqual([100, 80]);
    expect(crossed[0]!.text).toMatch(
      /^The organisation's monthly budget \(soft\) has reached (80|100) %: \$0\.05 of \$0\.04\.$/,
    );
    const rows = await database.db.budgetAlert.findMany({ where: { organizationId } });
    expect(rows.map((r) => r.percent).sort()).toEqual([100, 50, 80]);
  });

  it("never reach another organisation's members, tokens or budgets", async () => {
    const mine = await organization();
    const theirs = await organization();
    const stranger = await member(theirs.organizationId);
    const theirToken = await database.db.apiToken.create({
      data: {
        id: newId(),
        userId: theirs.userId,
        organizationId: theirs.organizationId,
        name: "x",
        secretHash: Buffer.from(newId()),
      },
    });
    await expect(
      setBudget(
        database.db,
        mine.actor,
        budget({ scope: "member", userId: stranger.userId, limitMicroUsd: 1 }),
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      setBudget(
        database.db,
        mine.actor,
        budget({ scope: "api_token", apiTokenId: theirToken.id, limitMicroUsd: 1 }),
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const { id } = await setBudget(
      database.db,
      theirs.actor,
      budget({ scope: "organization", limitMicroUsd: 5 }),
    );
    await expect(removeBudget(database.db, mine.actor, id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await listBudgets(database.db, mine.actor)).toEqual([]);
  });

  it("refuse budgets that name the wrong subject or an impossible amount", () => {
    for (const bad of [
      { scope: "member", limitMicroUsd: 1 },
      { scope: "api_token", limitMicroUsd: 1 },
      { scope: "organization", userId: "u", limitMicroUsd: 1 },
      { scope: "organization", limitMicroUsd: -1 },
      { scope: "organization", limitMicroUsd: 1.5 },
      { scope: "organization", limitMicroUsd: 10 ** 13 },
      { scope: "organization", limitMicroUsd: 1, period: "year" },
      { scope: "organization", limitMicroUsd: 1, alertPercents: [0] },
      { scope: "everyone", limitMicroUsd: 1 },
    ])
      expect(setBudgetInput.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    expect(
      setBudgetInput.parse({ scope: "organization", limitMicroUsd: 1, alertPercents: [80, 50, 80] })
        .alertPercents,
    ).toEqual([50, 80]);
  });
});
