// auth.deleteAccount: a person deletes their own account, confirming with their password, with the
// organisations only they belong to; refused while others depend on what they would take away.
import { setPlatformAdmin } from "@studio/core";
import { rowCounts } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import {
  anonymousCaller,
  sessionCaller,
  signUpUser,
  type TestUser,
  tokenCaller,
} from "../testing/callers.ts";
import { grokSession, joinAs, nonZero, rowsOfOrganization, useCreditGrants } from "../testing/deletion.ts";
import { caught } from "../testing/errors.ts";

const database = useTestDatabase();
const { grant, platformAdmin: operator } = useCreditGrants(database);

describe("auth.deleteAccount", () => {
  async function signInFails(user: TestUser) {
    const refused = await caught(
      anonymousCaller(database.db).auth.signIn({ email: user.email, password: user.password }),
    );
    expect([refused.code, refused.message]).toEqual(["UNAUTHORIZED", "Wrong email or password."]);
  }

  it("deletes the account, its organisations of one, its sign-ins and tokens, and signs out", async () => {
    const leaving = await signUpUser(database.db, "Leaving");
    const host = await signUpUser(database.db, "Host");
    const solo = await (await leaving.caller()).organizations.create({ name: "Solo Studio" });
    await grant(solo.id, "account-solo-grant");
    // Acting in Solo Studio now (a caller resolves the session's organisation when made).
    const caller = await leaving.caller();
    const session = await caller.sessions.create(grokSession);
    await caller.sessions.stop({ sessionId: session.id });
    await caller.apiTokens.create({ name: "laptop", expiresInDays: null });
    // A member elsewhere, with nothing there that needs them: that organisation stays, without them.
    await joinAs(host, leaving, "member");
    const hostBefore = nonZero(await rowsOfOrganization(database.db, host.personalOrganizationId));
    const { caller: deleting, cookies } = await sessionCaller(database.db, leaving.sessionToken);

    const deleted = await deleting.auth.deleteAccount({ password: leaving.password });

    expect(deleted.deletedOrganizations.map((o) => o.name).sort()).toEqual([
      "Leaving's workspace",
      "Solo Studio",
    ]);
    expect(cookies.token).toBeNull();
    expect(await database.db.user.count({ where: { id: leaving.id } })).toBe(0);
    expect(await database.db.authSession.count({ where: { userId: leaving.id } })).toBe(0);
    expect(await database.db.apiToken.count({ where: { userId: leaving.id } })).toBe(0);
    for (const id of [solo.id, leaving.personalOrganizationId])
      expect(nonZero(await rowsOfOrganization(database.db, id))).toEqual({});
    expect(nonZero(await rowsOfOrganization(database.db, host.personalOrganizationId))).toEqual({
      ...hostBefore,
      memberships: hostBefore.memberships! - 1,
    });
    await signInFails(leaving);
    // The old cookie no longer signs anyone in.
    await expect(sessionCaller(database.db, leaving.sessionToken)).rejects.toThrow(
      "session token is not valid",
    );
  });

  it("refuses a wrong password, and an API token, deleting nothing", async () => {
    const user = await signUpUser(database.db, "Cautious");
    const token = await (await user.caller()).apiTokens.create({ name: "ci", expiresInDays: null });
    const before = await rowCounts(database.db);
    const { caller, cookies } = await sessionCaller(database.db, user.sessionToken);
    const wrong = await caught(caller.auth.deleteAccount({ password: "not my password" }));
    expect([wrong.code, wrong.message]).toEqual(["BAD_REQUEST", "Your password is not correct."]);
    expect(cookies.token).toBeUndefined();
    const program = await tokenCaller(database.db, token.token);
    const byToken = await caught(program.auth.deleteAccount({ password: user.password }));
    expect(byToken.code).toBe("FORBIDDEN");
    // The wrong password counts against the account's sign-in throttle, as on the sign-in page.
    const after = await rowCounts(database.db);
    expect({ ...after, sign_in_throttles: 0 }).toEqual({ ...before, sign_in_throttles: 0 });
    expect(await database.db.user.count({ where: { id: user.id } })).toBe(1);
  });

  it("refuses while they are the only owner of an organisation others use; a co-owner may go", async () => {
    const founder = await signUpUser(database.db, "Founder");
    const colleague = await signUpUser(database.db, "Colleague");
    const team = await (await founder.caller()).organizations.create({ name: "Shared Works" });
    await joinAs(founder, colleague, "member");
    const refused = await caught((await founder.caller()).auth.deleteAccount({ password: founder.password }));
    expect([refused.code, refused.message]).toEqual([
      "CONFLICT",
      "You are the only owner of Shared Works (1 other member). Make someone else an owner there, or delete it, before deleting your account.",
    ]);
    expect(await database.db.organization.count({ where: { id: team.id } })).toBe(1);
    expect(await database.db.user.count({ where: { id: founder.id } })).toBe(1);

    await (await founder.caller()).members.changeRole({ userId: colleague.id, role: "owner" });
    const deleted = await (await founder.caller()).auth.deleteAccount({ password: founder.password });
    expect(deleted.deletedOrganizations.map((o) => o.id)).toEqual([founder.personalOrganizationId]);
    const kept = await database.db.membership.findMany({ where: { organizationId: team.id } });
    expect(kept.map((m) => [m.userId, m.role])).toEqual([[colleague.id, "owner"]]);
  });

  it("refuses while an organisation going with it has live sessions", async () => {
    const busy = await signUpUser(database.db, "Busy");
    await grant(busy.personalOrganizationId, "account-busy-grant");
    const caller = await busy.caller();
    const session = await caller.sessions.create(grokSession);
    const refused = await caught(caller.auth.deleteAccount({ password: busy.password }));
    expect([refused.code, refused.message]).toEqual([
      "CONFLICT",
      "Busy's workspace has 1 live session (starting, ready, working or idle). Stop it first, then delete the organisation.",
    ]);
    expect(await database.db.user.count({ where: { id: busy.id } })).toBe(1);
    await caller.sessions.stop({ sessionId: session.id });
    await caller.auth.deleteAccount({ password: busy.password });
    await signInFails(busy);
  });

  it("refuses while an organisation that stays keeps sessions and keys they made", async () => {
    const owner = await signUpUser(database.db, "Keeper");
    const worker = await signUpUser(database.db, "Worker");
    await joinAs(owner, worker, "admin");
    await grant(owner.personalOrganizationId, "account-keeper-grant");
    const workerCaller = await worker.caller();
    await workerCaller.organizations.switch({ organizationId: owner.personalOrganizationId });
    const session = await (await worker.caller()).sessions.create(grokSession);
    await (await worker.caller()).sessions.stop({ sessionId: session.id });
    await (await worker.caller()).keys.set({ provider: "anthropic", apiKey: "sk-ant-worker-0001" });
    const refused = await caught((await worker.caller()).auth.deleteAccount({ password: worker.password }));
    expect([refused.code, refused.message]).toEqual([
      "CONFLICT",
      "Your account cannot be deleted while organisations that stay keep what you made there: 1 session you started in Keeper's workspace; 1 provider key you added to Keeper's workspace. An owner or admin can replace those keys and credentials; sessions stay with the organisation until it is deleted.",
    ]);
    expect(await database.db.user.count({ where: { id: worker.id } })).toBe(1);
    expect(await database.db.organization.count({ where: { id: worker.personalOrganizationId } })).toBe(1);
  });

  it("never leaves the studio without a platform admin", async () => {
    const refused = await caught(
      (await operator().caller()).auth.deleteAccount({ password: operator().password }),
    );
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toMatch(
      /^You are the studio's only platform admin\. Make someone else one first/,
    );
    expect(await database.db.user.count({ where: { id: operator().id } })).toBe(1);

    const successor = await signUpUser(database.db, "Successor");
    await setPlatformAdmin(database.db, successor.email, true);
    await (await operator().caller()).auth.deleteAccount({ password: operator().password });
    await signInFails(operator());
    // Now the successor is the last one.
    const last = await caught(
      (await successor.caller()).auth.deleteAccount({ password: successor.password }),
    );
    expect(last.code).toBe("CONFLICT");
  });
});
