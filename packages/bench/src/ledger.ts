// Ledger: 1,000,000 entries across 50 organisations. Through the API, as an admin of the largest
// organisation: a filtered page, the filtered totals and a 90-day summary (p50/p95, against a
// trivial query in the same run), then the CSV export of its 200,000 entries (rows per second and
// the server's memory while it streams).
import type { BenchStack } from "./stack.ts";
import { percentile, round } from "./stats.ts";

const ENTRIES = 1_000_000;
const ORGANIZATIONS = 50;
const ROUNDS = 40;
const MODELS = [
  "grok-4",
  "grok-4-1-fast",
  "claude-sonnet-4-6",
  "claude-haiku-4-5",
  "gpt-5",
  "gemini-2.5-pro",
  "o3",
];

export interface LedgerResult {
  entries: number;
  organizations: number;
  benchOrganizationEntries: number;
  baselineP95Ms: number;
  pageP50Ms: number;
  pageP95Ms: number;
  totalsP50Ms: number;
  totalsP95Ms: number;
  summaryP50Ms: number;
  summaryP95Ms: number;
  csvRows: number;
  csvRowsPerSecond: number;
  csvPeakHeapMb: number;
  csvPeakRssMb: number;
}

async function seed(stack: BenchStack) {
  const organizationId = (await stack.client.organizations.current.query()).id;
  const user = await stack.db.membership.findFirstOrThrow({
    where: { organizationId },
    select: { userId: true },
  });
  await stack.db.$executeRaw`
    INSERT INTO organizations (id, name, slug, updated_at)
    SELECT 'bench-org-' || g, 'Bench ' || g, 'bench-org-' || g, now() FROM generate_series(1, ${ORGANIZATIONS - 1}) g`;
  // Every fifth entry is the bench organisation's (200,000); the rest spread over the other 49.
  await stack.db.$executeRaw`
    INSERT INTO ledger_entries (organization_id, user_id, kind, amount_micro_usd, cost_micro_usd,
      balance_after_micro_usd, idempotency_key, provider, model, key_source, input_tokens, output_tokens,
      cached_tokens, created_at)
    SELECT CASE WHEN n % 5 = 0 THEN ${organizationId} ELSE 'bench-org-' || (n % ${ORGANIZATIONS - 1} + 1) END,
      ${user.userId}, 'usage', -(n % 1000), n % 1000, 0, 'bench-ledger-' || n,
      (ARRAY['xai','anthropic','openai','google','openrouter'])[(n / 5) % 5 + 1]::model_provider,
      (${MODELS}::text[])[(n / 7) % ${MODELS.length} + 1],
      (ARRAY['direct','openrouter','platform'])[(n / 3) % 3 + 1]::key_source,
      n % 5000, n % 700, n % 300,
      now() - n * interval '15 seconds'
    FROM generate_series(1, ${ENTRIES}) n`;
  await stack.db.$executeRaw`ANALYZE ledger_entries`;
  return organizationId;
}

async function timed(rounds: number, run: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 5; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times;
}

export async function benchLedger(stack: BenchStack): Promise<LedgerResult> {
  await seed(stack);
  const day = 86_400_000;
  const recent = { scope: "organization" as const, model: "grok-4", from: new Date(Date.now() - 30 * day) };
  const baseline = await timed(ROUNDS, () => stack.client.billing.balance.query());
  const page = await timed(ROUNDS, () => stack.client.usage.entries.query({ filter: recent, limit: 50 }));
  const totals = await timed(ROUNDS, () => stack.client.usage.totals.query({ filter: recent }));
  const summary = await timed(ROUNDS, () =>
    stack.client.usage.summary.query({
      filter: { scope: "organization", from: new Date(Date.now() - 90 * day) },
      groupBy: "day",
    }),
  );
  const benchTotals = await stack.client.usage.totals.query({ filter: { scope: "organization" } });

  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakHeap = Math.max(peakHeap, now.heapUsed);
    peakRss = Math.max(peakRss, now.rss);
  }, 25);
  const started = performance.now();
  const response = await fetch(
    `${stack.url}/api/usage/ledger.csv?filter=${encodeURIComponent(JSON.stringify({ scope: "organization" }))}`,
    { headers: { authorization: `Bearer ${stack.token}` } },
  );
  const reader = response.body!.getReader();
  let newlines = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (let at = value.indexOf(10); at !== -1; at = value.indexOf(10, at + 1)) newlines += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);

  const ms = (values: number[], p: number) => round(percentile(values, p), 1);
  return {
    entries: ENTRIES,
    organizations: ORGANIZATIONS,
    benchOrganizationEntries: Number(benchTotals.count),
    baselineP95Ms: ms(baseline, 95),
    pageP50Ms: ms(page, 50),
    pageP95Ms: ms(page, 95),
    totalsP50Ms: ms(totals, 50),
    totalsP95Ms: ms(totals, 95),
    summaryP50Ms: ms(summary, 50),
    summaryP95Ms: ms(summary, 95),
    csvRows: newlines - 1,
    csvRowsPerSecond: Math.round((newlines - 1) / seconds),
    csvPeakHeapMb: round((peakHeap - before.heapUsed) / 2 ** 20, 1),
    csvPeakRssMb: round((peakRss - before.rss) / 2 ** 20, 1),
  };
}
