// Chat scrolling: frame times (and the page's own work per frame) while scrolling a 5,000-event
// conversation in headless Chromium, against a 50-event one in the same run. The production build
// of the SPA talks to the bench stack through a small same-origin proxy (the stack serves no SPA);
// both are real sessions whose logs get the seeded history through the studio's own append, then
// are stopped so no agent competes for the CPU while frames are measured.
import { existsSync } from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from "@playwright/test";
import { appendEvents } from "@studio/core";
import { longSession } from "../../../apps/web/src/features/studio/session/chat/fixtures/long-session.ts";
import { webDist as dist, mutate, serveSpa, waitForStatus } from "./spa-harness.ts";
import type { BenchStack } from "./stack.ts";
import { median, percentile, round } from "./stats.ts";

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

const CHROMIUM = "/usr/bin/chromium";

const LARGE = 5000;
const SMALL = 50;
/** Alternating rounds per session, each a fresh page load. */
const ROUNDS = 4;
/** Frames per round, and pixels scrolled per frame: a fast fling, new rows nearly every frame. */
const FRAMES = 600;
const STEP_PX = 400;

export interface ChatScrollSide {
  events: number;
  /** Page load until the last reply of the history is rendered, median of the rounds. */
  loadMs: number;
  p50FrameMs: number;
  p95FrameMs: number;
  /** Frames longer than two display frames (33 ms). */
  longFrames: number;
  /**
   * Main-thread task time per frame (median of the rounds): the page's own work, which frame
   * times on a busy machine hide behind waiting for the CPU.
   */
  workMsPerFrame: number;
  /** Most conversation rows in the DOM at once while scrolling. */
  maxRows: number;
}

export type ChatScrollResult =
  | { measured: false; reason: string }
  | {
      measured: true;
      frames: number;
      stepPx: number;
      large: ChatScrollSide;
      small: ChatScrollSide;
      p50Ratio: number;
      p95Ratio: number;
      workRatio: number;
    };

/** A real session, its history appended to its log, then stopped. */
async function seededSession(stack: BenchStack, page: Page, origin: string, count: number) {
  const { id } = await mutate<{ id: string }>(page, origin, "sessions.create", {
    environment: "development",
    provider: "custom",
    model: "scripted-1",
  });
  await waitForStatus(stack, id, "ready");
  const { userId } = await stack.db.studioSession.findUniqueOrThrow({
    where: { id },
    select: { userId: true },
  });
  const history = longSession(count, userId);
  for (let start = 0; start < history.events.length; start += 250) {
    await appendEvents(stack.db, id, history.events.slice(start, start + 250));
  }
  await mutate(page, origin, "sessions.stop", { sessionId: id });
  await waitForStatus(stack, id, "stopped");
  return { id, events: count, lastReply: history.lastReply };
}

/** The little of the page's DOM the scroll loop uses (the bench compiles without the DOM library). */
interface PageGlobals {
  document: { querySelector(selector: string): ScrollBox | null };
  requestAnimationFrame(callback: (now: number) => void): number;
}
interface ScrollBox {
  scrollTop: number;
  readonly scrollHeight: number;
  readonly clientHeight: number;
  querySelectorAll(selector: string): { length: number };
}

/**
 * Runs in the page: scrolls the conversation by `step` px every frame, turning at the top and just
 * short of the bottom, for `frames` frames; returns the time between frames and the most rows the
 * DOM held.
 */
function scrollFrames({ frames, step }: { frames: number; step: number }) {
  const page = globalThis as unknown as PageGlobals;
  const list = page.document.querySelector('section[aria-label="Conversation"]');
  if (!list) throw new Error("no conversation on the page");
  const deltas: number[] = [];
  let rows = 0;
  let direction = -1;
  let last = 0;
  return new Promise<{ deltas: number[]; rows: number }>((resolve) => {
    const tick = (now: number) => {
      if (last > 0) deltas.push(now - last);
      last = now;
      rows = Math.max(rows, list.querySelectorAll("[data-index]").length);
      if (deltas.length >= frames) return resolve({ deltas, rows });
      // Turning short of the bottom keeps the list from "following the stream" at every turn,
      // which a short list would otherwise do many times more often than a long one.
      const end = list.scrollHeight - list.clientHeight - 200;
      let next = list.scrollTop + direction * step;
      if (next <= 0 || next >= end) {
        direction = -direction;
        next = Math.min(Math.max(next, 0), end);
      }
      list.scrollTop = next;
      page.requestAnimationFrame(tick);
    };
    page.requestAnimationFrame(tick);
  });
}

/**
 * One page load and scroll, in a browser context of its own (so its own renderer: nothing left over
 * from the previous round, such as garbage to collect, lands in this one's frames).
 */
