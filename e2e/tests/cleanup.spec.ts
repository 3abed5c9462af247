// `pnpm test:e2e:cleanup`: what a run records (run-registry.ts) is what the cleanup removes. A
// throwaway run of its own, recorded in a temporary registry, makes an owner with a team (a member,
// a live session) and a personal workspace someone joined; the cleanup removes every account and
// organisation, and the studio then knows none of them.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type APIRequestContext, expect, test } from "@playwright/test";
import { cleanUpRuns } from "../support/cleanup.ts";
import { readRun, recordAccount, recordedRuns } from "../support/run-registry.ts";
import { newUser, runId, signUpByApi, type TestUser } from "../support/studio.ts";

test.describe.configure({ timeout: 180_000 });

/** A tRPC call with the browser context's cookie, as the web app makes it. */
async function call<T>(
  request: APIRequestContext,
  procedure: string,
  input: unknown,
  baseURL: string,
): Promise<T> {
  const response = await request.post(`/api/trpc/${procedure}`, {
    headers: { origin: new URL(baseURL).origin },
    data: { json: input },
  });
  const text = await response.text();
  expect(response.status(), `${procedure}: ${text}`).toBe(200);
  return (JSON.parse(text) as { result: { data: { json: T } } }).result.data.json;
}

async function signInStatus(request: APIRequestContext, user: TestUser, baseURL: string) {
  const response = await request.post("/api/trpc/auth.signIn", {
    headers: { origin: new URL(baseURL).origin },
    data: { json: { email: user.email, password: user.password } },
  });
  return response.status();
}

test("the cleanup removes a run's accounts and organisations, and only what the run recorded", async ({
  browser,
  baseURL,
  playwright,
}) => {
  const registry = mkdtempSync(path.join(os.tmpdir(), "studio-e2e-runs-"));
  const previous = process.env.E2E_RUNS_DIR;
  // The support functions write where E2E_RUNS_DIR says: this test's records stay out of the run's own.
  process.env.E2E_RUNS_DIR = registry;
  try {
    const owner = newUser("cleanupowner");
    const member = newUser("cleanupmember");
    const ownerPage = await (await browser.newContext({ baseURL: baseURL! })).newPage();
    const memberPage = await (await browser.newContext({ baseURL: baseURL! })).newPage();
    await signUpByApi(ownerPage, owner);
    await signUpByApi(memberPage, member);
    const records = readRun(runId, registry);
    expect(records.map((account) => account.email).sort()).toEqual([member.email, owner.email].sort());
    expect(records.every((account) => account.studio === new URL(baseURL!).origin)).toBe(true);
    expect(readFileSync(path.join(registry, `${runId}.jsonl`), "utf8")).toContain(owner.password);

    // The member joins the owner's personal workspace, then a team the owner makes.
    const join = async () => {
      const { link } = await call<{ link: string }>(
        ownerPage.request,
        "invitations.create",
        { email: member.email, role: "member" },
        baseURL!,
      );
      await call(memberPage.request, "invitations.accept", { token: link.split("/invite/")[1] }, baseURL!);
    };
    await join();
    const teamName = `Cleanup team ${owner.name}`;
    const team = await call<{ id: string }>(
      ownerPage.request,
      "organizations.create",
      { name: teamName },
      baseURL!,
    );
    await join();
    // A live session in the team: the cleanup stops it before deleting the team.
    const session = await call<{ id: string; status: string }>(
      ownerPage.request,
      "sessions.create",
      { environment: "development", provider: "custom", model: "scripted-1" },
      baseURL!,
    );
    expect(session.status).toBe("provisioning");
    // Someone no run recorded, on the same studio: the cleanup never touches them.
    const stranger = newUser("stranger");
    const strangerPage = await (await browser.newContext({ baseURL: baseURL! })).newPage();
    process.env.E2E_RUNS_DIR = mkdtempSync(path.join(os.tmpdir(), "studio-e2e-other-"));
    await signUpByApi(strangerPage, stranger);
    rmSync(process.env.E2E_RUNS_DIR, { recursive: true, force: true });
    process.env.E2E_RUNS_DIR = registry;

    const lines: string[] = [];
    const outcome = await cleanUpRuns({ baseURL: baseURL!, dir: registry, log: (line) => lines.push(line) });

    expect(outcome.failed, lines.join("\n")).toEqual([]);
    expect(outcome.removed.map((account) => account.email).sort()).toEqual(
      [member.email, owner.email].sort(),
    );
    const organizations = outcome.removed.flatMap((account) => account.organizations).sort();
    expect(organizations).toEqual(
      [teamName, `${owner.name}'s workspace`, `${member.name}'s workspace`].sort(),
    );
    expect(lines.join("\n")).toContain(`removed ${owner.email}`);
    // Removed accounts leave the registry: nothing is left of the run.
    expect(recordedRuns(registry)).toEqual([]);

    const anonymous = await playwright.request.newContext({ baseURL: baseURL! });
    expect(await signInStatus(anonymous, owner, baseURL!)).toBe(401);
    expect(await signInStatus(anonymous, member, baseURL!)).toBe(401);
    expect(await signInStatus(anonymous, stranger, baseURL!)).toBe(200);
    // The team is gone: its owner's old cookie signs nobody in, and no one can switch to it.
    const me = await ownerPage.request.get("/api/trpc/auth.me");
    expect(((await me.json()) as { result: { data: { json: unknown } } }).result.data.json).toBeNull();
    const strangerSwitch = await strangerPage.request.post("/api/trpc/organizations.switch", {
      headers: { origin: new URL(baseURL!).origin },
      data: { json: { organizationId: team.id } },
    });
    expect(strangerSwitch.status()).toBe(403);
    await anonymous.dispose();

    // Run again: nothing recorded, nothing to do, nothing failed.
    const again = await cleanUpRuns({ baseURL: baseURL!, dir: registry });
    expect(again).toEqual({ removed: [], absent: [], failed: [], skipped: [] });
  } finally {
    if (previous === undefined) delete process.env.E2E_RUNS_DIR;
    else process.env.E2E_RUNS_DIR = previous;
    rmSync(registry, { recursive: true, force: true });
  }
});

