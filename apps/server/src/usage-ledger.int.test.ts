// The usage ledger over HTTP: filters and totals against hand-computed sums on a seeded ledger, the
// CSV export of the same set, 200,000 rows streamed with flat memory, and who may see what.
import { newId } from "@studio/core";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StudioServer } from "./app.ts";
import { fetchLedgerCsv, startInertStudio } from "./testing/inert-studio.ts";
import { signUpAccount, type TestAccount } from "./testing/studio-process.ts";

const database = useTestDatabase();
let studio: StudioServer;
let url: string;
let admin: TestAccount;
let organizationId: string;
let adminId: string;
let memberId: string;
let member: TestAccount;

interface Seed {
  user: "admin" | "member";
  day: string;
  model: string;
  keySource: "direct" | "platform";
  input: number;
  output: number;
  amount: number;
}

// Hand-made ledger: the expectations below are sums of these rows, worked out by hand.
const SEEDS: Seed[] = [
  {
    user: "admin",
    day: "2026-10-01",
    model: "grok-4",
    keySource: "platform",
    input: 1000,
    output: 100,
    amount: -4500,
  },
  {
    user: "admin",
    day: "2026-10-01",
    model: "claude-haiku-4-5",
    keySource: "direct",
    input: 2000,
    output: 200,
    amount: 0,
  },
  {
    user: "member",
    day: "2026-10-02",
    model: "grok-4",
    keySource: "platform",
    input: 3000,
    output: 300,
    amount: -13500,
  },
  {
    user: "member",
    day: "2026-10-03",
    model: "grok-4",
    keySource: "platform",
    input: 500,
    output: 50,
    amount: -2250,
  },
  {
    user: "admin",
    day: "2026-10-05",
    model: "claude-haiku-4-5",
    keySource: "direct",
    input: 4000,
    output: 400,
    amount: 0,
  },
  {
    user: "member",
    day: "2026-10-05",
    model: "claude-haiku-4-5",
    keySource: "platform",
    input: 100,
    output: 10,
    amount: -150,
  },
];

async function seedLedger() {
  const ids = { admin: adminId, member: memberId };
  let balance = 1_000_000n;
  await database.db.ledgerEntry.create({
    data: {
      organizationId,
      kind: "grant",
      amountMicroUsd: balance,
      balanceAfterMicroUsd: balance,
      idempotencyKey: `seed-grant-${organizationId}`,
      reason: '=HYPERLINK("evil")',
      createdById: adminId,
      createdAt: new Date("2026-09-30T12:00:00Z"),
    },
  });
  for (const [i, seed] of SEEDS.entries()) {
    balance += BigInt(seed.amount);
    await database.db.ledgerEntry.create({
      data: {
        organizationId,
        userId: ids[seed.user],
        kind: "usage",
        amountMicroUsd: BigInt(seed.amount),
        costMicroUsd: BigInt(seed.model === "grok-4" ? -seed.amount : seed.input + seed.output * 5),
        balanceAfterMicroUsd: balance,
        idempotencyKey: `seed-${organizationId}-${i}`,
        provider: seed.model === "grok-4" ? "xai" : "anthropic",
        model: seed.model,
        keySource: seed.keySource,
        inputTokens: seed.input,
        outputTokens: seed.output,
        createdAt: new Date(`${seed.day}T10:00:0${i}Z`),
      },
    });
  }
}

const trpc = async (account: TestAccount, procedure: string, input: unknown) => {
  const response = await fetch(
    `${url}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`,
    { headers: { authorization: `Bearer ${account.token}` } },
  );
  return { status: response.status, body: await response.json() };
};

const csv = (account: TestAccount, filter: unknown) => fetchLedgerCsv(url, account, filter);

