import { expect, type Page, test } from "@playwright/test";
import { longSession } from "../../apps/web/src/features/studio/session/chat/fixtures/long-session.ts";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { LOCAL_TAG, localOnly } from "../support/local-only.ts";
import { script } from "../support/model-server.ts";
import {
  composer,
  conversation,
  marker,
  replies,
  startSession,
  TURN_TIMEOUT,
  waitForTurnEnd,
  waitUntilReady,
} from "../support/session.ts";
import { appendSessionEvents, sessionOwnerId } from "../support/session-log.ts";
import { newUser, signUp, snap } from "../support/studio.ts";

localOnly("studio-long-session.spec.ts", "writes thousands of events straight into the studio's database");

test.describe.configure({ timeout: 240_000 });

/** Far fewer rows than the ~2,000 items of the history: what "virtualised" means here. */
const MAX_ROWS = 200;

/** Rows of the conversation in the DOM right now (each virtual row carries its index). */
const renderedRows = (page: Page) => conversation(page).locator("[data-index]");

test(
  "a session of 5,000 events opens complete, keeps few rows in the DOM and stays usable",
  { tag: LOCAL_TAG },
  async ({ page }, testInfo) => {
    await signUp(page, newUser("reader"));
    const sessionId = await startSession(page);
    await waitUntilReady(page);

    // A live session with a long history behind it: 5,000 events appended to its real log.
    const history = longSession(5000, await sessionOwnerId(sessionId));
    const lastSeq = await appendSessionEvents(sessionId, history.events);
    expect(lastSeq).toBeGreaterThan(5000);
    await page.reload();

    // The whole log replays and the list follows it to its end.
    const list = conversation(page);
    await expect(list.getByText(history.lastReply)).toBeInViewport({ timeout: TURN_TIMEOUT });
    await expect.poll(() => renderedRows(page).count()).toBeLessThan(MAX_ROWS);
    await snap(page, testInfo, "long-session-end");

    // Home on the focused conversation reaches the first prompt; still only a window of rows.
    const firstPrompt = list.locator(".user-message", { hasText: history.firstPrompt });
    await list.focus();
    await list.press("Home");
    await expect(firstPrompt).toBeInViewport();
    await expect.poll(() => renderedRows(page).count()).toBeLessThan(MAX_ROWS);
    await snap(page, testInfo, "long-session-start");

    // A few pages down by keyboard, then straight to the middle: rows are replaced, never piled up.
    for (let i = 0; i < 5; i++) await list.press("PageDown");
    await expect(firstPrompt).not.toBeInViewport();
    await list.evaluate((element) => {
      element.scrollTop = element.scrollHeight / 2;
    });
    // The turn of the first row in view: every item of turn N names module N or turn N.
    const turnInView = () =>
      list.evaluate((element) => {
        const box = element.getBoundingClientRect();
        for (const row of element.querySelectorAll("[data-index]")) {
          const rect = row.getBoundingClientRect();
          if (rect.bottom <= box.top || rect.top >= box.bottom) continue;
          const found = row.textContent?.match(/[Mm]odule[- ](\d+)|Turn (\d+) done/);
          if (found) return Number(found[1] ?? found[2]);
        }
        return 0;
      });
    await expect.poll(turnInView).toBeGreaterThan(history.turns / 4);
    expect(await turnInView()).toBeLessThan((history.turns * 3) / 4);
    await expect.poll(() => renderedRows(page).count()).toBeLessThan(MAX_ROWS);

    // Jump to latest brings the end back.
    await page.getByRole("button", { name: "Jump to latest" }).click();
    await expect(list.getByText(history.lastReply)).toBeInViewport();
    await expect(page.getByRole("button", { name: "Jump to latest" })).toBeHidden();
    await expectNoSeriousA11yViolations(page, "a session with a 5,000-event history");

    // The page still answers: typing shows every key, and a new turn lands below the history.
    const tag = marker();
    await script(tag, [{ text: "Still quick after five thousand events." }]);
    await composer(page).pressSequentially(`${tag} one more thing`);
    await expect(composer(page)).toHaveValue(`${tag} one more thing`);
    await composer(page).press("Enter");
    const answer = replies(page).filter({ hasText: "Still quick after five thousand events." });
    await expect(answer).toBeInViewport({ timeout: TURN_TIMEOUT });
    await waitForTurnEnd(page);
    await expect.poll(() => renderedRows(page).count()).toBeLessThan(MAX_ROWS);
    await snap(page, testInfo, "long-session-new-turn");
  },
);
