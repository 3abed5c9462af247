import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { anonymousCaller, signUpUser, type TestUser } from "../testing/callers.ts";

const database = useTestDatabase();

async function inviteAndAccept(inviter: TestUser, invitee: TestUser, role: "owner" | "admin" | "member") {
  const { link } = await (await inviter.caller()).invitations.create({ email: invitee.email, role });
  const token = link.split("/invite/")[1]!;
  return (await invitee.caller()).invitations.accept({ token });
}

describe("organisations", () => {
  it("creates a team organisation, switches between organisations and remembers the choice", async () => {
    const user = await signUpUser(database.db, "Switcher");
    const caller = await user.caller();
    const team = await caller.organizations.create({ name: "Acme Robotics" });
    expect(team.slug).toMatch(/^acme-robotics-/);
    expect((await (await user.caller()).organizations.current()).id).toBe(team.id);
    await (await user.caller()).organizations.switch({ organizationId: user.personalOrganizationId });
    const me = await (await user.caller()).auth.me();
    expect(me?.activeOrganization?.id).toBe(user.personalOrganizationId);
    expect(me?.organizations.map((o) => o.name)).toEqual(["Switcher's workspace", "Acme Robotics"]);
  });

  it("lets managers change settings", async () => {
    const owner = await signUpUser(database.db);
    const updated = await (await owner.caller()).organizations.update({
      name: "Renamed",
      idleTimeoutMinutes: 30,
      toolPermissions: "allow",
      terminalWatching: true,
    });
    expect(updated).toMatchObject({
      name: "Renamed",
      idleTimeoutMinutes: 30,
      toolPermissions: "allow",
      terminalWatching: true,
    });
    // Off by default: a session's terminals are its creator's and the managers'.
    const other = await signUpUser(database.db);
    expect(await (await other.caller()).organizations.current()).toMatchObject({ terminalWatching: false });
    await expect((await owner.caller()).organizations.update({})).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("organisation limits and time zone", () => {
  it("start at UTC and the studio's defaults, round-trip, and reset to the defaults with null", async () => {
    const owner = await signUpUser(database.db);
    const caller = await owner.caller();
    expect(await caller.organizations.current()).toMatchObject({
      timeZone: "UTC",
      callsPerMinute: null,
      memberCallsPerMinute: null,
      maxLiveSessions: null,
      maxLiveSessionsPerMember: null,
    });
    const limits = {
      callsPerMinute: 600,
      memberCallsPerMinute: 60,
      maxLiveSessions: 20,
      maxLiveSessionsPerMember: 3,
    };
    // The runtime's own spelling is kept, whatever case it was given in.
    const updated = await caller.organizations.update({ timeZone: "europe/paris", ...limits });
    expect(updated).toMatchObject({ timeZone: "Europe/Paris", ...limits });
    expect(await (await owner.caller()).organizations.current()).toMatchObject({
      timeZone: "Europe/Paris",
      ...limits,
    });
    // Only what is named changes; null gives the organisation the studio's default back.
    const reset = await caller.organizations.update({ callsPerMinute: null, maxLiveSessionsPerMember: null });
    expect(reset).toMatchObject({
      timeZone: "Europe/Paris",
      callsPerMinute: null,
      memberCallsPerMinute: 60,
      maxLiveSessions: 20,
      maxLiveSessionsPerMember: null,
    });
    const row = await database.db.organization.findUniqueOrThrow({
      where: { id: owner.personalOrganizationId },
    });
    expect(row).toMatchObject({ timeZone: "Europe/Paris", callsPerMinute: null, memberCallsPerMinute: 60 });
  });

  it("refuse unknown zones, offsets and limits out of range, changing nothing", async () => {
    const owner = await signUpUser(database.db);
    const caller = await owner.caller();
    for (const timeZone of ["Mars/Olympus_Mons", "+05:30", "", "Europe/Paris\u0000", "x".repeat(200)])
      await expect(caller.organizations.update({ timeZone })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.organizations.update({ timeZone: "Mars/Olympus_Mons" })).rejects.toThrow(
      /Unknown time zone/,
    );
    for (const value of [0, -1, 2.5, 1_000_001, Number.NaN])
      for (const field of [
        "callsPerMinute",
        "memberCallsPerMinute",
        "maxLiveSessions",
        "maxLiveSessionsPerMember",
      ])
        await expect(caller.organizations.update({ [field]: value })).rejects.toMatchObject({
          code: "BAD_REQUEST",
        });
    expect(await caller.organizations.current()).toMatchObject({
      timeZone: "UTC",
      callsPerMinute: null,
      maxLiveSessions: null,
    });
  });

  it("may be changed by owners and admins only, and only in their own organisation", async () => {
    const owner = await signUpUser(database.db);
    const team = await (await owner.caller()).organizations.create({ name: "Limits Team" });
    const admin = await signUpUser(database.db);
    const member = await signUpUser(database.db);
    await inviteAndAccept(owner, admin, "admin");
    await inviteAndAccept(owner, member, "member");
    await (await admin.caller()).organizations.switch({ organizationId: team.id });
    await (await member.caller()).organizations.switch({ organizationId: team.id });
    await expect(
      (await member.caller()).organizations.update({ maxLiveSessions: 1000, timeZone: "Asia/Tokyo" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await (await admin.caller()).organizations.update({ maxLiveSessions: 5 })).toMatchObject({
      id: team.id,
      maxLiveSessions: 5,
    });
    // Another organisation's owner changes only their own.
    const stranger = await signUpUser(database.db);
    await (await stranger.caller()).organizations.update({ maxLiveSessions: 1 });
    expect(await database.db.organization.findUniqueOrThrow({ where: { id: team.id } })).toMatchObject({
      maxLiveSessions: 5,
      timeZone: "UTC",
    });
  });
});

describe("invitations", () => {
  it("shows a preview to anyone with the link and lets the invited address join", async () => {
    const owner = await signUpUser(database.db, "Owner");
    const invitee = await signUpUser(database.db, "Invitee");
    const { link, invitation } = await (await owner.caller()).invitations.create({
      email: invitee.email.toUpperCase(),
      role: "admin",
    });
    expect(link).toMatch(/^http:\/\/studio\.test\/invite\/[a-z2-7]{32}$/);
    expect(invitation).toMatchObject({
      email: invitee.email,
      role: "admin",
      status: "pending",
      invitedBy: "Owner",
    });
    const token = link.split("/invite/")[1]!;
    const preview = await anonymousCaller(database.db).invitations.preview({ token });
    expect(preview).toEqual({
      organizationName: "Owner's workspace",
      invitedBy: "Owner",
      email: invitee.email,
      role: "admin",
      status: "pending",
    });

    const { organizationId } = await (await invitee.caller()).invitations.accept({ token });
    expect(organizationId).toBe(owner.personalOrganizationId);
    // Accepting switches the invitee's browser session into the organisation.
    expect((await (await invitee.caller()).organizations.current()).id).toBe(owner.personalOrganizationId);
    const members = await (await owner.caller()).members.list();
    expect(members.map((m) => [m.email, m.role])).toEqual([
      [owner.email, "owner"],
      [invitee.email, "admin"],
    ]);
    await expect((await invitee.caller()).invitations.accept({ token })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect((await anonymousCaller(database.db).invitations.preview({ token })).status).toBe("accepted");
  });

  it("is bound to the address it was sent to", async () => {
    const owner = await signUpUser(database.db);
    const stranger = await signUpUser(database.db);
    const { link } = await (await owner.caller()).invitations.create({
      email: "someone@example.com",
      role: "member",
    });
    await expect(
      (await stranger.caller()).invitations.accept({ token: link.split("/invite/")[1]! }),
    ).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("someone@example.com") });
  });

  it("cannot be used once revoked or expired, and a new one replaces a pending one", async () => {
    const owner = await signUpUser(database.db);
    const invitee = await signUpUser(database.db);
    const caller = await owner.caller();
    const first = await caller.invitations.create({ email: invitee.email, role: "member" });
    const second = await caller.invitations.create({ email: invitee.email, role: "member" });
    const statuses = Object.fromEntries((await caller.invitations.list()).map((i) => [i.id, i.status]));
    expect(statuses).toEqual({ [first.invitation.id]: "revoked", [second.invitation.id]: "pending" });
    await caller.invitations.revoke({ invitationId: second.invitation.id });
    const inviteeCaller = await invitee.caller();
    await expect(
      inviteeCaller.invitations.accept({ token: second.link.split("/invite/")[1]! }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: "This invitation is revoked. Ask for a new one." });

    const third = await caller.invitations.create({ email: invitee.email, role: "member" });
    await database.db.invitation.update({
      where: { id: third.invitation.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await expect(
      inviteeCaller.invitations.accept({ token: third.link.split("/invite/")[1]! }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: "This invitation is expired. Ask for a new one." });
  });

  it("refuses inviting an existing member, and admins cannot invite owners", async () => {
    const owner = await signUpUser(database.db);
    const admin = await signUpUser(database.db);
    await inviteAndAccept(owner, admin, "admin");
    await expect(
      (await owner.caller()).invitations.create({ email: admin.email, role: "member" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      (await admin.caller()).invitations.create({ email: "boss@example.com", role: "owner" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("members", () => {
  it("changes roles within the rules and always keeps an owner", async () => {
    const owner = await signUpUser(database.db, "Olivia");
    const admin = await signUpUser(database.db, "Adam");
    const member = await signUpUser(database.db, "Mia");
    await inviteAndAccept(owner, admin, "admin");
    await inviteAndAccept(owner, member, "member");

    expect(
      await (await admin.caller()).members.changeRole({ userId: member.id, role: "admin" }),
    ).toMatchObject({
      role: "admin",
    });
    await expect(
      (await admin.caller()).members.changeRole({ userId: owner.id, role: "member" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      (await owner.caller()).members.changeRole({ userId: owner.id, role: "admin" }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("at least one owner") });
    await (await owner.caller()).members.changeRole({ userId: admin.id, role: "owner" });
    await (await owner.caller()).members.changeRole({ userId: owner.id, role: "member" });
    const roles = Object.fromEntries(
      (await (await admin.caller()).members.list()).map((m) => [m.name, m.role] as const),
    );
    expect(roles).toEqual({ Olivia: "member", Adam: "owner", Mia: "admin" });
  });

  it("removes a member, who then falls back to their own organisation and loses its tokens", async () => {
    const owner = await signUpUser(database.db);
    const member = await signUpUser(database.db);
    await inviteAndAccept(owner, member, "member");
    const token = await (await member.caller()).apiTokens.create({ name: "laptop", expiresInDays: null });
    await (await owner.caller()).members.remove({ userId: member.id });
    expect((await (await member.caller()).organizations.current()).id).toBe(member.personalOrganizationId);
    const revoked = await database.db.apiToken.findUniqueOrThrow({ where: { id: token.summary.id } });
    expect(revoked.revokedAt).not.toBeNull();
    expect((await (await owner.caller()).members.list()).map((m) => m.email)).toEqual([owner.email]);
  });

  it("lets a member leave, but not the last owner", async () => {
    const owner = await signUpUser(database.db);
    const member = await signUpUser(database.db);
    await inviteAndAccept(owner, member, "member");
    await (await member.caller()).members.leave();
    expect((await (await member.caller()).organizations.list()).map((o) => o.id)).toEqual([
      member.personalOrganizationId,
    ]);
    await expect((await owner.caller()).members.leave()).rejects.toMatchObject({ code: "CONFLICT" });
  });
});
