// The ledger under concurrency: exact balances, one entry per request id, replays charge nothing.
import { readFileSync } from "node:fs";
import path from "node:path";
import { seedSessionRow } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { useTempDirs } from "@studio/testkit/vitest/temp-dirs";
import { describe, expect, it } from "vitest";
import { hashSecret } from "../auth/secrets.ts";
import {
  loadOrCreateKeyringFile,
  newKeyring,
  openProviderKey,
  parseKeyring,
  resealAllProviderKeys,
  setProviderKey,
  withNewMasterKey,
  writeKeyringFile,
} from "../keys/index.ts";
import { newId } from "../shared/ids.ts";
import { changeOrganizationCredits } from "./credits.ts";
import { changeCredits, type MeteredCall, recordModelCall } from "./ledger.ts";
import { seedListPrices } from "./prices.ts";

const newTempDir = useTempDirs();
const database = useTestDatabase();

async function organizationWithSession(credits: bigint) {
  const seeded = await seedSessionRow(database.db, {
    provider: "anthropic",
    model: "claude-haiku-4-5",
    upstreamProvider: "anthropic",
    upstreamModel: "claude-haiku-4-5",
    idleTimeoutSeconds: 900,
    gatewayTokenHash: hashSecret(newId()),
  });
  const grant = {
    kind: "grant",
    amountMicroUsd: credits,
    reason: "opening balance",
    requestId: newId(),
  } as const;
  await changeCredits(database.db, seeded, grant);
  return seeded;
}

const call = (sessionId: string, requestId: string, outputTokens: number): MeteredCall => ({
  requestId,
  sessionId,
  model: "claude-haiku-4-5",
  inputTokens: 100,
  outputTokens,
  cachedTokens: 0,
  reasoningTokens: 0,
  estimated: false,
  upstreamStatus: 200,
  at: new Date(),
});

