// Platform admins: the studio's first account is one; only they see every organisation and grant
// credits or set prices, for any organisation, and only from a browser session. An organisation's
// own owner cannot add credits to it: credits spend the platform's keys.
import { rowCounts } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { freeGrok4Price, signUpUser, type TestUser, tokenCaller } from "../testing/callers.ts";
import { caught } from "../testing/errors.ts";

const database = useTestDatabase();

async function codeOf(promise: Promise<unknown>) {
  return (await caught(promise)).code;
}

const grant = (organizationId: string, requestId: string, amountUsd = "10") => ({
  organizationId,
  kind: "grant" as const,
  amountUsd,
  reason: "trial credits",
  requestId,
});

describe("platform admins", () => {
  let operators: TestUser[];
  let operator: TestUser;
  let owner: TestUser;

  beforeAll(async () => {
    // Four people sign up at once on a new studio: exactly one of them is first.
    operators = await Promise.all(["Ann", "Ben", "Cat", "Dan"].map((name) => signUpUser(database.db, name)));
    owner = await signUpUser(database.db, "Olive Owner");
  });

  it("the first account of a studio is one, even when several sign up at once; later ones are not", async () => {
    const flags = await Promise.all(
      operators.map(async (user) => (await (await user.caller()).auth.me())?.user.platformAdmin),
    );
    expect(flags.filter(Boolean)).toHaveLength(1);
    operator = operators[flags.indexOf(true)]!;
    expect((await (await owner.caller()).auth.me())?.user.platformAdmin).toBe(false);
    expect(await database.db.user.count({ where: { platformAdmin: true } })).toBe(1);
  });

  it("an organisation's owner cannot grant it credits, set its prices or see other organisations", async () => {
    const caller = await owner.caller();
    const before = await rowCounts(database.db);
    expect(
      await codeOf(caller.platform.changeCredits(grant(owner.personalOrganizationId, "own-grant"))),
    ).toBe("FORBIDDEN");
    expect(await codeOf(caller.platform.setPrice(freeGrok4Price(owner.personalOrganizationId)))).toBe(
      "FORBIDDEN",
    );
    expect(await codeOf(caller.platform.organizations({}))).toBe("FORBIDDEN");
    expect(await codeOf(caller.platform.listPrices())).toBe("FORBIDDEN");
    expect(await codeOf(caller.platform.setPrice(freeGrok4Price(null)))).toBe("FORBIDDEN");
    expect(await rowCounts(database.db)).toEqual(before);
    expect((await caller.billing.balance()).balanceMicroUsd).toBe(0n);
  });

  it("grant credits to an organisation they are not a member of, recorded as theirs", async () => {
    const caller = await operator.caller();
    expect(await caller.platform.changeCredits(grant(owner.personalOrganizationId, "olive-0001"))).toEqual({
      balanceMicroUsd: 10_000_000n,
      duplicate: false,
    });
    expect((await (await owner.caller()).billing.balance()).balanceMicroUsd).toBe(10_000_000n);
    const entry = await database.db.ledgerEntry.findFirstOrThrow({
      where: { organizationId: owner.personalOrganizationId, kind: "grant", amountMicroUsd: 10_000_000n },
    });
    expect(entry).toMatchObject({ createdById: operator.id, reason: "trial credits" });
    expect(await codeOf(caller.platform.changeCredits(grant("no-such-organisation", "nowhere-0001")))).toBe(
      "NOT_FOUND",
    );
  });

  it("list every organisation with its owners, members, balance and platform spend; search by name or owner email; page by name", async () => {
    // Olive's platform-credit charges: two in the last 30 days count, an older one and a call on
    // her own key do not.
    const day = 86_400_000;
    const charge = (
      key: string,
      amountMicroUsd: bigint,
      daysAgo: number,
      keySource: "platform" | "direct" = "platform",
    ) =>
      database.db.ledgerEntry.create({
        data: {
          organizationId: owner.personalOrganizationId,
          userId: owner.id,
          kind: "usage",
          amountMicroUsd,
          costMicroUsd: -amountMicroUsd,
          balanceAfterMicroUsd: 0n,
          idempotencyKey: key,
          provider: "xai",
          model: "grok-4",
          keySource,
          createdAt: new Date(Date.now() - daysAgo * day),
        },
      });
    await charge("spend-today", -1_000_000n, 0);
    await charge("spend-last-week", -500_000n, 7);
    await charge("spend-long-ago", -9_000_000n, 45);
    await charge("own-key", 0n, 1, "direct");
    const caller = await operator.caller();
    const all = await caller.platform.organizations({});
    expect(all.nextCursor).toBeNull();
    expect(all.organizations).toHaveLength(5);
    const olive = all.organizations.find((org) => org.id === owner.personalOrganizationId);
    expect(olive).toMatchObject({
      personal: true,
      members: 1,
      owners: [{ name: "Olive Owner", email: owner.email }],
      balanceMicroUsd: 10_000_000n,
      platformSpendMicroUsd: 1_500_000n,
    });
    expect(
      all.organizations.find((org) => org.id !== owner.personalOrganizationId)?.platformSpendMicroUsd,
    ).toBe(0n);

    const byEmail = await caller.platform.organizations({ search: owner.email.toUpperCase() });
    expect(byEmail.organizations.map((org) => org.id)).toEqual([owner.personalOrganizationId]);
    const byName = await caller.platform.organizations({ search: "olive" });
    expect(byName.organizations.map((org) => org.id)).toEqual([owner.personalOrganizationId]);
    expect((await caller.platform.organizations({ search: "nobody-by-this-name" })).organizations).toEqual(
      [],
    );
    // Typed text, not a pattern: LIKE's wildcards match only themselves.
    expect((await caller.platform.organizations({ search: "%" })).organizations).toEqual([]);
    expect((await caller.platform.organizations({ search: "_" })).organizations).toEqual([]);

    const [first, second] = all.organizations;
    const next = await caller.platform.organizations({ cursor: { name: first!.name, id: first!.id } });
    expect(next.organizations[0]?.id).toBe(second!.id);
    expect(next.organizations).toHaveLength(4);
  });

  it("set a list price that every organisation without its own sees, and list the list prices alone", async () => {
    const caller = await operator.caller();
    const listPrice = {
      organizationId: null,
      provider: "custom" as const,
      model: "house-llama",
      inputPerMTok: "400000",
      outputPerMTok: "800000",
      cachedInputPerMTok: "0",
    };
    const saved = await caller.platform.setPrice(listPrice);
    await caller.platform.setPrice({ ...listPrice, organizationId: operator.personalOrganizationId });
    expect(
      (await (await owner.caller()).billing.prices())
        .filter((price) => price.model === "house-llama")
        .map((price) => [price.id, price.organizationId]),
    ).toEqual([[saved.id, null]]);
    const listed = (await caller.platform.listPrices()).filter((price) => price.model === "house-llama");
    expect(listed.map((price) => [price.id, price.inputPerMTok])).toEqual([[saved.id, 400_000n]]);
    expect(
      await codeOf(caller.platform.setPrice({ ...listPrice, organizationId: "no-such-organisation" })),
    ).toBe("NOT_FOUND");
  });

  it("act from a browser session only: their API token cannot", async () => {
    const created = await (await operator.caller()).apiTokens.create({
      name: "automation",
      expiresInDays: null,
    });
    const caller = await tokenCaller(database.db, created.token);
    expect(await codeOf(caller.platform.organizations({}))).toBe("FORBIDDEN");
    expect(
      await codeOf(caller.platform.changeCredits(grant(owner.personalOrganizationId, "token-0001"))),
    ).toBe("FORBIDDEN");
  });
});
