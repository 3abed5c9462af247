// The CSV export at scale, against real PostgreSQL: 200,000 rows stream with flat memory, exports
// are limited in number (per member, per organisation, per replica), and an abandoned download frees its database connection.
import { randomUUID } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createAuthSession } from "@studio/core";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { StudioServer } from "./app.ts";
import { fetchLedgerCsv, startInertStudio } from "./testing/inert-studio.ts";
import { signUpAccount, type TestAccount } from "./testing/studio-process.ts";

const database = useTestDatabase();
let studio: StudioServer;
let url: string;

/** A new account whose personal organisation has `rows` usage entries, one a second from 2026-01-01T00:00:01Z. */
async function accountWithEntries(rows: number): Promise<TestAccount> {
  const account = await signUpAccount(url);
  const organizationId = (await account.client.organizations.current.query()).id;
  const user = await database.db.user.findUniqueOrThrow({ where: { email: account.email } });
  await database.db.$executeRaw`
    INSERT INTO ledger_entries (organization_id, user_id, kind, amount_micro_usd, cost_micro_usd,
      balance_after_micro_usd, idempotency_key, provider, model, key_source, input_tokens, output_tokens,
      created_at)
    SELECT ${organizationId}, ${user.id}, 'usage', -7, 7, -7 * n, ${organizationId} || '-bulk-' || n, 'xai',
      'grok-4', 'platform', 100, 10, timestamp '2026-01-01' + n * interval '1 second'
    FROM generate_series(1, ${rows}::int) AS n`;
  // Statistics as autovacuum soon leaves them: with them the planner picks parallel plans.
  await database.db.$executeRaw`ANALYZE ledger_entries`;
  return account;
}

// An organisation with 200,000 usage entries, made once for the tests that need a large export.
let bulk: Promise<TestAccount> | undefined;
function bulkAccount(): Promise<TestAccount> {
  bulk ??= accountWithEntries(200_000);
  return bulk;
}

/** Someone else made an admin of `account`'s organisation, with a browser session acting in it. */
async function adminOf(account: TestAccount): Promise<{ cookie: string }> {
  const organizationId = (await account.client.organizations.current.query()).id;
  const other = await signUpAccount(url);
  const user = await database.db.user.findUniqueOrThrow({ where: { email: other.email } });
  await database.db.membership.create({
    data: { id: randomUUID(), organizationId, userId: user.id, role: "admin" },
  });
  const { token } = await createAuthSession(database.db, user.id, organizationId);
  return { cookie: `studio_session=${token}` };
}

const csvAs = (member: { cookie: string }, filter: unknown) =>
  fetch(`${url}/api/usage/ledger.csv?filter=${encodeURIComponent(JSON.stringify(filter))}`, {
    headers: { cookie: member.cookie },
  });

const csv = (account: TestAccount, filter: unknown) => fetchLedgerCsv(url, account, filter);

beforeAll(async () => {
  ({ studio, url } = await startInertStudio(database));
});

afterAll(() => studio.close());

describe("CSV export at scale", () => {
  it("streams 200,000 rows with memory that does not grow with the row count", {
    timeout: 300_000,
  }, async () => {
    const bulk = await bulkAccount();

    // Live memory, not garbage: reading pauses every 20,000 rows, the heap is collected and measured.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    async function download(filter: unknown) {
      gc();
      const before = process.memoryUsage().heapUsed;
      const live: number[] = [];
      const response = await csv(bulk, filter);
      const reader = response.body!.getReader();
      let bytes = 0;
      let newlines = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        for (const byte of value) {
          if (byte !== 10) continue;
          newlines += 1;
          if (newlines % 20_000 === 0) {
            gc();
            live.push(process.memoryUsage().heapUsed);
          }
        }
      }
      return { rows: newlines - 1, bytes, growth: Math.max(...live) - before };
    }
    const small = await download({ scope: "organization", to: new Date("2026-01-01T05:33:21Z") });
    const large = await download({ scope: "organization" });
    expect(small.rows).toBe(20_000);
    expect(large.rows).toBe(200_000);
    expect(large.bytes).toBeGreaterThan(9 * small.bytes);
    // Across 200,000 rows (about 25 MB of CSV) the live heap stays within a few chunks: holding the
    // export, or even a tenth of it, would take more than this.
    expect(large.growth).toBeLessThan(Math.min(16 * 2 ** 20, large.bytes / 4));
  });

  it("runs one export per member, two per organisation and four in all, and a download abandoned midway frees its connection", {
    timeout: 300_000,
  }, async () => {
    const bulk = await bulkAccount();
    const [bulkAdmin, bulkSecondAdmin] = [await adminOf(bulk), await adminOf(bulk)];
    const other = await accountWithEntries(100_000);
    const otherAdmin = await adminOf(other);
    const third = await signUpAccount(url);
    // Processes running a COPY now in this file's database, parallel workers included: an idle
    // connection still shows its last query, and other test files share the cluster.
    const copies = async () => {
      const [row] = await database.db.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM pg_stat_activity
        WHERE query LIKE 'COPY (%' AND state <> 'idle' AND datname = current_database()
          AND pid <> pg_backend_pid()`;
      return Number(row?.n);
    };
    const all = { scope: "organization" };
    const refusal = async (response: Response) => {
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("5");
      return ((await response.json()) as { error: string }).error;
    };
    // Nobody reads these: each stalls on backpressure with its COPY open.
    const stalled = [await csv(bulk, all)];
    // One at a time for a member.
    expect(await refusal(await csv(bulk, all))).toMatch(/Your previous export is still running/);
    // Two for an organisation: a member cannot hold them all, nor can the organisation take the replica's.
    stalled.push(await csvAs(bulkAdmin, all));
    expect(await refusal(await csvAs(bulkSecondAdmin, all))).toMatch(/Other exports of this organisation/);
    stalled.push(await csv(other, all), await csvAs(otherAdmin, all));
    expect(stalled.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    // One process each: a stalled export holds no parallel workers.
    expect(await copies()).toBe(4);
    // Four for the replica.
    expect(await refusal(await csv(third, {}))).toMatch(/Other exports are running/);

    await Promise.all(stalled.map((response) => response.body!.cancel()));
    await vi.waitFor(async () => expect(await copies()).toBe(0), { timeout: 30_000, interval: 100 });
    const next = await csv(bulk, { scope: "organization", to: new Date("2026-01-01T00:00:11Z") });
    expect(next.status).toBe(200);
    expect((await next.text()).trim().split("\n")).toHaveLength(11);
  });
});
