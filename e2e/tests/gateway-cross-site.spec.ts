import { randomUUID } from "node:crypto";
import { type Browser, chromium, expect, test } from "@playwright/test";
import { receivedRequests, script } from "../support/model-server.ts";
import { marker, send, startSession, TURN_TIMEOUT, waitUntilReady } from "../support/session.ts";
import { newUser, signUp } from "../support/studio.ts";

// Issue 16, point 1, as it was reproduced: anyone can start a session and read its gateway token in
// the sandbox (`echo $STUDIO_GATEWAY_TOKEN`); a page elsewhere then auto-submits a cross-site
// text/plain form whose body is JSON to `/api/llm/custom/chat/completions?key=<token>`. The
// gateway answers programs only: the browser gets a 403 with a plain JSON message, nothing reaches
// the model, and nothing the page sent runs on the studio's origin.
test.describe.configure({ timeout: 180_000 });

const ATTACKER = "http://attacker.test";

let browser: Browser;

test.beforeAll(async ({ browserName }, testInfo) => {
  test.skip(browserName !== "chromium", "reproduced in Chromium");
  const launch = testInfo.project.use.launchOptions ?? {};
  browser = await chromium.launch({
    ...launch,
    args: [
      ...(launch.args ?? []),
      // Recent Chromium holds back a public page's requests to loopback on its own (Local Network
      // Access); older browsers and pages on a private network do not. Off here, so what is shown is
      // the studio's own refusal.
      "--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests",
    ],
  });
});

test.afterAll(async () => {
  await browser?.close();
});

/** The attacker's page: a form that posts JSON as text/plain to the gateway, submitted on load. */
function attackPage(action: string, model: string): string {
  const json = `{"model":"${model}","stream":false,"messages":[{"role":"user","content":"hi"}],"pad":"`;
  const attribute = (text: string) => text.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
  return `<!doctype html><title>Totally harmless</title>
<form id="f" method="POST" enctype="text/plain" action="${attribute(action)}">
  <input name="${attribute(json)}" value='"}'>
</form>
<script>document.getElementById("f").submit()</script>`;
}

test("a cross-site form posting to the gateway with a session's token is refused", async ({
  page,
  baseURL,
}) => {
  // The attacker's own session, and its token as the sandbox's shell sees it.
  await signUp(page, newUser("tokenthief"));
  await startSession(page);
  await waitUntilReady(page);
  const tag = marker();
  await script(
    tag,
    [
      {
        toolCall: {
          name: "bash",
          arguments: { command: 'echo "TOKEN=$STUDIO_GATEWAY_TOKEN="', description: "Print the token" },
        },
      },
    ],
    [{ text: "Printed." }],
  );
  await send(page, `${tag} print the token`);
  const tool = page.locator(".tool-card").first();
  const permission = tool.locator(".permission-card");
  await expect(permission).toHaveAttribute("data-state", "waiting", { timeout: TURN_TIMEOUT });
  await permission.getByRole("button", { name: "Allow once" }).click();
  await expect(tool).toHaveAttribute("data-status", "completed", { timeout: TURN_TIMEOUT });
  // The command names the variable; its output holds the value (base32, lower case).
  const printed = /TOKEN=([a-z0-9]+)=/.exec((await tool.textContent()) ?? "");
  expect(printed, "the sandbox's gateway token in the tool's output").not.toBeNull();
  const token = printed![1];

  // A victim, in another browser, visits the attacker's page.
  const model = `cross-site-${randomUUID().slice(0, 8)}`;
  const action = `${baseURL}/api/llm/custom/chat/completions?key=${token}`;
  const context = await browser.newContext();
  const victim = await context.newPage();
  await victim.route(`${ATTACKER}/attack`, (route) =>
    route.fulfill({ contentType: "text/html", body: attackPage(action, model) }),
  );
  const answered = victim.waitForResponse((response) => response.url().startsWith(`${baseURL}/api/llm/`));
  await victim.goto(`${ATTACKER}/attack`);
  const response = await answered;
  expect(response.status()).toBe(403);
  expect(response.headers()["content-type"]).toBe("application/json");
  expect(response.headers()["content-security-policy"]).toBe("sandbox; default-src 'none'");
  await victim.waitForURL(`${baseURL}/api/llm/**`);
  await expect(victim.locator("body")).toContainText("answers programs, not web pages");
  expect(await victim.title()).not.toContain("PWNED");
  // Nothing reached the model.
  expect((await receivedRequests()).some((request) => request.model === model)).toBe(false);
  await context.close();
});
