// How soon a change made by a tool shows in the workspace panel (issue 20): a real session whose
// scripted model calls `write` (tool permissions "allow", so nothing waits for a person) while the
// production SPA in headless Chromium shows the session with the panel open, on Changes or on Files
// in alternate rounds. Each round is timed from the commit of the tool call's completion to the
// session's log (the studio runs in this process, so the append queue tells the moment) to the
// moment the new file's row is in the panel's DOM (a MutationObserver in the page). Both ends read
// the system's wall clock. The time the page's tool card turned "completed" splits it into delivery
// (log → page) and the panel's own refresh. 1-minute load average at the start: ${result.load}. Baselines in the same run, from the same page: one
// `workspace.changes` request and one root listing, the floor of a refresh.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, chromium, type Page } from "@playwright/test";
import { webDist as dist, mutate, serveSpa, waitForStatus } from "./spa-harness.ts";
import type { BenchStack } from "./stack.ts";
import { ok, percentile, round } from "./stats.ts";

const CHROMIUM = "/usr/bin/chromium";
/** Rounds per view (Changes, Files), alternating. */
const ROUNDS = 10;
/**
 * The model's reply after the tool result waits this long, so the turn is still running when the
 * row shows: the panel must update from the tool call's completion, not from the end of the turn.
 */
const REPLY_DELAY_MS = 1500;
/** Baseline requests of each kind after every round, in the same conditions as the rounds. */
const BASELINE_PER_ROUND = 2;
/** From the stored completion until the row must show; beyond it the round fails. */
const SHOW_TIMEOUT_MS = 15_000;
const AGENT_TIMEOUT_MS = 60_000;

type View = "changes" | "files";

export interface LiveTiming {
  rounds: number;
  /** Commit of the completion → the path's row in the panel's DOM. */
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Commit → the page's tool card shows "completed" (the event's delivery and render). */
  deliveryP50Ms: number;
  /** The tool card "completed" → the row in the panel (invalidate, refetch, render). */
  refreshP50Ms: number;
  refreshP95Ms: number;
  /** Rounds whose row showed only after the turn had ended (0 when the tool call's completion did it). */
  afterTurnEnd: number;
  ms: number[];
}

export type WorkspaceLiveResult =
  | { measured: false; reason: string }
  | {
      measured: true;
      replyDelayMs: number;
      /** The 1-minute load average when the rounds started. */
      load: number;
      changes: LiveTiming;
      files: LiveTiming;
      /** One `workspace.changes` request from the page (the Changes view's refetch), p50 / p95. */
      changesRequest: { p50Ms: number; p95Ms: number };
      /** One root `workspace.list` request from the page (the Files view's refetch), p50 / p95. */
      rootListingRequest: { p50Ms: number; p95Ms: number };
    };

/** Whether the build has the workspace panel (an older build in dist would time out, not say so). */
function buildHasPanel(): boolean {
  const assets = path.join(dist, "assets");
  if (!existsSync(assets)) return false;
  return readdirSync(assets)
    .filter((name) => name.endsWith(".js"))
    .some((name) => readFileSync(path.join(assets, name), "utf8").includes("Workspace panel"));
}

/**
 * Installed in the page: `benchWatch(file, view)` records when the tool card naming `file` turns
 * completed and when `file`'s row enters the panel's view, on the wall clock (Date.now()).
 * Plain JavaScript: the bench compiles without the DOM library, and the page has no tsx helpers.
 */
