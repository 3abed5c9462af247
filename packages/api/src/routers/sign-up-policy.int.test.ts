// SIGN_UPS=invitation: the studio's first account may sign up; after that only someone holding a
// pending invitation's token, for the address it was sent to, can. Every refusal reads the same,
// whatever the reason, writes nothing and hashes no password.
import { passwordHashingStats } from "@studio/core";
import { rowCounts } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../router.ts";
import { anotherSession, sessionCaller, testContext, useSignUpPolicy } from "../testing/callers.ts";
import { caught } from "../testing/errors.ts";

const database = useTestDatabase();
const PASSWORD = "correct horse battery staple";

beforeAll(() => useSignUpPolicy("invitation"));
afterAll(() => useSignUpPolicy("open"));

const REFUSAL =
  "We couldn't create an account with these details. New accounts here need an invitation: open the link in yours and use the address it was sent to. If you already have an account, sign in instead.";

async function signUpAs(name: string, email: string, invitationToken?: string) {
  const { context, cookies } = testContext(database.db, null);
  const user = await createCaller(context).auth.signUp({ name, email, password: PASSWORD, invitationToken });
  return { user, caller: (await sessionCaller(database.db, cookies.token!)).caller };
}

const tokenOf = (link: string) => link.split("/invite/")[1]!;

/** The one answer every refusal gets, with nothing written and no password hashed. */
async function expectRefused(attempt: () => Promise<unknown>) {
  const before = await rowCounts(database.db);
  const hashes = passwordHashingStats().hashes;
  const error = await caught(attempt());
  expect(error.code).toBe("FORBIDDEN");
  expect(error.message).toBe(REFUSAL);
  expect(passwordHashingStats().hashes).toBe(hashes);
  expect(await rowCounts(database.db)).toEqual(before);
}

describe("sign-ups by invitation only", () => {
  it("let the first account in, then only addresses with a pending invitation", async () => {
    // The sign-up page is told: open while the studio has no account, by invitation after.
    const policy = () => createCaller(testContext(database.db, null).context).auth.signUpPolicy();
    expect(await policy()).toEqual({ signUps: "open" });
    const founder = await signUpAs("Founder", "founder@example.com");
    expect(await policy()).toEqual({ signUps: "invitation" });
    expect((await founder.caller.auth.me())?.user.platformAdmin).toBe(true);

    await expectRefused(() => signUpAs("Stranger", "stranger@example.com"));

    // A revoked invitation, or one that has expired, lets no one in, even with its token.
    const revoked = await founder.caller.invitations.create({ email: "revoked@example.com", role: "member" });
    await founder.caller.invitations.revoke({ invitationId: revoked.invitation.id });
    await expectRefused(() => signUpAs("Revoked", "revoked@example.com", tokenOf(revoked.link)));
    const lapsed = await founder.caller.invitations.create({ email: "lapsed@example.com", role: "member" });
    await database.db.invitation.update({
      where: { id: lapsed.invitation.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await expectRefused(() => signUpAs("Lapsed", "lapsed@example.com", tokenOf(lapsed.link)));

    // Invited, with the link's token (in any case of the address): the account is made; accepting
    // the invitation is the next step, on its page.
    const invite = await founder.caller.invitations.create({ email: "invited@example.com", role: "member" });
    const invited = await signUpAs("Invited", "Invited@Example.com", tokenOf(invite.link));
    expect(invited.user.email).toBe("invited@example.com");
    expect((await invited.caller.auth.me())?.user.platformAdmin).toBe(false);
    await invited.caller.invitations.accept({ token: tokenOf(invite.link) });
    expect((await founder.caller.members.list()).map((member) => member.email).sort()).toEqual([
      "founder@example.com",
      "invited@example.com",
    ]);
  });

  it("refuse an invited address without its invitation's token, and say nothing of who is invited", async () => {
    // The founder, signed up by the test above, opens another session to invite people.
    const founder = await database.db.user.findFirstOrThrow({ where: { platformAdmin: true } });
    const workspace = await database.db.membership.findFirstOrThrow({
      where: { userId: founder.id, role: "owner" },
      select: { organizationId: true },
    });
    const session = await sessionCaller(
      database.db,
      await anotherSession(database.db, founder.id, workspace.organizationId),
    );
    // Someone who knows an address was invited, but not the link, gets what a stranger gets.
    const pending = await session.caller.invitations.create({ email: "target@example.com", role: "admin" });
    await expectRefused(() => signUpAs("Squatter", "target@example.com"));
    // Another invitation's token does not stand in for this address's.
    const other = await session.caller.invitations.create({ email: "other@example.com", role: "member" });
    await expectRefused(() => signUpAs("Squatter", "target@example.com", tokenOf(other.link)));
    // An address that already has an account is refused in the same words, token or not.
    const again = await session.caller.invitations.create({ email: "someone@example.com", role: "member" });
    await signUpAs("Someone", "someone@example.com", tokenOf(again.link));
    await expectRefused(() => signUpAs("Someone Else", "someone@example.com", tokenOf(again.link)));
    await expectRefused(() => signUpAs("Someone Else", "invited@example.com"));
    // The rightful holder still gets in.
    await expect(signUpAs("Target", "target@example.com", tokenOf(pending.link))).resolves.toBeTruthy();
  });
});