beforeAll(async () => {
  ({ studio, url } = await startInertStudio(database));
  admin = await signUpAccount(url);
  member = await signUpAccount(url);
  const adminUser = await database.db.user.findUniqueOrThrow({ where: { email: admin.email } });
  const memberUser = await database.db.user.findUniqueOrThrow({ where: { email: member.email } });
  adminId = adminUser.id;
  memberId = memberUser.id;
  organizationId = (await admin.client.organizations.current.query()).id;
  // The member's token acts in the admin's organisation.
  const memberToken = await database.db.apiToken.findFirstOrThrow({ where: { userId: memberId } });
  await database.db.membership.create({
    data: { id: newId(), organizationId, userId: memberId, role: "member" },
  });
  await database.db.apiToken.update({ where: { id: memberToken.id }, data: { organizationId } });
  await seedLedger();
}, 60_000);

afterAll(() => studio.close());

describe("ledger totals", () => {
  it("cover the whole filtered set, hand-computed", async () => {
    const org = { scope: "organization" };
    const all = await admin.client.usage.totals.query({ filter: { scope: "organization" } });
    expect(all).toEqual({
      count: 7n,
      inputTokens: 10_600n,
      outputTokens: 1_060n,
      cachedTokens: 0n,
      amountMicroUsd: 1_000_000n - 20_400n,
      costMicroUsd: 20_250n + 2000n + 1000n + 4000n + 2000n + 100n + 50n,
    });
    const grok = await admin.client.usage.totals.query({
      filter: { ...org, scope: "organization", model: "grok-4" },
    });
    expect([grok.count, grok.inputTokens, grok.amountMicroUsd]).toEqual([3n, 4_500n, -20_250n]);
    const window = await admin.client.usage.totals.query({
      filter: {
        scope: "organization",
        from: new Date("2026-10-02T00:00:00Z"),
        to: new Date("2026-10-05T00:00:00Z"),
      },
    });
    expect([window.count, window.inputTokens]).toEqual([2n, 3_500n]);
    // Partial days at both ends come from the entries, whole days from the daily totals: the same sums.
    const partial = await admin.client.usage.totals.query({
      filter: {
        scope: "organization",
        from: new Date("2026-10-01T10:00:00.500Z"),
        to: new Date("2026-10-05T10:00:04.500Z"),
      },
    });
    expect([partial.count, partial.inputTokens, partial.amountMicroUsd]).toEqual([4n, 9_500n, -15_750n]);
    const perDay = await admin.client.usage.summary.query({
      filter: {
        scope: "organization",
        from: new Date("2026-10-01T10:00:00.500Z"),
        to: new Date("2026-10-05T10:00:04.500Z"),
      },
      groupBy: "model",
    });
    expect(perDay.map((row) => [row.key, row.count, row.inputTokens])).toEqual([
      ["claude-haiku-4-5", 2n, 6_000n],
      ["grok-4", 2n, 3_500n],
    ]);
    const platformMember = await admin.client.usage.totals.query({
      filter: { scope: "organization", userId: memberId, keySource: "platform" },
    });
    expect([platformMember.count, platformMember.amountMicroUsd]).toEqual([3n, -15_900n]);
    const grants = await admin.client.usage.totals.query({
      filter: { scope: "organization", kind: ["grant"] },
    });
    expect([grants.count, grants.amountMicroUsd]).toEqual([1n, 1_000_000n]);
  });

  it("are the same whatever the page size, and pages neither repeat nor skip while entries arrive", async () => {
    const filter = { scope: "organization" as const };
    const first = await admin.client.usage.entries.query({ filter, limit: 3 });
    // A new entry lands between page requests: it is newer, so it never shifts later pages.
    await database.db.ledgerEntry.create({
      data: {
        organizationId,
        userId: adminId,
        kind: "adjustment",
        amountMicroUsd: 1n,
        balanceAfterMicroUsd: 979_601n,
        idempotencyKey: `late-${organizationId}`,
        reason: "arrived mid-paging",
        createdById: adminId,
        createdAt: new Date("2026-10-06T00:00:00Z"),
      },
    });
    const rest = [];
    for (let cursor = first.nextCursor; cursor; ) {
      const page = await admin.client.usage.entries.query({ filter, limit: 3, cursor });
      rest.push(...page.entries);
      cursor = page.nextCursor;
    }
    const ids = [...first.entries, ...rest].map((entry) => entry.id);
    expect(ids).toHaveLength(7);
    expect(new Set(ids).size).toBe(7);
    expect(first.entries[0]?.model).toBe("claude-haiku-4-5");
    expect(first.entries[0]?.userName).toBe("Runner Test");
    await database.db.ledgerEntry.deleteMany({ where: { idempotencyKey: `late-${organizationId}` } });
  });

  it("summarise by day (split by model for the chart), model, user and key source", async () => {
    const filter = { scope: "organization" as const, kind: ["usage" as const] };
    const byDay = await admin.client.usage.summary.query({ filter, groupBy: "day" });
    expect(byDay.map((row) => [row.key, row.model, row.inputTokens])).toEqual([
      ["2026-10-01", "claude-haiku-4-5", 2000n],
      ["2026-10-01", "grok-4", 1000n],
      ["2026-10-02", "grok-4", 3000n],
      ["2026-10-03", "grok-4", 500n],
      ["2026-10-05", "claude-haiku-4-5", 4100n],
    ]);
    const byUser = await admin.client.usage.summary.query({ filter, groupBy: "user" });
    expect(byUser.map((row) => [row.label, row.count]).sort()).toEqual([
      ["Runner Test", 3n],
      ["Runner Test", 3n],
    ]);
    const byKey = await admin.client.usage.summary.query({ filter, groupBy: "keySource" });
    expect(byKey.map((row) => [row.key, row.amountMicroUsd])).toEqual([
      ["direct", 0n],
      ["platform", -20_400n],
    ]);
  });
});