const WATCH_SCRIPT = `
globalThis.benchWatch = (file, view) => {
  const record = { completedAt: null, shownAt: null };
  globalThis.benchRecord = record;
  const rowSelector = view === "changes"
    ? 'section[aria-label="Workspace"] .change-row[data-path="' + file + '"]'
    : 'section[aria-label="Workspace"] [role="tree"] [data-path="' + file + '"]';
  const check = () => {
    const at = Date.now();
    if (record.completedAt === null) {
      for (const card of document.querySelectorAll('.tool-card[data-status="completed"]')) {
        if ((card.textContent || "").includes(file)) { record.completedAt = at; break; }
      }
    }
    if (record.shownAt === null && document.querySelector(rowSelector)) record.shownAt = at;
    if (record.shownAt !== null && record.completedAt !== null) observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ["data-status", "data-path"],
  });
  check();
};
globalThis.benchRequest = async (procedure, input, rounds) => {
  const url = "/api/trpc/" + procedure + "?batch=1&input=" + encodeURIComponent(JSON.stringify({ 0: { json: input } }));
  const times = [];
  for (let index = 0; index < rounds; index += 1) {
    const started = performance.now();
    const response = await fetch(url, { credentials: "same-origin" });
    await response.arrayBuffer();
    times.push(performance.now() - started);
    if (!response.ok) throw new Error(procedure + ": " + response.status);
  }
  return times;
};
`;

const panel = (page: Page) => page.getByRole("region", { name: "Workspace", exact: true });

/** Shows `view` in the panel and waits until it shows `previous` (the last round's file), so its data is fresh. */
async function showView(page: Page, view: View, previous: string | null) {
  const tab = panel(page)
    .getByRole("tablist", { name: "Workspace views" })
    .getByRole("tab", { name: new RegExp(`^${view === "changes" ? "Changes" : "Files"}\\b`) });
  await tab.click();
  const ready =
    view === "changes"
      ? previous
        ? panel(page).locator(`.change-row[data-path="${previous}"]`)
        : panel(page).locator(".changes-totals")
      : previous
        ? panel(page).locator(`[role="tree"] [data-path="${previous}"]`)
        : panel(page).getByRole("tree", { name: "Workspace files" });
  await ready.waitFor({ state: "visible", timeout: 30_000 });
  // Whatever the switch fetched settles before the round starts.
  await page.waitForTimeout(300);
}

/** When the first turn_ended after `afterSeq` was stored (its row's time). */
async function turnEnd(stack: BenchStack, sessionId: string, afterSeq: bigint): Promise<number> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const ended = await stack.db.sessionEvent.findFirst({
      where: { sessionId, type: "turn_ended", seq: { gt: afterSeq } },
      select: { createdAt: true },
    });
    if (ended) return ended.createdAt.getTime();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the turn did not end within 30 s");
}

interface Round {
  view: View;
  ms: number;
  deliveryMs: number | null;
  refreshMs: number | null;
  afterTurnEnd: boolean;
}

async function measureRound(
  stack: BenchStack,
  page: Page,
  origin: string,
  sessionId: string,
  index: number,
  view: View,
): Promise<Round> {
  const file = `bench-${index}.md`;
  const { lastEventSeq } = await stack.db.studioSession.findUniqueOrThrow({
    where: { id: sessionId },
    select: { lastEventSeq: true },
  });
  let committedAt: number | null = null;
  const stopWatching = stack.appendQueue.onStored((batch) => {
    if (batch.sessionId !== sessionId || committedAt !== null) return;
    for (const event of batch.events)
      if (event.type === "tool_call_update" && event.status === "completed") committedAt = Date.now();
  });
  try {
    await page.evaluate(`benchWatch(${JSON.stringify(file)}, ${JSON.stringify(view)})`);
    await stack.upstream.enqueue(
      {
        steps: [
          { toolCall: { name: "write", arguments: { filePath: file, content: `# Round ${index}\n` } } },
        ],
      },
      { steps: [{ delayMs: REPLY_DELAY_MS }, { text: `Wrote ${file}.` }] },
    );
    await mutate(page, origin, "sessions.sendMessage", { sessionId, text: `write ${file}` });
    // The agent's own pace (which the machine's load sways) is not the panel's: it gets a minute.
    for (const deadline = Date.now() + AGENT_TIMEOUT_MS; committedAt === null; ) {
      if (Date.now() > deadline) throw new Error(`no completed tool call was stored for ${file}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await page
      .waitForFunction("globalThis.benchRecord.shownAt !== null", undefined, {
        timeout: SHOW_TIMEOUT_MS,
        polling: 50,
      })
      .catch(async () => {
        const seen = (await page.evaluate("globalThis.benchRecord")) as { completedAt: number | null };
        throw new Error(
          `${file} did not show in the ${view} view within ${SHOW_TIMEOUT_MS / 1000} s of its stored completion ` +
            `(the page's tool card ${seen.completedAt === null ? "never showed it completed" : "showed it completed"})`,
        );
      });
    // The turn's end is written with the session row, not through the append queue: read the log.
    const turnEndedAt = await turnEnd(stack, sessionId, lastEventSeq);
    const record = (await page.evaluate("globalThis.benchRecord")) as {
      completedAt: number | null;
      shownAt: number;
    };
    const committed: number = committedAt;
    return {
      view,
      ms: record.shownAt - committed,
      deliveryMs: record.completedAt === null ? null : record.completedAt - committed,
      refreshMs: record.completedAt === null ? null : record.shownAt - record.completedAt,
      afterTurnEnd: record.shownAt > turnEndedAt,
    };
  } finally {
    stopWatching();
  }
}

