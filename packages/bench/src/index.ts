// `pnpm bench`: runs every benchmark against the real stack, prints the results with their
// same-run baselines, and records them with the machine in docs/benchmarks.md.
import { execSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { archiveDownloadSection, benchArchiveDownload } from "./archive-download.ts";
import { benchBundle } from "./bundle.ts";
import { benchCapacity, capacitySection } from "./capacity.ts";
import { benchChatScroll, chatScrollSection } from "./chat-scroll.ts";
import { benchFanout } from "./fanout.ts";
import { benchGateway, type GuardedGatewayResult } from "./gateway.ts";
import { benchGitClone, gitCloneSection } from "./git-clone.ts";
import { benchLedger } from "./ledger.ts";
import { benchPreviewProxy, previewProxySection } from "./preview-proxy.ts";
import { benchProvisioning } from "./provisioning.ts";
import { benchProvisioningBurst, provisioningBurstSection } from "./provisioning-burst.ts";
import { benchRelay } from "./relay.ts";
import { benchSignInFlood } from "./sign-in-flood.ts";
import { type BenchStack, startStack } from "./stack.ts";
import { ok, round } from "./stats.ts";
import { benchWorkspaceLive, workspaceLiveSection } from "./workspace-live.ts";
import { benchWorkspacePanel, workspacePanelSection } from "./workspace-panel.ts";

function guardedRow(label: string, run: GuardedGatewayResult): string {
  const over50 = round(run.total.gatewayP50Ms - run.total.bareProxyP50Ms, 3);
  const over99 = round(run.total.gatewayP99Ms - run.total.bareProxyP99Ms, 3);
  const met = run.guardsAddedP50Ms <= 0.25 && run.guardsAddedP99Ms <= 2;
  return `| ${label} | ${over50} ms | ${over99} ms | ${run.guardsAddedP50Ms} ms | ${run.guardsAddedP99Ms} ms | ${ok(met)} | ${run.callsPerSecond} | ${run.ledgerExact ? "yes" : "**no**"} |`;
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const memory = Math.round(os.totalmem() / 2 ** 30);
  let commit = "unknown";
  try {
    commit = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
  } catch {}
  return `${cpu}, ${os.cpus().length} cores, ${memory} GiB, ${os.type()} ${os.release()}, Node ${process.version}, commit ${commit}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} at start`;
}

const when = new Date().toISOString();
const where = machine();
console.log(`Studio benchmarks — ${when}\n${where}\n`);

// `pnpm bench relay gateway` runs just those and prints them, leaving docs/benchmarks.md alone:
// for working on one of them. A bare `pnpm bench` runs all and records them.
const SINGLE: Record<string, (stack: BenchStack) => Promise<unknown>> = {
  relay: benchRelay,
  fanout: benchFanout,
  capacity: benchCapacity,
  provisioning: benchProvisioning,
  "provisioning-burst": benchProvisioningBurst,
  gateway: benchGateway,
  "git-clone": benchGitClone,
  "archive-download": benchArchiveDownload,
  "chat-scroll": benchChatScroll,
  "workspace-panel": benchWorkspacePanel,
  "workspace-live": benchWorkspaceLive,
  "preview-proxy": benchPreviewProxy,
  ledger: benchLedger,
  "sign-in-flood": benchSignInFlood,
};
const chosen = process.argv.slice(2).filter((arg) => arg !== "--");
if (chosen.length > 0) {
  const unknown = chosen.filter((name) => !(name in SINGLE));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(SINGLE).join(", ")}`);
    process.exit(2);
  }
  const stack = await startStack();
  try {
    for (const name of chosen) {
      console.log(`${name} …`);
      console.log(JSON.stringify(await SINGLE[name]!(stack), null, 2));
    }
  } finally {
    await stack.stop();
  }
  process.exit(0);
}

console.log("bundle: the web app's initial JavaScript …");
const bundle = benchBundle();
console.table(bundle);

const stack = await startStack();
try {
  console.log("relay: a scripted 2,000-chunk reply …");
  const relay = await benchRelay(stack);
  console.table(relay.rounds);
  console.log("fan-out: 50 sessions × 3 subscribers …");
  const fanout = await benchFanout(stack);
  console.table(fanout);
  console.log("fan-out capacity: sessions at 20 events/s × 3 subscribers until p99 > 100 ms …");
  const capacity = await benchCapacity(stack);
  console.log("provisioning: studio vs bare sandbox-agent, for each agent …");
  const provisioning = await benchProvisioning(stack);
  console.table(provisioning);
  console.log("provisioning burst: 25 sessions at once against 25 one after another …");
  const provisioningBurst = await benchProvisioningBurst(stack);
  console.log(JSON.stringify(provisioningBurst, null, 2));
  console.log("gateway: added latency and sustained metered calls …");
  const gateway = await benchGateway(stack);
  console.log(JSON.stringify(gateway, null, 2));
  console.log(
    "git gateway: cloning 20,000 files / 100 MB directly, through a bare proxy and through the gateway …",
  );
  const gitClone = await benchGitClone(stack);
  console.log(JSON.stringify(gitClone, null, 2));
  console.log("workspace download: 100 MB in 3,200 files as .tar.gz and .zip against tar on the host …");
  const archiveDownload = await benchArchiveDownload(stack);
  const { direct, tarGz, zip, ...archiveRest } = archiveDownload;
  console.table({ direct, "tar.gz": tarGz, zip });
  console.log(JSON.stringify(archiveRest, null, 2));
  console.log("workspace panel: tree, changes and diffs of 20,000 files in 2,000 folders …");
  const workspacePanel = await benchWorkspacePanel();
  console.log(JSON.stringify(workspacePanel, null, 2));
  console.log("workspace panel, live: a tool's write until the panel shows it, in Chromium …");
  const workspaceLive = await benchWorkspaceLive(stack);
  if (workspaceLive.measured) {
    const { changes, files, ...liveRest } = workspaceLive;
    console.table({ changes: { ...changes, ms: undefined }, files: { ...files, ms: undefined } });
    console.log(JSON.stringify(liveRest, null, 2));
  } else console.log(workspaceLive.reason);
  console.log("preview proxy: small GETs and a 50 MB download directly and through the proxy …");
  const previewProxy = await benchPreviewProxy(stack);
  console.log(JSON.stringify(previewProxy, null, 2));
  console.log("chat scrolling: 5,000 events against 50 in Chromium …");
  const chatScroll = await benchChatScroll(stack);
  console.log(JSON.stringify(chatScroll, null, 2));
  console.log("sign-in flood: event loop and thread pool under 200 wrong sign-ins …");
  const signInFlood = await benchSignInFlood(stack);
  console.log(JSON.stringify(signInFlood, null, 2));
  // Last: it loads a million ledger entries into the stack's database.
  console.log("ledger: 1,000,000 entries across 50 organisations …");
  const ledger = await benchLedger(stack);
  console.table(ledger);

  const report = `# Benchmarks

Measured by \`pnpm bench\` (packages/bench). Every number is compared with a baseline measured in
the same run on the same machine; nothing here is asserted by tests. PostgreSQL is the embedded
one, durable (fsync and synchronous commit on) as \`npm start\` runs it, so every commit the
studio waits for is a real one. Latest run:

- When: ${when}
- Machine: ${where}

## Web app bundle

| | value | target |
| --- | --- | --- |
| initial JavaScript, gzipped | ${bundle.initialKb} KB | ≤ ${bundle.budgetKb} KB: ${ok(bundle.initialKb <= bundle.budgetKb)} |
| lazy chunks (session page, Markdown, highlighting), gzipped | ${bundle.lazyKb} KB | |

## Relay (a scripted 2,000-chunk reply)

Added latency from sandbox-agent's SSE to a studio subscriber (runner → Postgres append → tRPC SSE,
the committed batch handed to this replica's subscribers from memory), against a direct subscriber
on sandbox-agent's SSE in the same run. Both subscribers run in a process of their own and read
with the same plain SSE reader (the studio's process runs only the studio, as with browsers); the
scripted provider runs in another; OpenCode and sandbox-agent run at niceness 10 in a scheduling
group lowered to 10, as the local provider starts them. A second direct subscriber, identical to
the first, measures how far apart sandbox-agent serves its own connections: the floor of what the
comparison can resolve on this machine. Times are CLOCK_MONOTONIC, one clock for every process.
Chunks the runner coalesces are matched by the length of text received; the split at the runner's
commit uses the same matching. ${relay.rounds.length} rounds on fresh sessions; the medians, then each round.

| | value | target |
| --- | --- | --- |
| chunks seen directly / studio events | ${relay.directChunks} / ${relay.studioEvents} | |
| added latency p50 | ${relay.addedP50Ms} ms | |
| added latency p99 | ${relay.addedP99Ms} ms | < 5 ms: ${ok(relay.addedP99Ms < 5)} |
| a second direct subscriber's lateness, p50 / p99 (the floor) | ${relay.directSkewP50Ms} ms / ${relay.directSkewP99Ms} ms | |
| of which before the runner's commit (agent stream → runner → append statement), p50 / p99 | ${relay.toCommitP50Ms} ms / ${relay.toCommitP99Ms} ms | |
| of which after it (commit → subscription SSE), p50 / p99 | ${relay.afterCommitP50Ms} ms / ${relay.afterCommitP99Ms} ms | |
| stream duration direct / studio | ${relay.directDurationMs} ms / ${relay.studioDurationMs} ms | |
| throughput ratio (direct duration ÷ studio duration) | ${relay.throughputRatio} | ≥ 0.9: ${ok(relay.throughputRatio >= 0.9)} |
| each round: added p50 / p99; second direct p99 (1-minute load average) | ${relay.rounds.map((r) => `${r.addedP50Ms} / ${r.addedP99Ms}; ${r.directSkewP99Ms} ms (${r.load})`).join(", ")} | |

## Fan-out (${fanout.sessions} sessions × ${fanout.subscribersPerSession} subscribers)

Events appended through the runner's EventWriter (agents left out, so the studio's own path is
measured), ${fanout.eventsAppended} events in all, one per session every 10 ms, delivered over real
SSE subscriptions (\`sessions.events\`) read by plain SSE readers in a process of their own;
latency from the writer's push to the subscriber.

| | value |
| --- | --- |
| deliveries | ${fanout.deliveries} |
| deliveries per second | ${fanout.deliveriesPerSecond} |
| delivery latency p50 | ${fanout.p50Ms} ms |
| delivery latency p99 | ${fanout.p99Ms} ms |
| CPU while events flowed, studio / subscribers' process | ${fanout.studioCpuSeconds} s / ${fanout.clientsCpuSeconds} s |
| 1-minute load average when events started | ${fanout.load} |

${capacitySection(capacity)}

## Provisioning (local provider)

For each agent, \`sessions.create\` → \`ready\` against the bare minimum by hand for that agent
(start sandbox-agent with the agent installed: its CLI on PATH and, for Claude Code and Codex, the
launcher of its ACP adapter; \`initialize\`, \`session/new\`), alternating, after one warm-up
each, medians. *Added* is studio minus bare minimum: the studio's own part (claiming the session,
its gateway token, a confined sandbox at lower priority, the workspace's first commit, the status
changes) is a few hundred milliseconds whatever the agent, so an agent that starts in well under a
second shows a higher ratio for the same cost.

| agent (provider / model) | rounds | studio | bare minimum | added | ratio | target |
| --- | --- | --- | --- | --- | --- | --- |
${Object.entries(provisioning)
  .map(([agent, r]) =>
    "error" in r
      ? `| ${agent} | | | | | failed: ${r.error.replaceAll("|", "\\|").replaceAll("\n", " ")} | |`
      : `| ${agent} (${r.provider} / ${r.model}) | ${r.rounds} | ${r.studioMedianMs} ms | ${r.bareMedianMs} ms | ${Math.round(r.studioMedianMs - r.bareMedianMs)} ms | ${r.ratio} | ≤ 1.15: ${ok(r.ratio <= 1.15)} |`,
  )
  .join("\n")}

${provisioningBurstSection(provisioningBurst)}

## Model gateway

A streamed chat-completions call with a body the size and shape of OpenCode's (about 25 KB: system
prompt, twelve tool schemas, the conversation) to the organisation's own OpenAI-compatible
endpoint three ways: directly; through a bare pass-through proxy in the studio's process (the
gateway's transport and nothing else: no checks, no metering, no ledger); and through the studio's
gateway (token check, model check, key swap, usage metering, ledger entry and \`metered\` event).
${gateway.rounds} rounds of one call each way, in a random order each round; then
${gateway.sustainedCalls} calls ${gateway.concurrency} at a time directly and through the gateway.
Three processes, as in use: the calls come from one (the sandbox), the scripted provider answers
from another, the studio runs alone in its own, so a proxied call has one more loopback hop than
a direct one. *Added* is a percentile minus the direct percentile: what the proxy adds to the
latency distribution, the way proxies are compared. The bare proxy's figure is the floor: what
the two extra hops and Node's HTTP handling cost on this machine before the gateway does anything.

| | direct | bare proxy | gateway | added by the gateway | added by the bare proxy (floor) | target (gateway) |
| --- | --- | --- | --- | --- | --- | --- |
| time to first byte p50 | ${gateway.ttfb.directP50Ms} ms | ${gateway.ttfb.bareProxyP50Ms} ms | ${gateway.ttfb.gatewayP50Ms} ms | ${gateway.ttfb.addedP50Ms} ms | ${gateway.ttfb.bareProxyAddedP50Ms} ms | < 1 ms: ${ok(gateway.ttfb.addedP50Ms < 1)} |
| time to first byte p99 | ${gateway.ttfb.directP99Ms} ms | ${gateway.ttfb.bareProxyP99Ms} ms | ${gateway.ttfb.gatewayP99Ms} ms | ${gateway.ttfb.addedP99Ms} ms | ${gateway.ttfb.bareProxyAddedP99Ms} ms | < 5 ms: ${ok(gateway.ttfb.addedP99Ms < 5)} |
| total time p50 | ${gateway.total.directP50Ms} ms | ${gateway.total.bareProxyP50Ms} ms | ${gateway.total.gatewayP50Ms} ms | ${gateway.total.addedP50Ms} ms | ${gateway.total.bareProxyAddedP50Ms} ms | < 1 ms: ${ok(gateway.total.addedP50Ms < 1)} |
| total time p99 | ${gateway.total.directP99Ms} ms | ${gateway.total.bareProxyP99Ms} ms | ${gateway.total.gatewayP99Ms} ms | ${gateway.total.addedP99Ms} ms | ${gateway.total.bareProxyAddedP99Ms} ms | < 5 ms: ${ok(gateway.total.addedP99Ms < 5)} |

| | value | |
| --- | --- | --- |
| sustained metered calls per second (direct) | ${gateway.callsPerSecond} (${gateway.directCallsPerSecond}) | |
| ledger totals equal the usage the upstream reported | ${gateway.ledgerExact ? "yes, exactly" : "**no**"} | exact |

With the guards on: the same rounds again, first with per-minute limits (organisation and member)
and then with hard budgets too, at every scope the session has (the organisation's, the members'
default), none near its limit, with the endpoint's model priced. Rate limits spend points taken
from their PostgreSQL store in blocks, so almost no call waits for it. Hard budgets admit a call
whose request bounds its cost (these name \`max_tokens\`, as OpenCode's do) from the replica's
allowances, holding its worst case in memory, and read PostgreSQL only for the rest and near a
budget's end: exact across replicas all the same (docs/architecture.md, "Budgets, alerts and
limits"). *What the guards add* is the gateway's cost over the bare proxy minus the same without
them, in the same run.

| | over the bare proxy p50 | p99 | what the guards add p50 | p99 | target (p50 ≤ 0.25 ms, p99 ≤ 2 ms added) | calls per second | ledger exact |
| --- | --- | --- | --- | --- | --- | --- | --- |
| without the guards | ${round(gateway.total.gatewayP50Ms - gateway.total.bareProxyP50Ms, 3)} ms | ${round(gateway.total.gatewayP99Ms - gateway.total.bareProxyP99Ms, 3)} ms | | | | ${gateway.callsPerSecond} | ${gateway.ledgerExact ? "yes" : "**no**"} |
${guardedRow("rate limits", gateway.limited)}
${guardedRow("rate limits and hard budgets", gateway.guarded)}

${gitCloneSection(gitClone)}

${archiveDownloadSection(archiveDownload)}

${workspacePanelSection(workspacePanel)}

${workspaceLiveSection(workspaceLive)}

${previewProxySection(previewProxy)}

${chatScrollSection(chatScroll)}

## Sign-in flood (${signInFlood.attempts} wrong passwords, ${signInFlood.inFlight} in flight)

Wrong passwords for unknown accounts, each from an address of its own so the throttle refuses none
and every attempt reaches scrypt (the worst case), against the same process idle in the same run.
Measured in the studio's process: the event loop's delay, and a small file read every 20 ms
(it needs libuv's thread pool, as file serving, DNS lookups and new upstream connections do). With
the studio's hashing limit (${signInFlood.hashingConcurrency} at once, the rest queued), then with
it lifted, as before the limit.

| | idle | flood, limited | flood, limit lifted | target (limited) |
| --- | --- | --- | --- | --- |
| event-loop delay p50 / p99 / max | ${signInFlood.idle.loopDelayP50Ms} / ${signInFlood.idle.loopDelayP99Ms} / ${signInFlood.idle.loopDelayMaxMs} ms | ${signInFlood.limited.loopDelayP50Ms} / ${signInFlood.limited.loopDelayP99Ms} / ${signInFlood.limited.loopDelayMaxMs} ms | ${signInFlood.unlimited.loopDelayP50Ms} / ${signInFlood.unlimited.loopDelayP99Ms} / ${signInFlood.unlimited.loopDelayMaxMs} ms | p99 ratio ${signInFlood.loopDelayP99Ratio} |
| file read p50 / p99 | ${signInFlood.idle.fileReadP50Ms} / ${signInFlood.idle.fileReadP99Ms} ms | ${signInFlood.limited.fileReadP50Ms} / ${signInFlood.limited.fileReadP99Ms} ms | ${signInFlood.unlimited.fileReadP50Ms} / ${signInFlood.unlimited.fileReadP99Ms} ms | p99 < 50 ms: ${ok(signInFlood.limited.fileReadP99Ms < 50)} |
| sign-in attempts per second | | ${signInFlood.limited.attemptsPerSecond} | ${signInFlood.unlimited.attemptsPerSecond} | |

## Usage ledger (${ledger.entries.toLocaleString("en")} entries, ${ledger.organizations} organisations)

Through the API as an admin of an organisation with ${ledger.benchOrganizationEntries.toLocaleString("en")} of the
entries, each query 40 times after a warm-up; baseline: \`billing.balance\` in the same run.

| | p50 | p95 | target (p95) |
| --- | --- | --- | --- |
| baseline (a one-row query) | | ${ledger.baselineP95Ms} ms | |
| a filtered page (one model, 30 days, 50 rows) | ${ledger.pageP50Ms} ms | ${ledger.pageP95Ms} ms | < 150 ms: ${ok(ledger.pageP95Ms < 150)} |
| totals of that filter | ${ledger.totalsP50Ms} ms | ${ledger.totalsP95Ms} ms | < 150 ms: ${ok(ledger.totalsP95Ms < 150)} |
| 90-day summary by day, split by model | ${ledger.summaryP50Ms} ms | ${ledger.summaryP95Ms} ms | < 150 ms: ${ok(ledger.summaryP95Ms < 150)} |

| CSV export | value | target |
| --- | --- | --- |
| rows | ${ledger.csvRows} | |
| rows per second | ${ledger.csvRowsPerSecond} | ≥ 100,000: ${ok(ledger.csvRowsPerSecond >= 100_000)} |
| peak heap / RSS growth of the process serving (and reading) it | ${ledger.csvPeakHeapMb} MB / ${ledger.csvPeakRssMb} MB | |
`;
  const target = path.resolve(import.meta.dirname, "..", "..", "..", "docs", "benchmarks.md");
  writeFileSync(target, report);
  console.log(`\nwrote ${path.relative(process.cwd(), target)}`);
} finally {
  await stack.stop();
}
