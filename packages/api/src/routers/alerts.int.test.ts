// The alert webhook through the API: owners and admins set, test, list and remove it; a plain
// member of the same organisation is refused every procedure and changes nothing; the secret comes
// out of setWebhook once and out of no other procedure.
import { rowCounts } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { signUpUser, type TestUser } from "../testing/callers.ts";
import { caught } from "../testing/errors.ts";

const database = useTestDatabase();

describe("alerts procedures", () => {
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;

  beforeAll(async () => {
    owner = await signUpUser(database.db, "Olive");
    admin = await signUpUser(database.db, "Adam");
    member = await signUpUser(database.db, "Mel");
    const ownerCaller = await owner.caller();
    for (const [user, role] of [
      [admin, "admin"],
      [member, "member"],
    ] as const) {
      const invite = await ownerCaller.invitations.create({ email: user.email, role });
      const caller = await user.caller();
      await caller.invitations.accept({ token: invite.link.split("/invite/")[1]! });
      await caller.organizations.switch({ organizationId: owner.personalOrganizationId });
    }
  });

  it("let an admin set, read, test, list and remove the webhook, with the secret shown once", async () => {
    const caller = await admin.caller();
    expect(await caller.alerts.webhook()).toBeNull();
    await expect(caller.alerts.testWebhook()).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "Set a webhook first.",
    });

    const set = await caller.alerts.setWebhook({ url: "http://127.0.0.1:9/hooks/studio" });
    expect(set).toEqual({
      url: "http://127.0.0.1:9/hooks/studio",
      secret: expect.stringMatching(/^whsec_/),
      createdAt: expect.any(Date),
    });
    const shown = await (await owner.caller()).alerts.webhook();
    expect(shown).toEqual({ url: set.url, createdAt: set.createdAt });

    const { deliveryId } = await caller.alerts.testWebhook();
    const page = await caller.alerts.deliveries({ limit: 10 });
    expect(page.nextCursor).toBeNull();
    expect(page.deliveries).toEqual([
      expect.objectContaining({
        id: deliveryId,
        kind: "test",
        status: "pending",
        attempts: 0,
        text: expect.stringContaining("Sent by Adam."),
      }),
    ]);
    expect(JSON.stringify([shown, page])).not.toContain(set.secret);

    await expect(caller.alerts.setWebhook({ url: "ftp://hooks.example.com/x" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await caller.alerts.removeWebhook()).toEqual({ ok: true });
    expect(await caller.alerts.webhook()).toBeNull();
    expect((await caught(caller.alerts.removeWebhook())).code).toBe("NOT_FOUND");
    // The log stays after the webhook goes.
    expect((await caller.alerts.deliveries({ limit: 10 })).deliveries).toHaveLength(1);
  });

  it("page the delivery log newest first", async () => {
    const caller = await owner.caller();
    await caller.alerts.setWebhook({ url: "https://hooks.example.com/services/T0/B0/x" });
    for (let n = 0; n < 4; n += 1) await caller.alerts.testWebhook();
    const first = await caller.alerts.deliveries({ limit: 3 });
    expect(first.deliveries).toHaveLength(3);
    const second = await caller.alerts.deliveries({ limit: 3, cursor: first.nextCursor });
    const all = [...first.deliveries, ...second.deliveries];
    expect(all).toHaveLength(5);
    expect(new Set(all.map((d) => d.id)).size).toBe(5);
    const times = all.map((d) => d.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(second.nextCursor).toBeNull();
    expect((await caught(caller.alerts.deliveries({ limit: 3, cursor: "x|../../etc" }))).code).toBe(
      "BAD_REQUEST",
    );
  });

  it("refuse a plain member every procedure, writing nothing", async () => {
    const caller = await member.caller();
    const before = await rowCounts(database.db);
    for (const call of [
      caller.alerts.webhook(),
      caller.alerts.setWebhook({ url: "https://attacker.example.com/hook" }),
      caller.alerts.removeWebhook(),
      caller.alerts.testWebhook(),
      caller.alerts.deliveries({ limit: 10 }),
    ]) {
      expect((await caught(call)).code).toBe("FORBIDDEN");
    }
    expect(await rowCounts(database.db)).toEqual(before);
    expect((await (await owner.caller()).alerts.webhook())?.url).toBe(
      "https://hooks.example.com/services/T0/B0/x",
    );
  });
});
