// Every procedure of the API, checked two ways: bad input answers a typed BAD_REQUEST and writes
// nothing; a caller from another organisation is refused or sees none of this organisation's data.
// A procedure added without a row in testing/bad-inputs.ts fails the first test.
import { rowCounts } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import type { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "./router.ts";
import { badInput, NO_INPUT } from "./testing/bad-inputs.ts";
import {
  anonymousCaller,
  freeGrok4Price,
  signUpUser,
  type TestUser,
  tokenCaller,
} from "./testing/callers.ts";
import { caught } from "./testing/errors.ts";

const database = useTestDatabase();

async function expectCode(promise: Promise<unknown>, code: TRPCError["code"]) {
  expect((await caught(promise, `expected ${code}`)).code).toBe(code);
}

describe("every procedure", () => {
  let alice: TestUser;
  let mallory: TestUser;

  beforeAll(async () => {
    // The studio's first account: its platform admin (see platform.int.test.ts).
    alice = await signUpUser(database.db, "Alice");
    mallory = await signUpUser(database.db, "Mallory");
  });

  it("is listed in this file", () => {
    expect(Object.keys(appRouter._def.procedures).sort()).toEqual(Object.keys(badInput).sort());
  });

  for (const [path, call] of Object.entries(badInput)) {
    if (call === NO_INPUT) continue;
    it(`${path} answers bad input with BAD_REQUEST and writes nothing`, async () => {
      const caller = await alice.caller();
      const before = await rowCounts(database.db);
      await expectCode(call(caller), "BAD_REQUEST");
      expect(await rowCounts(database.db)).toEqual(before);
    });
  }

  describe("refuses a caller from another organisation", () => {
    let invitationId: string;
    let tokenId: string;
    let bob: TestUser;

    beforeAll(async () => {
      const aliceCaller = await alice.caller();
      bob = await signUpUser(database.db, "Bob");
      const invite = await aliceCaller.invitations.create({ email: bob.email, role: "member" });
      await (await bob.caller()).invitations.accept({ token: invite.link.split("/invite/")[1]! });
      const pending = await aliceCaller.invitations.create({ email: "carol@example.com", role: "member" });
      invitationId = pending.invitation.id;
      tokenId = (await aliceCaller.apiTokens.create({ name: "ci", expiresInDays: null })).summary.id;
      await aliceCaller.platform.changeCredits({
        organizationId: alice.personalOrganizationId,
        kind: "grant",
        amountUsd: "10",
        reason: "sessions in these tests",
        requestId: "procedures-grant",
      });
      await aliceCaller.keys.set({ provider: "anthropic", apiKey: "sk-ant-PLANTED-alice-0001" });
    });

    it("keys and credits of another organisation are neither visible nor usable", async () => {
      const caller = await mallory.caller();
      // Alice's grant is in her ledger; Mallory's organisation ledger is empty, whatever she filters by.
      expect((await caller.usage.totals({ filter: { scope: "organization" } })).count).toBe(0n);
      expect(
        (await caller.usage.entries({ filter: { scope: "organization", userId: alice.id }, limit: 50 }))
          .entries,
      ).toEqual([]);
      expect((await (await alice.caller()).usage.totals({ filter: { scope: "organization" } })).count).toBe(
        1n,
      );
      expect(await caller.keys.list()).toEqual([]);
      await expectCode(caller.keys.remove({ provider: "anthropic" }), "NOT_FOUND");
      expect(await caller.keys.test({ provider: "anthropic" })).toEqual({
        ok: false,
        message: "No key is stored for this provider.",
      });
      expect((await caller.billing.balance()).balanceMicroUsd).toBe(0n);
      expect(
        (await caller.billing.prices()).every(
          (price) => price.organizationId !== alice.personalOrganizationId,
        ),
      ).toBe(true);
      const aliceCaller = await alice.caller();
      expect((await aliceCaller.keys.list()).map((key) => key.provider)).toEqual(["anthropic"]);
      expect((await aliceCaller.billing.balance()).balanceMicroUsd).toBe(10_000_000n);
    });

    it("key and credit management by a plain member of the organisation", async () => {
      const bobCaller = await bob.caller();
      await bobCaller.organizations.switch({ organizationId: alice.personalOrganizationId });
      const before = await rowCounts(database.db);
      await expectCode(bobCaller.keys.list(), "FORBIDDEN");
      await expectCode(
        bobCaller.keys.set({ provider: "xai", apiKey: "xai-member-attempt-123" }),
        "FORBIDDEN",
      );
      await expectCode(bobCaller.keys.remove({ provider: "anthropic" }), "FORBIDDEN");
      await expectCode(bobCaller.keys.test({ provider: "anthropic" }), "FORBIDDEN");
      await expectCode(
        bobCaller.platform.changeCredits({
          organizationId: alice.personalOrganizationId,
          kind: "grant",
          amountUsd: "1000",
          reason: "for me",
          requestId: "member-grant",
        }),
        "FORBIDDEN",
      );
      await expectCode(bobCaller.alerts.webhook(), "FORBIDDEN");
      await expectCode(
        bobCaller.alerts.setWebhook({ url: "https://attacker.example.com/hook" }),
        "FORBIDDEN",
      );
      await expectCode(bobCaller.alerts.removeWebhook(), "FORBIDDEN");
      await expectCode(bobCaller.alerts.testWebhook(), "FORBIDDEN");
      await expectCode(bobCaller.alerts.deliveries({ limit: 10 }), "FORBIDDEN");
      await expectCode(bobCaller.platform.listPrices(), "FORBIDDEN");
      await expectCode(bobCaller.platform.setPrice(freeGrok4Price(null)), "FORBIDDEN");
      await expectCode(
        bobCaller.platform.setPrice(freeGrok4Price(alice.personalOrganizationId)),
        "FORBIDDEN",
      );
      expect(await rowCounts(database.db)).toEqual(before);
      // The balance is no secret to members: it explains refused sessions.
      expect((await bobCaller.billing.balance()).balanceMicroUsd).toBe(10_000_000n);
      // The ledger: a member sees their own entries only; the organisation's views are refused.
      const everyone = { filter: { scope: "organization" as const } };
      await expectCode(bobCaller.usage.entries(everyone), "FORBIDDEN");
      await expectCode(bobCaller.usage.totals(everyone), "FORBIDDEN");
      await expectCode(bobCaller.usage.summary({ ...everyone, groupBy: "user" }), "FORBIDDEN");
      expect((await bobCaller.usage.totals({ filter: { scope: "mine" } })).count).toBe(0n);
    });

    it("alerts: another organisation's webhook is neither visible, testable nor removable", async () => {
      const aliceCaller = await alice.caller();
      await aliceCaller.alerts.setWebhook({ url: "https://hooks.example.com/services/alice" });
      await aliceCaller.alerts.testWebhook();
      const caller = await mallory.caller();
      const before = await rowCounts(database.db);
      expect(await caller.alerts.webhook()).toBeNull();
      expect(await caller.alerts.deliveries({ limit: 100 })).toEqual({ deliveries: [], nextCursor: null });
      await expectCode(caller.alerts.testWebhook(), "BAD_REQUEST");
      await expectCode(caller.alerts.removeWebhook(), "NOT_FOUND");
      expect(await rowCounts(database.db)).toEqual(before);
      expect((await aliceCaller.alerts.webhook())?.url).toBe("https://hooks.example.com/services/alice");
      expect((await aliceCaller.alerts.deliveries({ limit: 100 })).deliveries).toHaveLength(1);
    });

    it("organizations.switch into an organisation one is not in", async () => {
      const caller = await mallory.caller();
      await expectCode(
        caller.organizations.switch({ organizationId: alice.personalOrganizationId }),
        "FORBIDDEN",
      );
    });

    it("organizations.delete of another organisation, by a plain member, or with an API token", async () => {
      const before = await rowCounts(database.db);
      const organizationId = alice.personalOrganizationId;
      await expectCode(
        (await mallory.caller()).organizations.delete({ organizationId, confirmName: "Alice's workspace" }),
        "NOT_FOUND",
      );
      await expectCode(
        (await bob.caller()).organizations.delete({ organizationId, confirmName: "Alice's workspace" }),
        "FORBIDDEN",
      );
      const token = await (await alice.caller()).apiTokens.create({ name: "deleter", expiresInDays: null });
      const program = await tokenCaller(database.db, token.token);
      await expectCode(
        program.organizations.delete({ organizationId, confirmName: "Alice's workspace" }),
        "FORBIDDEN",
      );
      await expectCode(program.auth.deleteAccount({ password: alice.password }), "FORBIDDEN");
      await (await alice.caller()).apiTokens.revoke({ tokenId: token.summary.id });
      await expectCode(anonymousCaller(database.db).auth.deleteAccount({ password: "x" }), "UNAUTHORIZED");
      await expectCode(
        anonymousCaller(database.db).organizations.delete({ organizationId, confirmName: "x" }),
        "UNAUTHORIZED",
      );
      // Only the token made (and revoked) above was written; nothing of Alice's organisation went.
      expect(await rowCounts(database.db)).toEqual({ ...before, api_tokens: before.api_tokens! + 1 });
      expect((await (await alice.caller()).organizations.current()).id).toBe(organizationId);
    });

    it("members.changeRole / members.remove on someone else's member", async () => {
      const caller = await mallory.caller();
      await expectCode(caller.members.changeRole({ userId: bob.id, role: "admin" }), "NOT_FOUND");
      await expectCode(caller.members.remove({ userId: bob.id }), "NOT_FOUND");
      const members = await (await alice.caller()).members.list();
      expect(members.map((m) => m.email).sort()).toEqual([alice.email, bob.email].sort());
    });

    it("invitations.revoke of another organisation's invitation", async () => {
      await expectCode((await mallory.caller()).invitations.revoke({ invitationId }), "NOT_FOUND");
      const invitations = await (await alice.caller()).invitations.list();
      expect(invitations.find((i) => i.id === invitationId)?.status).toBe("pending");
    });

    it("budgets of another organisation, and by a plain member", async () => {
      const aliceCaller = await alice.caller();
      const { id } = await aliceCaller.budgets.set({ scope: "organization", limitMicroUsd: 50_000_000 });
      const caller = await mallory.caller();
      await expectCode(caller.budgets.remove({ budgetId: id }), "NOT_FOUND");
      await expectCode(
        caller.budgets.set({ scope: "member", userId: bob.id, limitMicroUsd: 1 }),
        "NOT_FOUND",
      );
      expect(await caller.budgets.list()).toEqual([]);
      expect(await caller.budgets.alerts()).toEqual([]);
      expect(await caller.budgets.tokens()).toEqual([]);
      expect((await caller.budgets.members()).map((m) => m.userId)).toEqual([mallory.id]);
      const bobCaller = await bob.caller();
      await bobCaller.organizations.switch({ organizationId: alice.personalOrganizationId });
      await expectCode(bobCaller.budgets.set({ scope: "organization", limitMicroUsd: 0 }), "FORBIDDEN");
      await expectCode(bobCaller.budgets.remove({ budgetId: id }), "FORBIDDEN");
      await expectCode(bobCaller.budgets.list(), "FORBIDDEN");
      await expectCode(bobCaller.budgets.members(), "FORBIDDEN");
      await expectCode(bobCaller.budgets.tokens(), "FORBIDDEN");
      // What covers Bob himself he may see.
      expect((await bobCaller.budgets.mine()).map((b) => b.scope)).toEqual(["organization"]);
      // A hard budget already spent refuses new sessions, saying which.
      await aliceCaller.budgets.set({ scope: "organization", limitMicroUsd: 0 });
      const refused = await caught(
        aliceCaller.sessions.create({ environment: "development", provider: "xai", model: "grok-4-1-fast" }),
        "expected PAYMENT_REQUIRED",
      );
      expect(refused.code).toBe("PAYMENT_REQUIRED");
      expect(refused.message).toMatch(
        /^The organisation's monthly budget of \$0\.00 is spent\. It resets on .+ \(UTC\)\.$/,
      );
      await aliceCaller.budgets.remove({ budgetId: id });
      // A program's session carries its token, whose budget then covers its calls.
      const program = await aliceCaller.apiTokens.create({ name: "budgeted", expiresInDays: null });
      const started = await (await tokenCaller(database.db, program.token)).sessions.create({
        environment: "development",
        provider: "xai",
        model: "grok-4-1-fast",
      });
      const row = await database.db.studioSession.findUniqueOrThrow({ where: { id: started.id } });
      expect(row.apiTokenId).toBe(program.summary.id);
      expect((await aliceCaller.budgets.tokens()).map((t) => t.id)).toContain(program.summary.id);
    });

    it("apiTokens.revoke of another user's token", async () => {
      await expectCode((await mallory.caller()).apiTokens.revoke({ tokenId }), "NOT_FOUND");
      await expectCode((await bob.caller()).apiTokens.revoke({ tokenId }), "NOT_FOUND");
    });

    it("list and read procedures show only the caller's own organisation", async () => {
      const caller = await mallory.caller();
      expect((await caller.members.list()).map((m) => m.email)).toEqual([mallory.email]);
      expect(await caller.invitations.list()).toEqual([]);
      expect(await caller.apiTokens.list()).toEqual([]);
      expect((await caller.organizations.current()).id).toBe(mallory.personalOrganizationId);
      expect((await caller.organizations.list()).map((o) => o.id)).toEqual([mallory.personalOrganizationId]);
    });

    it("organizations.update and member management by a plain member of the organisation", async () => {
      const bobCaller = await bob.caller();
      await bobCaller.organizations.switch({ organizationId: alice.personalOrganizationId });
      await expectCode(bobCaller.organizations.update({ name: "Taken over" }), "FORBIDDEN");
      await expectCode(bobCaller.members.changeRole({ userId: alice.id, role: "member" }), "FORBIDDEN");
      await expectCode(bobCaller.members.remove({ userId: alice.id }), "FORBIDDEN");
      await expectCode(bobCaller.invitations.create({ email: "x@example.com", role: "member" }), "FORBIDDEN");
      await expectCode(bobCaller.invitations.list(), "FORBIDDEN");
      await expectCode(bobCaller.invitations.revoke({ invitationId }), "FORBIDDEN");
    });

    it("every sessions procedure on another organisation's session", async () => {
      const session = await (await alice.caller()).sessions.create({
        environment: "development",
        provider: "xai",
        model: "grok-4-1-fast",
      });
      const sessionId = session.id;
      const caller = await mallory.caller();
      const before = await rowCounts(database.db);
      await expectCode(caller.sessions.get({ sessionId }), "NOT_FOUND");
      await expectCode(caller.sessions.sendMessage({ sessionId, text: "hello" }), "NOT_FOUND");
      await expectCode(caller.sessions.cancel({ sessionId }), "NOT_FOUND");
      await expectCode(caller.sessions.keepalive({ sessionId }), "NOT_FOUND");
      await expectCode(caller.sessions.stop({ sessionId }), "NOT_FOUND");
      await expectCode(caller.sessions.resume({ sessionId }), "NOT_FOUND");
      await expectCode(caller.sessions.suggestedCommitMessage({ sessionId }), "NOT_FOUND");
      await expectCode(caller.sessions.commitAndPush({ sessionId, message: "take it" }), "NOT_FOUND");
      await expectCode(caller.workspace.list({ sessionId, path: "" }), "NOT_FOUND");
      await expectCode(caller.workspace.file({ sessionId, path: "README.md" }), "NOT_FOUND");
      await expectCode(caller.workspace.changes({ sessionId }), "NOT_FOUND");
      await expectCode(caller.workspace.diff({ sessionId, path: "README.md" }), "NOT_FOUND");
      await expectCode(caller.terminals.list({ sessionId }), "NOT_FOUND");
      await expectCode(caller.terminals.open({ sessionId }), "NOT_FOUND");
      await expectCode(caller.terminals.rename({ sessionId, terminalId: "t", name: "x" }), "NOT_FOUND");
      await expectCode(caller.terminals.close({ sessionId, terminalId: "t" }), "NOT_FOUND");
      await expectCode(caller.previews.ports({ sessionId }), "NOT_FOUND");
      await expectCode(caller.previews.share({ sessionId, port: 3000 }), "NOT_FOUND");
      // The owner's session has no running sandbox yet: a clear CONFLICT, not a sandbox error.
      await expectCode((await alice.caller()).previews.ports({ sessionId }), "CONFLICT");
      await expectCode(
        caller.sessions.respondToPermission({ sessionId, interactionId: "i", optionId: "once" }),
        "NOT_FOUND",
      );
      await expectCode(
        caller.sessions.answerQuestion({ sessionId, interactionId: "i", answers: null }),
        "NOT_FOUND",
      );
      await expectCode(
        caller.sessions.events({ sessionId }).then((events) => events[Symbol.asyncIterator]().next()),
        "NOT_FOUND",
      );
      expect(await caller.sessions.pendingInteractions({ sessionId })).toEqual([]);
      expect((await caller.sessions.list({})).sessions).toEqual([]);
      expect(await rowCounts(database.db)).toEqual(before);
    });

    it("anonymous callers on every authenticated procedure", async () => {
      const anon = anonymousCaller(database.db);
      await expectCode(anon.members.list(), "UNAUTHORIZED");
      await expectCode(anon.organizations.current(), "UNAUTHORIZED");
      await expectCode(anon.apiTokens.list(), "UNAUTHORIZED");
      await expectCode(anon.keys.list(), "UNAUTHORIZED");
      await expectCode(anon.billing.balance(), "UNAUTHORIZED");
      await expectCode(anon.platform.organizations({}), "UNAUTHORIZED");
      await expectCode(anon.platform.listPrices(), "UNAUTHORIZED");
      await expectCode(anon.invitations.accept({ token: "a".repeat(32) }), "UNAUTHORIZED");
      await expectCode(anon.auth.signOutEverywhere(), "UNAUTHORIZED");
      await expectCode(anon.alerts.webhook(), "UNAUTHORIZED");
      await expectCode(anon.budgets.mine(), "UNAUTHORIZED");
      expect(await anon.auth.me()).toBeNull();
    });
  });
});
