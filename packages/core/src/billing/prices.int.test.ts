// Prices over time: a platform admin's new list price charges every organisation without its own
// from its effective date; an organisation's own price still wins for it; earlier charges keep
// the price they used.
import { rowCounts, seedSessionRow } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../auth/secrets.ts";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import { changeCredits, type MeteredCall, recordModelCall } from "./ledger.ts";
import {
  listListPrices,
  listPriceHistory,
  type SetPriceInput,
  seedListPrices,
  setModelPrice,
} from "./prices.ts";

const database = useTestDatabase();
const MODEL = "claude-sonnet-4-6";
const SEEDED_LIST_PRICE = `list:anthropic:${MODEL}:2025-01-01`;
const DAY = 86_400_000;

async function organizationOnCredits() {
  const seeded = await seedSessionRow(database.db, {
    provider: "anthropic",
    model: MODEL,
    upstreamProvider: "anthropic",
    upstreamModel: MODEL,
    gatewayTokenHash: hashSecret(newId()),
  });
  await changeCredits(database.db, seeded, {
    kind: "grant",
    amountMicroUsd: 100_000_000n,
    reason: "opening balance",
    requestId: newId(),
  });
  return seeded;
}

/** One call of a million input tokens and nothing else: its charge is the input price itself. */
async function chargeMillionInputTokens(sessionId: string, at = new Date()) {
  const call: MeteredCall = {
    requestId: newId(),
    sessionId,
    model: MODEL,
    inputTokens: 1_000_000,
    outputTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    estimated: false,
    upstreamStatus: 200,
    at,
  };
  const result = await recordModelCall(database.db, database.pool, call, { platformMarkupBps: 0 });
  const entry = await database.db.ledgerEntry.findFirstOrThrow({
    where: { sessionId, idempotencyKey: { endsWith: call.requestId } },
    select: { priceId: true },
  });
  return { charged: result.chargedMicroUsd, priceId: entry.priceId };
}

const price = (organizationId: string | null, inputPerMTok: bigint, effectiveFrom?: Date): SetPriceInput => ({
  organizationId,
  provider: "anthropic",
  model: MODEL,
  inputPerMTok,
  outputPerMTok: inputPerMTok * 5n,
  cachedInputPerMTok: inputPerMTok / 10n,
  ...(effectiveFrom ? { effectiveFrom } : {}),
});

describe("list prices", () => {
  let plain: Awaited<ReturnType<typeof organizationOnCredits>>;
  let ownPrice: Awaited<ReturnType<typeof organizationOnCredits>>;
  let operator: { userId: string; platformAdmin: boolean };

  beforeAll(async () => {
    await seedListPrices(database.db);
    plain = await organizationOnCredits();
    ownPrice = await organizationOnCredits();
    operator = { userId: plain.userId, platformAdmin: true };
  });

  it("can be set by platform admins only, for models sessions can use; nothing is written otherwise", async () => {
    const before = await rowCounts(database.db);
    const refused = await setModelPrice(
      database.db,
      { userId: plain.userId, platformAdmin: false },
      price(null, 1n),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("FORBIDDEN");
    await expect(
      listListPrices(database.db, { userId: plain.userId, platformAdmin: false }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      setModelPrice(database.db, operator, price("no-such-organisation", 1n)),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    // A model no session can use: a price for it would charge nothing and only confuse.
    await expect(
      setModelPrice(database.db, operator, { ...price(null, 1n), model: "claude-sonnet-9" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("claude-sonnet-9") });
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it("charge every organisation without its own price from their effective date, and past charges keep theirs", async () => {
    const before = await chargeMillionInputTokens(plain.sessionId);
    expect(before).toEqual({ charged: 3_000_000n, priceId: SEEDED_LIST_PRICE });

    const organisations = await setModelPrice(
      database.db,
      operator,
      price(ownPrice.organizationId, 2_000_000n),
    );
    const list = await setModelPrice(database.db, operator, price(null, 4_000_000n));
    const scheduledFrom = new Date(Date.now() + DAY);
    const scheduled = await setModelPrice(database.db, operator, price(null, 5_000_000n, scheduledFrom));

    expect(await chargeMillionInputTokens(plain.sessionId)).toEqual({
      charged: 4_000_000n,
      priceId: list.id,
    });
    // Its own price wins over any list price, the newer one included.
    expect(await chargeMillionInputTokens(ownPrice.sessionId)).toEqual({
      charged: 2_000_000n,
      priceId: organisations.id,
    });
    // A call made after the scheduled date pays the scheduled price.
    expect(await chargeMillionInputTokens(plain.sessionId, new Date(scheduledFrom.getTime() + 1000))).toEqual(
      {
        charged: 5_000_000n,
        priceId: scheduled.id,
      },
    );

    const first = await database.db.ledgerEntry.findFirstOrThrow({
      where: { sessionId: plain.sessionId, kind: "usage" },
      orderBy: { createdAt: "asc" },
    });
    expect([first.priceId, first.inputPricePerMTok]).toEqual([SEEDED_LIST_PRICE, 3_000_000n]);
  });

  it("are listed with their history and without any organisation's own rows", async () => {
    const rows = (await listListPrices(database.db, operator)).filter((row) => row.model === MODEL);
    expect(rows.map((row) => [row.inputPerMTok, row.organizationId])).toEqual([
      [5_000_000n, null],
      [4_000_000n, null],
      [3_000_000n, null],
    ]);
    // An organisation sees the list rows and its own, never another organisation's.
    const seenByPlain = (await listPriceHistory(database.db, plain.organizationId)).filter(
      (row) => row.model === MODEL,
    );
    expect(seenByPlain.every((row) => row.organizationId === null)).toBe(true);
    const seenByOwn = (await listPriceHistory(database.db, ownPrice.organizationId)).filter(
      (row) => row.model === MODEL,
    );
    expect(seenByOwn.map((row) => row.organizationId)).toContain(ownPrice.organizationId);
  });
});