async function measureRound(
  browser: Browser,
  storageState: StorageState,
  origin: string,
  session: { id: string; lastReply: string },
) {
  const context = await browser.newContext({ storageState, viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    // tsx (esbuild, keeping names) wraps named functions in `__name(…)`, which the page lacks.
    await page.addInitScript("globalThis.__name = (target) => target;");
    const started = performance.now();
    await page.goto(`${origin}/sessions/${session.id}`);
    await page
      .locator(".assistant-message", { hasText: session.lastReply })
      .waitFor({ state: "visible", timeout: 120_000 });
    const loadMs = performance.now() - started;
    // Both sides start from a collected heap (Chromium runs with --expose-gc).
    await page.evaluate("globalThis.gc()");
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    const before = await taskSeconds(cdp);
    const { deltas, rows } = await page.evaluate(scrollFrames, { frames: FRAMES, step: STEP_PX });
    const workMsPerFrame = (((await taskSeconds(cdp)) - before) * 1000) / deltas.length;
    return { loadMs, deltas, rows, workMsPerFrame };
  } finally {
    await context.close();
  }
}

/** Time the renderer's main thread spent in tasks so far (scripts, style, layout, paint). */
async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return metrics.find((metric) => metric.name === "TaskDuration")?.value ?? 0;
}

type Round = Awaited<ReturnType<typeof measureRound>>;

function side(events: number, rounds: Round[]): ChatScrollSide {
  const deltas = rounds.flatMap((r) => r.deltas);
  return {
    events,
    loadMs: Math.round(median(rounds.map((r) => r.loadMs))),
    p50FrameMs: round(percentile(deltas, 50), 1),
    p95FrameMs: round(percentile(deltas, 95), 1),
    longFrames: deltas.filter((delta) => delta > 33.4).length,
    workMsPerFrame: round(median(rounds.map((r) => r.workMsPerFrame)), 2),
    maxRows: Math.max(...rounds.map((r) => r.rows)),
  };
}

export async function benchChatScroll(stack: BenchStack): Promise<ChatScrollResult> {
  if (!existsSync(CHROMIUM)) {
    return { measured: false, reason: `no Chromium at ${CHROMIUM} (ensure-tools.mjs --browser installs it)` };
  }
  if (!existsSync(path.join(dist, "index.html"))) {
    return { measured: false, reason: "no web build in apps/web/dist (pnpm --filter @studio/web build)" };
  }
  const spa = await serveSpa(stack.url);
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--js-flags=--expose-gc",
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    });
    const page = await browser.newPage();
    await mutate(page, spa.url, "auth.signUp", {
      name: "Scroll Bench",
      email: `scroll-${Date.now().toString(36)}@example.com`,
      password: "correct horse battery",
    });
    const [large, small] = await Promise.all([
      seededSession(stack, page, spa.url, LARGE),
      seededSession(stack, page, spa.url, SMALL),
    ]);
    const storageState = await page.context().storageState();
    await page.close();
    const largeRounds: Round[] = [];
    const smallRounds: Round[] = [];
    // Alternating, and each side first in turn, so a busy moment on the machine falls on both.
    for (let i = 0; i < ROUNDS; i++) {
      const order = i % 2 === 0 ? [large, small] : [small, large];
      for (const session of order) {
        const result = await measureRound(browser, storageState, spa.url, session);
        (session === large ? largeRounds : smallRounds).push(result);
      }
    }
    const largeSide = side(large.events, largeRounds);
    const smallSide = side(small.events, smallRounds);
    return {
      measured: true,
      frames: FRAMES * ROUNDS,
      stepPx: STEP_PX,
      large: largeSide,
      small: smallSide,
      p50Ratio: round(largeSide.p50FrameMs / smallSide.p50FrameMs),
      p95Ratio: round(largeSide.p95FrameMs / smallSide.p95FrameMs),
      workRatio: round(largeSide.workMsPerFrame / smallSide.workMsPerFrame),
    };
  } finally {
    await browser?.close();
    await spa.close();
  }
}

/** The report's section (docs/benchmarks.md). */
export function chatScrollSection(result: ChatScrollResult): string {
  const heading = `## Chat scrolling (${LARGE.toLocaleString("en")} events against ${SMALL})`;
  if (!result.measured) return `${heading}\n\nNot measured: ${result.reason}.\n`;
  const { large, small } = result;
  const ratio = (a: number, b: number) => round(a / b);
  return `${heading}

The production SPA in headless Chromium scrolls a conversation by ${result.stepPx} px a frame, turning
at the top and just short of the bottom, ${result.frames} frames per session over alternating rounds
(a fresh browser context each). Both are real sessions whose logs got the history through the
studio's own append; the ${SMALL}-event one is the baseline. Ratios are large ÷ small.

| | ${large.events} events | ${small.events} events | ratio |
| --- | --- | --- | --- |
| frame time p50 | ${large.p50FrameMs} ms | ${small.p50FrameMs} ms | ${result.p50Ratio} |
| frame time p95 | ${large.p95FrameMs} ms | ${small.p95FrameMs} ms | ${result.p95Ratio} |
| frames over 33 ms | ${large.longFrames} | ${small.longFrames} | |
| main-thread work per frame | ${large.workMsPerFrame} ms | ${small.workMsPerFrame} ms | ${result.workRatio} |
| most conversation rows in the DOM | ${large.maxRows} | ${small.maxRows} | |
| page load until the whole history shows | ${large.loadMs} ms | ${small.loadMs} ms | ${ratio(large.loadMs, small.loadMs)} |
`;
}