describe("ledger", () => {
  it("keeps the exact balance under 1,000 concurrent deductions, and a replayed request id charges nothing", async () => {
    await seedListPrices(database.db);
    const { organizationId, sessionId } = await organizationWithSession(1_000_000_000n);
    // Haiku: $1 in, $5 out per million. 100 in + n out = 100 + 5n micro-USD, whole, so the sum is exact.
    const calls = Array.from({ length: 1000 }, (_, i) => call(sessionId, `req-${sessionId}-${i}`, i % 37));
    const expected = calls.reduce((sum, c) => sum + 100n + 5n * BigInt(c.outputTokens), 0n);
    const results = await Promise.all(
      calls.map((c) => recordModelCall(database.db, database.pool, c, { platformMarkupBps: 0 })),
    );
    expect(results.filter((r) => r.duplicate)).toHaveLength(0);

    const account = await database.db.creditAccount.findUniqueOrThrow({ where: { organizationId } });
    expect(account.balanceMicroUsd).toBe(1_000_000_000n - expected);
    const entries = await database.db.ledgerEntry.findMany({
      where: { organizationId, kind: "usage" },
      orderBy: { id: "asc" },
    });
    expect(entries).toHaveLength(1000);
    // Serialised by the row lock: every entry's balance-after follows from the one before it.
    let running = 1_000_000_000n;
    for (const entry of entries) {
      running += entry.amountMicroUsd;
      expect(entry.balanceAfterMicroUsd).toBe(running);
    }
    const session = await database.db.studioSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(session.totalCreditsConsumed).toBe(expected);

    const replays = await Promise.all(
      calls
        .slice(0, 200)
        .map((c) => recordModelCall(database.db, database.pool, c, { platformMarkupBps: 0 })),
    );
    expect(replays.every((r) => r.duplicate)).toBe(true);
    expect(
      (await database.db.creditAccount.findUniqueOrThrow({ where: { organizationId } })).balanceMicroUsd,
    ).toBe(1_000_000_000n - expected);
    expect(await database.db.ledgerEntry.count({ where: { organizationId, kind: "usage" } })).toBe(1000);
    // 1,000 calls on one session serialise on its rows: slow on a busy machine, and speed is not the point.
  }, 180_000);

  it("applies the platform markup to credit charges and stores the price it used", async () => {
    await seedListPrices(database.db);
    const { sessionId } = await organizationWithSession(10_000_000n);
    const result = await recordModelCall(
      database.db,
      database.pool,
      call(sessionId, `markup-${sessionId}`, 1000),
      {
        platformMarkupBps: 1500,
      },
    );
    // (100 × $1 + 1,000 × $5) per million = 5,100 micro-USD, × 1.15 = 5,865.
    expect(result.chargedMicroUsd).toBe(5_865n);
    const entry = await database.db.ledgerEntry.findFirstOrThrow({ where: { sessionId } });
    expect(entry).toMatchObject({
      markupBps: 1500,
      inputPricePerMTok: 1_000_000n,
      outputPricePerMTok: 5_000_000n,
      cachedPricePerMTok: 100_000n,
      priceId: "list:anthropic:claude-haiku-4-5:2025-01-01",
    });
  });

  it("takes grants and adjustments from platform admins only, once per request id, with a reason", async () => {
    const { userId, organizationId } = await organizationWithSession(0n);
    const operator = { userId, platformAdmin: true };
    const grant = {
      organizationId,
      kind: "grant" as const,
      amountUsd: 25_500_000n,
      reason: "Pilot budget",
      requestId: "grant-0001",
    };
    expect(await changeOrganizationCredits(database.db, operator, grant)).toEqual({
      balanceMicroUsd: 25_500_000n,
      duplicate: false,
    });
    expect(await changeOrganizationCredits(database.db, operator, grant)).toEqual({
      balanceMicroUsd: 25_500_000n,
      duplicate: true,
    });
    await changeOrganizationCredits(database.db, operator, {
      organizationId,
      kind: "adjustment",
      amountUsd: -500_000n,
      reason: "Refunded outage",
      requestId: "adjust-0001",
    });
    expect(
      (await database.db.creditAccount.findUniqueOrThrow({ where: { organizationId } })).balanceMicroUsd,
    ).toBe(25_000_000n);
    // The organisation's own owner, not a platform admin, cannot add credits to it.
    await expect(
      changeOrganizationCredits(
        database.db,
        { userId, platformAdmin: false },
        { ...grant, requestId: "grant-0002" },
      ),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      changeOrganizationCredits(database.db, operator, { ...grant, amountUsd: -1n, requestId: "grant-0003" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      changeOrganizationCredits(database.db, operator, {
        ...grant,
        organizationId: "no-such-organisation",
        requestId: "grant-0004",
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const entries = await database.db.ledgerEntry.findMany({
      where: { organizationId },
      orderBy: { id: "asc" },
    });
    expect(entries.map((e) => [e.kind, e.amountMicroUsd, e.reason, e.createdById])).toEqual([
      ["grant", 0n, "opening balance", userId],
      ["grant", 25_500_000n, "Pilot budget", userId],
      ["adjustment", -500_000n, "Refunded outage", userId],
    ]);
  });
});

describe("master key rotation", () => {
  it("re-seals every provider key under the new master key in one transaction", async () => {
    const keyring = newKeyring();
    const { userId, organizationId } = await organizationWithSession(0n);
    const owner = { userId, organizationId, role: "owner" as const };
    await setProviderKey(database.db, keyring, owner, {
      provider: "anthropic",
      apiKey: "sk-ant-PLANTED-one-1111",
    });
    await setProviderKey(database.db, keyring, owner, {
      provider: "custom",
      baseUrl: "http://127.0.0.1:11434/v1",
    });
    const rotated = withNewMasterKey(keyring);
    const count = await resealAllProviderKeys(database.db, rotated);
    expect(count).toBeGreaterThanOrEqual(2);
    const rows = await database.db.providerKey.findMany({ where: { organizationId } });
    expect(rows.every((row) => row.keyVersion === 2)).toBe(true);
    // Readable with the new key alone: the old one can be thrown away.
    const newOnly = { current: 2, keys: new Map([[2, rotated.keys.get(2)!]]) };
    expect(await openProviderKey(database.db, newOnly, organizationId, "anthropic")).toEqual({
      apiKey: "sk-ant-PLANTED-one-1111",
      baseUrl: null,
    });
  });

  it("leaves a running studio sealing the keys it saves under the new master key", async () => {
    // The studio's keyring, read from its file at start.
    const file = path.join(newTempDir("keyring-"), "master-keys.json");
    const studio = loadOrCreateKeyringFile(file).keyring;
    const { userId, organizationId } = await organizationWithSession(0n);
    const owner = { userId, organizationId, role: "owner" as const };
    await setProviderKey(database.db, studio, owner, { provider: "google", apiKey: "AIza-PLANTED-before" });
    // `keys:rotate`, beside it: the new key into the file, re-seal, the old key out of the file.
    const rotated = withNewMasterKey(parseKeyring(readFileSync(file, "utf8"), file));
    writeKeyringFile(file, rotated);
    await resealAllProviderKeys(database.db, rotated);
    writeKeyringFile(file, { current: 2, keys: new Map([[2, rotated.keys.get(2)!]]) });
    // The studio saves a key before it has opened any re-sealed one.
    await setProviderKey(database.db, studio, owner, { provider: "xai", apiKey: "xai-PLANTED-after" });
    const fromFile = parseKeyring(readFileSync(file, "utf8"), file);
    for (const [provider, apiKey] of [
      ["google", "AIza-PLANTED-before"],
      ["xai", "xai-PLANTED-after"],
    ] as const) {
      expect(await openProviderKey(database.db, fromFile, organizationId, provider)).toMatchObject({
        apiKey,
      });
    }
  });

  it("changes nothing when a row cannot be opened", async () => {
    const keyring = newKeyring();
    const { userId, organizationId } = await organizationWithSession(0n);
    await setProviderKey(
      database.db,
      keyring,
      { userId, organizationId, role: "owner" },
      {
        provider: "openai",
        apiKey: "sk-PLANTED-two-2222",
      },
    );
    // A keyring that lacks the key this row (and earlier tests' rows) were sealed with.
    const unrelated = withNewMasterKey(newKeyring());
    await expect(resealAllProviderKeys(database.db, unrelated)).rejects.toThrow(/could not be decrypted/);
    const row = await database.db.providerKey.findFirstOrThrow({ where: { organizationId } });
    expect(row.keyVersion).toBe(1);
    expect(await openProviderKey(database.db, keyring, organizationId, "openai")).toMatchObject({
      apiKey: "sk-PLANTED-two-2222",
    });
  });
});