describe("who sees what", () => {
  it("a member sees only their own entries and is refused the organisation's views and export", async () => {
    const refused = await trpc(member, "usage.totals", { filter: { scope: "organization" } });
    expect(refused.status).toBe(403);
    const own = await member.client.usage.totals.query({ filter: { scope: "mine" } });
    expect([own.count, own.inputTokens]).toEqual([3n, 3_600n]);
    // Asking for someone else's entries in "mine" scope still returns only one's own.
    const spoofed = await member.client.usage.totals.query({ filter: { scope: "mine", userId: adminId } });
    expect(spoofed.count).toBe(3n);
    expect((await csv(member, { scope: "organization" })).status).toBe(403);
    const ownCsv = await (await csv(member, { scope: "mine" })).text();
    expect(ownCsv.trim().split("\n")).toHaveLength(4);
  });

  it("another organisation's admin sees none of it", async () => {
    const outsider = await signUpAccount(url);
    const totals = await outsider.client.usage.totals.query({
      filter: { scope: "organization", userId: adminId },
    });
    expect(totals.count).toBe(0n);
    expect((await (await csv(outsider, { scope: "organization" })).text()).trim().split("\n")).toHaveLength(
      1,
    );
  });
});

describe("CSV export", () => {
  it("holds exactly the filtered entries, ISO times, USD with six decimals, formulas defused", async () => {
    const response = await csv(admin, { scope: "organization", model: "grok-4" });
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="ledger-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe(
      "time,user,user_id,session_id,session_title,provider,model,key_source,kind,input_tokens,output_tokens,cached_tokens,reasoning_tokens,usage_estimated,amount_usd,cost_usd,balance_after_usd,reason",
    );
    expect(lines.slice(1)).toEqual([
      `2026-10-03T10:00:03.000Z,Runner Test,${memberId},,,xai,grok-4,platform,usage,500,50,0,0,false,-0.002250,0.002250,0.979750,`,
      `2026-10-02T10:00:02.000Z,Runner Test,${memberId},,,xai,grok-4,platform,usage,3000,300,0,0,false,-0.013500,0.013500,0.982000,`,
      `2026-10-01T10:00:00.000Z,Runner Test,${adminId},,,xai,grok-4,platform,usage,1000,100,0,0,false,-0.004500,0.004500,0.995500,`,
    ]);
    const grant = (await (await csv(admin, { scope: "organization", kind: ["grant"] })).text())
      .trim()
      .split("\n")[1];
    expect(grant?.endsWith(`,"'=HYPERLINK(""evil"")"`)).toBe(true);
  });
});
