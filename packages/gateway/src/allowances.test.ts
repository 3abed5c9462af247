// A replica's allowances in memory, with a granter that stands in for the database's grants (those
// are tested against PostgreSQL in core/budgets/allowances.int.test.ts) and a clock the test moves.
import type { AllowanceGrant, AllowanceRequest, BudgetRule } from "@studio/core";
import { afterEach, describe, expect, it } from "vitest";
import { ALLOWANCE_TTL_MS, Allowances, type CoveringBudget } from "./allowances.ts";

const rule = (id: string, limitMicroUsd = 1_000_000n): BudgetRule => ({
  id,
  scope: "organization",
  subjectKey: "organization",
  userId: null,
  apiTokenId: null,
  period: "month",
  limitMicroUsd,
  hard: true,
  alertPercents: [],
});
const window = {
  startDay: "2026-12-01",
  nextStartDay: "2027-01-01",
  startsAt: new Date("2026-12-01T00:00:00Z"),
  resetsAt: new Date("2027-01-01T00:00:00Z"),
};
const covering = (budget = rule("b1")): CoveringBudget => ({ budget, subject: "org", window });

/** Grants what the test says, when the test says, and remembers what it was asked. */
class ScriptedGranter {
  requests: AllowanceRequest[] = [];
  shrunk: { id: string; keep: bigint }[] = [];
  private waiting: ((grant: AllowanceGrant) => void)[] = [];
  grant = (request: AllowanceRequest) => {
    this.requests.push(request);
    return new Promise<AllowanceGrant>((resolve) => this.waiting.push(resolve));
  };
  shrink = async (id: string, keep: bigint) => {
    this.shrunk.push({ id, keep });
  };
  async answer(grant: AllowanceGrant) {
    const next = this.waiting.shift();
    if (!next) throw new Error("nothing was asked");
    next(grant);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

let time = 1_000_000;
const clock = () => time;
const made: Allowances[] = [];
function allowancesWith(granter: ScriptedGranter) {
  const errors: unknown[] = [];
  const allowances = new Allowances(granter, "replica-a", (error) => errors.push(error), clock);
  made.push(allowances);
  return { allowances, errors };
}
afterEach(() => {
  for (const allowances of made.splice(0)) allowances.close();
});

describe("a replica's budget allowances", () => {
  it("admit nothing until granted, then hold each call's worst case until its cost is recorded", async () => {
    const granter = new ScriptedGranter();
    const { allowances } = allowancesWith(granter);
    expect(allowances.tryHold("org-1", [covering()], 100n)).toBeNull();
    // It asked once for 32 calls' worth, and asks no more while that is pending.
    expect(granter.requests).toHaveLength(1);
    expect(granter.requests[0]).toMatchObject({ holder: "replica-a", wantMicroUsd: 3_200n, budgetId: "b1" });
    expect(allowances.tryHold("org-1", [covering()], 100n)).toBeNull();
    expect(granter.requests).toHaveLength(1);

    await granter.answer({ grantedMicroUsd: 1_000n, alive: true });
    const holds = Array.from({ length: 10 }, () => allowances.tryHold("org-1", [covering()], 100n));
    expect(holds.every((hold) => hold !== null)).toBe(true);
    // All 1,000 is held: the eleventh call does not fit.
    expect(allowances.tryHold("org-1", [covering()], 100n)).toBeNull();
    // A call that cost 40 of its 100 gives back 60; one released gives back all of it.
    holds[0]!.recorded(40n);
    holds[1]!.release();
    expect(allowances.tryHold("org-1", [covering()], 100n)).not.toBeNull();
    expect(allowances.tryHold("org-1", [covering()], 60n)).not.toBeNull();
    expect(allowances.tryHold("org-1", [covering()], 1n)).toBeNull();
    // A call whose cost could not be written keeps its worst case spent.
    holds[2]!.recorded(null);
    expect(allowances.tryHold("org-1", [covering()], 1n)).toBeNull();
    // Ending a hold twice changes nothing.
    holds[1]!.release();
    expect(allowances.tryHold("org-1", [covering()], 1n)).toBeNull();
  });

  it("ask for twice what calls hold when a burst holds more than the usual grant", async () => {
    const granter = new ScriptedGranter();
    const { allowances } = allowancesWith(granter);
    allowances.tryHold("org-1", [covering()], 1_000n);
    await granter.answer({ grantedMicroUsd: 100_000n, alive: true });
    for (let i = 0; i < 93; i++) expect(allowances.tryHold("org-1", [covering()], 1_000n)).not.toBeNull();
    // The 93rd call left fewer than 8 calls' room, with 92 held: 184,000 rather than 32 × 1,000.
    expect(granter.requests.at(-1)?.wantMicroUsd).toBe(184_000n);
  });

  it("admit only when every covering budget has room, naming each allowance", async () => {
    const granter = new ScriptedGranter();
    const { allowances } = allowancesWith(granter);
    const both = [covering(rule("org-budget")), { ...covering(rule("member-budget")), subject: "member:u" }];
    expect(allowances.tryHold("org-1", both, 100n)).toBeNull();
    await granter.answer({ grantedMicroUsd: 10_000n, alive: true });
    expect(allowances.tryHold("org-1", both, 100n)).toBeNull();
    await granter.answer({ grantedMicroUsd: 150n, alive: true });
    const hold = allowances.tryHold("org-1", both, 100n);
    expect(hold?.allowanceIds).toHaveLength(2);
    expect(new Set(hold?.allowanceIds).size).toBe(2);
    // The member's allowance is nearly spent, so this call goes to the exact read.
    expect(allowances.tryHold("org-1", both, 100n)).toBeNull();
  });

  it("stop admitting before the database would count an allowance lapsed, and start a new one then", async () => {
    const granter = new ScriptedGranter();
    const { allowances } = allowancesWith(granter);
    allowances.tryHold("org-1", [covering()], 10n);
    const first = granter.requests[0]!.allowanceId;
    await granter.answer({ grantedMicroUsd: 1_000_000n, alive: true });
    const hold = allowances.tryHold("org-1", [covering()], 10n)!;
    expect(hold.allowanceIds).toEqual([first]);
    time += ALLOWANCE_TTL_MS - 2_000;
    expect(allowances.tryHold("org-1", [covering()], 10n)).toBeNull();
    // Never revived: the next grant is for a new allowance.
    const fresh = granter.requests.at(-1)!;
    expect(fresh.allowanceId).not.toBe(first);
    await granter.answer({ grantedMicroUsd: 1_000n, alive: true });
    expect(allowances.tryHold("org-1", [covering()], 10n)?.allowanceIds).toEqual([fresh.allowanceId]);
    // The lapsed one kept only what its call in flight may still cost.
    expect(granter.shrunk).toContainEqual({ id: first, keep: 10n });
    hold.recorded(10n);
  });

  it("renew allowances whose calls are in flight, and give back idle ones", async () => {
    const granter = new ScriptedGranter();
    const { allowances } = allowancesWith(granter);
    allowances.tryHold("org-1", [covering()], 10n);
    await granter.answer({ grantedMicroUsd: 1_000n, alive: true });
    const hold = allowances.tryHold("org-1", [covering()], 10n)!;
    time += ALLOWANCE_TTL_MS / 2 + 1;
    allowances.tend();
    const renewal = granter.requests.at(-1)!;
    expect(renewal).toMatchObject({ allowanceId: hold.allowanceIds[0], wantMicroUsd: 0n });
    await granter.answer({ grantedMicroUsd: 0n, alive: true });
    // Unused for a while: given back, keeping what its call in flight may cost, and still renewed.
    time += 11_000;
    allowances.tend();
    expect(allowances.size).toBe(0);
    expect(granter.shrunk).toEqual([{ id: hold.allowanceIds[0], keep: 10n }]);
    time += ALLOWANCE_TTL_MS / 2;
    allowances.tend();
    expect(granter.requests.at(-1)).toMatchObject({ allowanceId: hold.allowanceIds[0], wantMicroUsd: 0n });
    await granter.answer({ grantedMicroUsd: 0n, alive: true });
    // Once its call is recorded, nothing of it stays held.
    hold.recorded(7n);
    allowances.tend();
    expect(granter.shrunk.at(-1)).toEqual({ id: hold.allowanceIds[0], keep: 0n });
  });

  it("give back an allowance whose budget changed, and wait after a refusal before asking again", async () => {
    const granter = new ScriptedGranter();
    const { allowances } = allowancesWith(granter);
    allowances.tryHold("org-1", [covering()], 10n);
    await granter.answer({ grantedMicroUsd: 1_000n, alive: true });
    const hold = allowances.tryHold("org-1", [covering()], 10n)!;
    allowances.retain("org-1", ({ budget }) => budget.limitMicroUsd === 5n);
    expect(allowances.size).toBe(0);
    expect(granter.shrunk).toEqual([{ id: hold.allowanceIds[0], keep: 10n }]);
    hold.release();

    // The budget changed under this replica: the grant says so; no call asks again for a second.
    const asked = granter.requests.length;
    expect(allowances.tryHold("org-1", [covering()], 10n)).toBeNull();
    await granter.answer({ grantedMicroUsd: 0n, alive: false });
    expect(allowances.tryHold("org-1", [covering()], 10n)).toBeNull();
    expect(granter.requests).toHaveLength(asked + 1);
    time += 1_001;
    expect(allowances.tryHold("org-1", [covering()], 10n)).toBeNull();
    expect(granter.requests).toHaveLength(asked + 2);
  });
});