test("the cleanup says what it could not remove and why, keeps it recorded, and takes it next time", async ({
  browser,
  baseURL,
}) => {
  const registry = mkdtempSync(path.join(os.tmpdir(), "studio-e2e-runs-"));
  const previous = process.env.E2E_RUNS_DIR;
  process.env.E2E_RUNS_DIR = registry;
  try {
    const worker = newUser("cleanupkept");
    const workerPage = await (await browser.newContext({ baseURL: baseURL! })).newPage();
    await signUpByApi(workerPage, worker);
    // Someone the run never recorded owns a team; the recorded account works there.
    process.env.E2E_RUNS_DIR = mkdtempSync(path.join(os.tmpdir(), "studio-e2e-other-"));
    const host = newUser("host");
    const hostPage = await (await browser.newContext({ baseURL: baseURL! })).newPage();
    await signUpByApi(hostPage, host);
    rmSync(process.env.E2E_RUNS_DIR, { recursive: true, force: true });
    process.env.E2E_RUNS_DIR = registry;
    const teamName = `Host team ${host.name}`;
    const team = await call<{ id: string }>(
      hostPage.request,
      "organizations.create",
      { name: teamName },
      baseURL!,
    );
    const { link } = await call<{ link: string }>(
      hostPage.request,
      "invitations.create",
      { email: worker.email, role: "member" },
      baseURL!,
    );
    await call(workerPage.request, "invitations.accept", { token: link.split("/invite/")[1] }, baseURL!);
    await call(workerPage.request, "organizations.switch", { organizationId: team.id }, baseURL!);
    const session = await call<{ id: string }>(
      workerPage.request,
      "sessions.create",
      { environment: "development", provider: "custom", model: "scripted-1" },
      baseURL!,
    );
    await call(workerPage.request, "sessions.stop", { sessionId: session.id }, baseURL!);
    // A newer password that does not work (one a test tried), an account never made, another studio.
    recordAccount({ email: worker.email, password: "not the password at all" }, baseURL!, runId, registry);
    const never = newUser("cleanupnever");
    recordAccount(never, baseURL!, "throwaway-absent", registry);
    recordAccount(newUser("elsewhere"), "https://staging.invalid", "throwaway-elsewhere", registry);

    const first = await cleanUpRuns({ baseURL: baseURL!, dir: registry });
    expect(first.removed).toEqual([]);
    expect(first.failed).toEqual([
      {
        email: worker.email,
        runId,
        reason: `Your account cannot be deleted while organisations that stay keep what you made there: 1 session you started in ${teamName}. An owner or admin can replace those keys and credentials; sessions stay with the organisation until it is deleted.`,
      },
    ]);
    expect(first.absent.map((account) => account.email)).toEqual([never.email]);
    expect(first.skipped.map((account) => account.studio)).toEqual(["https://staging.invalid"]);
    expect(recordedRuns(registry)).toEqual([runId, "throwaway-elsewhere"].sort());
    expect(readRun(runId, registry).map((account) => account.email)).toEqual([worker.email]);

    // Once the team's owner deletes it, the next cleanup takes the account.
    await expect
      .poll(
        async () =>
          (
            await hostPage.request.post("/api/trpc/organizations.delete", {
              headers: { origin: new URL(baseURL!).origin },
              data: { json: { organizationId: team.id, confirmName: teamName } },
            })
          ).status(),
        { timeout: 60_000, message: "the stopped session's sandbox comes down, then the team can go" },
      )
      .toBe(200);
    const second = await cleanUpRuns({ baseURL: baseURL!, dir: registry, runId });
    expect(second.failed).toEqual([]);
    expect(second.removed).toEqual([
      { email: worker.email, runId, organizations: [`${worker.name}'s workspace`] },
    ]);
    expect(recordedRuns(registry)).toEqual(["throwaway-elsewhere"]);
  } finally {
    if (previous === undefined) delete process.env.E2E_RUNS_DIR;
    else process.env.E2E_RUNS_DIR = previous;
    rmSync(registry, { recursive: true, force: true });
  }
});
