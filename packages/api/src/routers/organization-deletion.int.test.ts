// organizations.delete: an owner deletes a team organisation with everything it holds, after typing
// its name; refused to anyone else, for a personal workspace, and while sessions still run.
import { rowCounts } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { signUpUser } from "../testing/callers.ts";
import {
  grokSession as grok,
  joinAs,
  nonZero,
  rowsOfOrganization,
  useCreditGrants,
} from "../testing/deletion.ts";
import { caught } from "../testing/errors.ts";

const database = useTestDatabase();
const { grant } = useCreditGrants(database);

describe("organizations.delete", () => {
  it("deletes a team organisation and everything it holds, and nothing of anyone else's", async () => {
    const owner = await signUpUser(database.db, "Owner");
    const member = await signUpUser(database.db, "Member");
    const bystander = await signUpUser(database.db, "Bystander");
    await grant(bystander.personalOrganizationId, "deletion-bystander-grant");
    const team = await (await owner.caller()).organizations.create({ name: "Doomed Robotics" });
    await joinAs(owner, member, "member");
    await (await member.caller()).organizations.switch({ organizationId: team.id });
    const ownerCaller = await owner.caller();
    await grant(team.id, "deletion-team-grant");
    await ownerCaller.keys.set({ provider: "anthropic", apiKey: "sk-ant-doomed-0001" });
    await ownerCaller.apiTokens.create({ name: "ci", expiresInDays: null });
    await ownerCaller.invitations.create({ email: "pending@example.com", role: "member" });
    await ownerCaller.budgets.set({ scope: "organization", limitMicroUsd: 50_000_000 });
    const session = await ownerCaller.sessions.create(grok);
    await ownerCaller.sessions.stop({ sessionId: session.id });
    await database.db.budgetSpendDay.create({
      data: { organizationId: team.id, subject: "org", day: new Date("2026-12-01"), spentMicroUsd: 7n },
    });
    const bystanderBefore = await rowsOfOrganization(database.db, bystander.personalOrganizationId);
    const held = nonZero(await rowsOfOrganization(database.db, team.id));
    expect(Object.keys(held)).toEqual(
      expect.arrayContaining([
        "api_tokens",
        "budget_spend_days",
        "budgets",
        "credit_accounts",
        "invitations",
        "ledger_daily_totals",
        "ledger_entries",
        "memberships",
        "provider_keys",
        "studio_sessions",
      ]),
    );
    const events = await database.db.sessionEvent.count({ where: { sessionId: session.id } });
    expect(events).toBeGreaterThan(0);

    expect(
      await ownerCaller.organizations.delete({ organizationId: team.id, confirmName: " Doomed Robotics " }),
    ).toEqual({
      id: team.id,
      name: "Doomed Robotics",
    });

    expect(nonZero(await rowsOfOrganization(database.db, team.id))).toEqual({});
    expect(await database.db.organization.count({ where: { id: team.id } })).toBe(0);
    expect(await database.db.sessionEvent.count({ where: { sessionId: session.id } })).toBe(0);
    expect(await rowsOfOrganization(database.db, bystander.personalOrganizationId)).toEqual(bystanderBefore);
    // Both people stay, in their own workspaces; the member's browser falls back to theirs.
    const memberMe = await (await member.caller()).auth.me();
    expect(memberMe?.activeOrganization?.id).toBe(member.personalOrganizationId);
    expect(memberMe?.organizations.map((o) => o.id)).toEqual([member.personalOrganizationId]);
    expect((await (await owner.caller()).auth.me())?.activeOrganization?.id).toBe(
      owner.personalOrganizationId,
    );
  });

  it("refuses anyone but an owner, a wrong name and a personal workspace, deleting nothing", async () => {
    const owner = await signUpUser(database.db, "Careful");
    const admin = await signUpUser(database.db, "Admin");
    const stranger = await signUpUser(database.db, "Stranger");
    const team = await (await owner.caller()).organizations.create({ name: "Kept Ltd" });
    await joinAs(owner, admin, "admin");
    const before = await rowCounts(database.db);
    const confirmName = "Kept Ltd";

    const notOwner = await caught(
      (await admin.caller()).organizations.delete({ organizationId: team.id, confirmName }),
    );
    expect([notOwner.code, notOwner.message]).toEqual([
      "FORBIDDEN",
      "Only the organisation's owners can delete it.",
    ]);
    const outsider = await caught(
      (await stranger.caller()).organizations.delete({ organizationId: team.id, confirmName }),
    );
    expect([outsider.code, outsider.message]).toEqual(["NOT_FOUND", "Organisation not found."]);
    const ownerCaller = await owner.caller();
    for (const typed of ["kept ltd", "Kept", team.slug, "Kept Ltd'; DROP TABLE organizations; --"]) {
      const wrong = await caught(
        ownerCaller.organizations.delete({ organizationId: team.id, confirmName: typed }),
      );
      expect([wrong.code, wrong.message]).toEqual([
        "BAD_REQUEST",
        "Type the organisation's name, Kept Ltd, exactly as shown to confirm.",
      ]);
    }
    const personal = await caught(
      ownerCaller.organizations.delete({
        organizationId: owner.personalOrganizationId,
        confirmName: "Careful's workspace",
      }),
    );
    expect(personal.code).toBe("BAD_REQUEST");
    expect(personal.message).toMatch(/^This is your personal workspace: it is deleted with your account/);
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it("refuses while sessions are live or still shutting down, saying how many", async () => {
    const owner = await signUpUser(database.db, "Busy");
    const team = await (await owner.caller()).organizations.create({ name: "Busy Bees" });
    await grant(team.id, "deletion-busy-grant");
    const caller = await owner.caller();
    const first = await caller.sessions.create(grok);
    const second = await caller.sessions.create(grok);
    const input = { organizationId: team.id, confirmName: "Busy Bees" };

    const live = await caught(caller.organizations.delete(input));
    expect([live.code, live.message]).toEqual([
      "CONFLICT",
      "Busy Bees has 2 live sessions (starting, ready, working or idle). Stop them first, then delete the organisation.",
    ]);
    await caller.sessions.stop({ sessionId: first.id });
    const one = await caught(caller.organizations.delete(input));
    expect(one.message).toBe(
      "Busy Bees has 1 live session (starting, ready, working or idle). Stop it first, then delete the organisation.",
    );
    await caller.sessions.stop({ sessionId: second.id });
    // Stopped, but a runner still holds it while it takes the sandbox down.
    await database.db.studioSession.update({
      where: { id: second.id },
      data: { runnerId: "replica-1", runnerLeaseExpiresAt: new Date(Date.now() + 60_000) },
    });
    const stopping = await caught(caller.organizations.delete(input));
    expect([stopping.code, stopping.message]).toEqual([
      "CONFLICT",
      "Busy Bees has 1 session still shutting down its sandbox. Try again in a few seconds.",
    ]);
    expect(await database.db.studioSession.count({ where: { organizationId: team.id } })).toBe(2);
    // A lease that lapsed (its replica died) holds nothing: the sandbox is the boot sweep's.
    await database.db.studioSession.update({
      where: { id: second.id },
      data: { runnerLeaseExpiresAt: new Date(Date.now() - 1_000) },
    });
    await caller.organizations.delete(input);
    expect(await database.db.studioSession.count({ where: { organizationId: team.id } })).toBe(0);
  });
});