function timing(rounds: Round[]): LiveTiming {
  const ms = rounds.map((r) => r.ms);
  const delivery = rounds.flatMap((r) => (r.deliveryMs === null ? [] : [r.deliveryMs]));
  const refresh = rounds.flatMap((r) => (r.refreshMs === null ? [] : [r.refreshMs]));
  return {
    rounds: rounds.length,
    p50Ms: round(percentile(ms, 50), 0),
    p95Ms: round(percentile(ms, 95), 0),
    maxMs: Math.max(...ms),
    deliveryP50Ms: round(percentile(delivery, 50), 0),
    refreshP50Ms: round(percentile(refresh, 50), 0),
    refreshP95Ms: round(percentile(refresh, 95), 0),
    afterTurnEnd: rounds.filter((r) => r.afterTurnEnd).length,
    ms,
  };
}

/** `rounds` requests of `procedure` from the page, as its own tRPC client sends them; their times. */
async function requestTimes(page: Page, procedure: string, input: unknown): Promise<number[]> {
  return (await page.evaluate(
    `benchRequest(${JSON.stringify(procedure)}, ${JSON.stringify(input)}, ${BASELINE_PER_ROUND})`,
  )) as number[];
}

const p50p95 = (times: number[]) => ({
  p50Ms: round(percentile(times, 50), 1),
  p95Ms: round(percentile(times, 95), 1),
});

