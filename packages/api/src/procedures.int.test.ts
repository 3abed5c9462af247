// Every procedure of the API, checked two ways: bad input answers a typed BAD_REQUEST and writes
// nothing; a caller from another organisation is refused or sees none of this organisation's data.
// A procedure added without a row here fails the first test.
import { rowCounts } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import type { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "./router.ts";
import {
  anonymousCaller,
  freeGrok4Price,
  signUpUser,
  type TestUser,
  tokenCaller,
} from "./testing/callers.ts";
import { caught } from "./testing/errors.ts";

const database = useTestDatabase();

type Caller = Awaited<ReturnType<TestUser["caller"]>>;
type Call = (caller: Caller) => Promise<unknown>;

const NO_INPUT = "takes no input" as const;

// One invalid input per procedure; `as never` because the point is to pass what the types forbid.
const badInput: Record<string, Call | typeof NO_INPUT> = {
  "auth.signUp": (c) => c.auth.signUp({ name: "", email: "not-an-email", password: "short" }),
  "auth.signIn": (c) => c.auth.signIn({ email: "nope", password: "" }),
  "auth.signOut": NO_INPUT,
  "auth.signUpPolicy": NO_INPUT,
  "auth.signOutEverywhere": NO_INPUT,
  "auth.me": NO_INPUT,
  "auth.account": NO_INPUT,
  "auth.updateProfile": (c) => c.auth.updateProfile({ name: "   " }),
  "auth.changePassword": (c) => c.auth.changePassword({ currentPassword: "", newPassword: "short" }),
  "auth.deleteAccount": (c) => c.auth.deleteAccount({ password: "" }),
  "organizations.list": NO_INPUT,
  "organizations.current": NO_INPUT,
  "organizations.create": (c) => c.organizations.create({ name: "x" }),
  "organizations.switch": (c) => c.organizations.switch({ organizationId: "" }),
  "organizations.update": (c) => c.organizations.update({ idleTimeoutMinutes: 0 }),
  "organizations.delete": (c) =>
    c.organizations.delete({ organizationId: "x".repeat(65), confirmName: "  " }),
  "members.list": NO_INPUT,
  "members.changeRole": (c) => c.members.changeRole({ userId: "u", role: "superuser" as never }),
  "members.remove": (c) => c.members.remove({ userId: 42 as never }),
  "members.leave": NO_INPUT,
  "invitations.list": NO_INPUT,
  "invitations.create": (c) => c.invitations.create({ email: "nobody", role: "member" }),
  "invitations.revoke": (c) => c.invitations.revoke({ invitationId: "" }),
  "invitations.preview": (c) => c.invitations.preview({ token: "../../etc/passwd" }),
  "invitations.accept": (c) => c.invitations.accept({ token: "short" }),
  "apiTokens.list": NO_INPUT,
  "apiTokens.create": (c) => c.apiTokens.create({ name: "", expiresInDays: 9999 }),
  "apiTokens.revoke": (c) => c.apiTokens.revoke({ tokenId: "" }),
  "sessions.catalog": NO_INPUT,
  "sessions.create": (c) =>
    c.sessions.create({ environment: "staging" as never, provider: "xai", model: "" }),
  "sessions.list": (c) => c.sessions.list({ limit: 0 }),
  "sessions.get": (c) => c.sessions.get({ sessionId: "" }),
  "sessions.pendingInteractions": (c) => c.sessions.pendingInteractions({ sessionId: "" }),
  "sessions.sendMessage": (c) => c.sessions.sendMessage({ sessionId: "s", text: "   " }),
  "sessions.cancel": (c) => c.sessions.cancel({ sessionId: "" }),
  "sessions.respondToPermission": (c) =>
    c.sessions.respondToPermission({ sessionId: "s", interactionId: "", optionId: "once" }),
  "sessions.answerQuestion": (c) =>
    c.sessions.answerQuestion({ sessionId: "s", interactionId: "i", answers: "yes" as never }),
  "sessions.keepalive": (c) => c.sessions.keepalive({ sessionId: "" }),
  "sessions.stop": (c) => c.sessions.stop({ sessionId: "" }),
  "sessions.resume": (c) => c.sessions.resume({ sessionId: "" }),
  "sessions.events": (c) => c.sessions.events({ sessionId: "s", lastEventId: "not-a-number" }),
  "sessions.sourceRefs": (c) => c.sessions.sourceRefs({ url: "ssh://git@github.com/acme/widgets.git" }),
  "sessions.recentRepositories": NO_INPUT,
  "sessions.suggestedCommitMessage": (c) => c.sessions.suggestedCommitMessage({ sessionId: "" }),
  "sessions.commitAndPush": (c) => c.sessions.commitAndPush({ sessionId: "s", message: "   " }),
  "keys.list": NO_INPUT,
  "keys.set": (c) => c.keys.set({ provider: "custom", baseUrl: "ftp://models.internal" }),
  "keys.remove": (c) => c.keys.remove({ provider: "nope" as never }),
  "keys.test": (c) => c.keys.test({ provider: "" as never }),
  "gitCredentials.list": NO_INPUT,
  "gitCredentials.set": (c) => c.gitCredentials.set({ host: "file:///etc", token: "ghp_PLANTED_0001" }),
  "gitCredentials.remove": (c) => c.gitCredentials.remove({ host: "github.com/acme" }),
  "gitCredentials.test": (c) =>
    c.gitCredentials.test({ host: "github.com", repositoryUrl: "ssh://git@github.com/acme/widgets.git" }),
  "billing.balance": NO_INPUT,
  "billing.prices": NO_INPUT,
  "usage.entries": (c) => c.usage.entries({ filter: { scope: "everyone" as never }, limit: 10 }),
  "usage.totals": (c) =>
    c.usage.totals({ filter: { from: new Date("2026-02-01"), to: new Date("2026-01-01") } }),
  "usage.summary": (c) => c.usage.summary({ filter: {}, groupBy: "week" as never }),
  "platform.organizations": (c) => c.platform.organizations({ search: "x".repeat(101) }),
  "platform.changeCredits": (c) =>
    c.platform.changeCredits({
      organizationId: "o",
      kind: "grant",
      amountUsd: "1.2345678",
      reason: "x",
      requestId: "short",
    }),
  "platform.listPrices": NO_INPUT,
  "platform.setPrice": (c) =>
    c.platform.setPrice({
      organizationId: "o",
      provider: "xai",
      model: "",
      inputPerMTok: "-1",
      outputPerMTok: "1.5",
      cachedInputPerMTok: "0",
    }),
  "workspace.list": (c) => c.workspace.list({ sessionId: "s", path: "../etc" }),
  "workspace.file": (c) => c.workspace.file({ sessionId: "s", path: "/etc/passwd" }),
  "workspace.changes": (c) => c.workspace.changes({ sessionId: "" }),
  "workspace.diff": (c) => c.workspace.diff({ sessionId: "s", path: "a/../../b" }),
  "terminals.list": (c) => c.terminals.list({ sessionId: "" }),
  "terminals.open": (c) => c.terminals.open({ sessionId: "s", size: { cols: 9999, rows: 24 } }),
  "terminals.rename": (c) => c.terminals.rename({ sessionId: "s", terminalId: "t", name: "  " }),
  "terminals.close": (c) => c.terminals.close({ sessionId: "s", terminalId: 7 as never }),
  "previews.ports": (c) => c.previews.ports({ sessionId: "x".repeat(65) }),
  "previews.share": (c) => c.previews.share({ sessionId: "s", port: 3000, expiresInMinutes: 60 * 24 * 8 }),
  "budgets.list": NO_INPUT,
  "budgets.mine": NO_INPUT,
  "budgets.members": NO_INPUT,
  "budgets.alerts": NO_INPUT,
  "budgets.tokens": NO_INPUT,
  "budgets.set": (c) => c.budgets.set({ scope: "member", limitMicroUsd: 5 }),
  "budgets.remove": (c) => c.budgets.remove({ budgetId: "" }),
  "alerts.webhook": NO_INPUT,
  "alerts.setWebhook": (c) => c.alerts.setWebhook({ url: "ftp://hooks.example.com/x" }),
  "alerts.removeWebhook": NO_INPUT,
  "alerts.testWebhook": NO_INPUT,
  "alerts.deliveries": (c) => c.alerts.deliveries({ limit: 0 }),
};

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