export async function benchWorkspaceLive(stack: BenchStack): Promise<WorkspaceLiveResult> {
  if (!existsSync(CHROMIUM)) {
    return { measured: false, reason: `no Chromium at ${CHROMIUM} (ensure-tools.mjs --browser installs it)` };
  }
  if (!existsSync(path.join(dist, "index.html"))) {
    return { measured: false, reason: `no web build in ${dist} (pnpm --filter @studio/web build)` };
  }
  if (!buildHasPanel()) {
    return { measured: false, reason: `the web build in ${dist} predates the workspace panel (rebuild it)` };
  }
  const spa = await serveSpa(stack.url);
  let browser: Browser | null = null;
  let sessionId: string | null = null;
  let page: Page | null = null;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(WATCH_SCRIPT);
    page = await context.newPage();
    await mutate(page, spa.url, "auth.signUp", {
      name: "Live Panel Bench",
      email: `live-panel-${Date.now().toString(36)}@example.com`,
      password: "correct horse battery",
    });
    // The agent's writes run unasked, so no permission prompt sits between the model and the file.
    await mutate(page, spa.url, "organizations.update", { toolPermissions: "allow" });
    ({ id: sessionId } = await mutate<{ id: string }>(page, spa.url, "sessions.create", {
      environment: "development",
      provider: "custom",
      model: "scripted-1",
    }));
    await waitForStatus(stack, sessionId, "ready");
    await page.goto(`${spa.url}/sessions/${sessionId}?ws=changes`);
    const toggle = page.getByRole("button", { name: "Workspace panel" });
    await toggle.waitFor({ state: "visible", timeout: 30_000 });
    if ((await toggle.getAttribute("aria-pressed")) !== "true") await toggle.click();

    const load = round(os.loadavg()[0]!);
    const rounds: Round[] = [];
    const changesRequests: number[] = [];
    const rootListingRequests: number[] = [];
    let previous: string | null = null;
    for (let index = 0; index < ROUNDS * 2; index += 1) {
      const view: View = index % 2 === 0 ? "changes" : "files";
      await showView(page, view, previous);
      rounds.push(await measureRound(stack, page, spa.url, sessionId, index, view));
      previous = `bench-${index}.md`;
      // The baseline between rounds, so the machine's load falls on both alike; after the refresh
      // the turn's end asks for has settled.
      await page.waitForTimeout(300);
      changesRequests.push(...(await requestTimes(page, "workspace.changes", { sessionId })));
      rootListingRequests.push(...(await requestTimes(page, "workspace.list", { sessionId, path: "" })));
    }

    return {
      measured: true,
      replyDelayMs: REPLY_DELAY_MS,
      load,
      changes: timing(rounds.filter((r) => r.view === "changes")),
      files: timing(rounds.filter((r) => r.view === "files")),
      changesRequest: p50p95(changesRequests),
      rootListingRequest: p50p95(rootListingRequests),
    };
  } finally {
    if (page && sessionId) await mutate(page, spa.url, "sessions.stop", { sessionId }).catch(() => {});
    if (sessionId) await waitForStatus(stack, sessionId, "stopped").catch(() => {});
    await browser?.close();
    await spa.close();
  }
}

/** The section of docs/benchmarks.md. */
export function workspaceLiveSection(result: WorkspaceLiveResult): string {
  const heading = "## Workspace panel, live (a tool's change until the panel shows it)";
  if (!result.measured) return `${heading}\n\nNot measured: ${result.reason}.\n`;
  const row = (label: string, t: LiveTiming) =>
    `| ${label} | ${t.p50Ms} / ${t.p95Ms} ms (max ${t.maxMs}) | ${t.deliveryP50Ms} ms | ${t.refreshP50Ms} / ${t.refreshP95Ms} ms | ${t.afterTurnEnd} of ${t.rounds} | p95 < 1,000 ms: ${ok(t.p95Ms < 1000)} |`;
  return `${heading}

A real session (the local sandbox, OpenCode under sandbox-agent, tool permissions "allow") whose
scripted model calls \`write\` for a new file, then answers after ${result.replyDelayMs.toLocaleString("en")} ms, so the turn is still running
when the file shows; the production SPA in headless Chromium shows the session with the workspace
panel open, on Changes or on Files in alternate rounds (${result.changes.rounds} each). Timed from the commit of the
tool call's completion to the session's log (the studio's append queue, in the bench's process) to
the moment the file's row is in the panel's DOM (a MutationObserver in the page); both ends read
the system clock. *Delivery* is until the page's tool card shows "completed"; *refresh* is from
there to the row (the page invalidates the change list and the folder's listing, refetches, renders).
Baselines from the same page, sent the way its tRPC client sends them, ${BASELINE_PER_ROUND} of each kind after every
round (so with 1 to ${result.changes.rounds + result.files.rounds} changed files), p50 / p95. The 1-minute load average when the rounds
started: ${result.load}.

| | p50 / p95 | delivery p50 | refresh p50 / p95 | shown only after the turn ended | target |
| --- | --- | --- | --- | --- | --- |
${row("Changes: the file's row", result.changes)}
${row("Files: the file in the root listing", result.files)}

| baseline: one request from the page | p50 / p95 |
| --- | --- |
| \`workspace.changes\` (the floor of the Changes view's refresh) | ${result.changesRequest.p50Ms} / ${result.changesRequest.p95Ms} ms |
| \`workspace.list\` of the root (the floor of the Files view's refresh) | ${result.rootListingRequest.p50Ms} / ${result.rootListingRequest.p95Ms} ms |`;
}
