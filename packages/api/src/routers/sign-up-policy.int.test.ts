// SIGN_UPS=invitation: the studio's first account may sign up; after that only an address with a
// pending invitation can, and everyone else is told how to get in, with nothing written.
import { rowCounts } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../router.ts";
import { sessionCaller, testContext, useSignUpPolicy } from "../testing/callers.ts";

const database = useTestDatabase();
const PASSWORD = "correct horse battery staple";

beforeAll(() => useSignUpPolicy("invitation"));
afterAll(() => useSignUpPolicy("open"));

async function signUpAs(name: string, email: string) {
  const { context, cookies } = testContext(database.db, null);
  const user = await createCaller(context).auth.signUp({ name, email, password: PASSWORD });
  return { user, caller: (await sessionCaller(database.db, cookies.token!)).caller };
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe("sign-ups by invitation only", () => {
  it("let the first account in, then only addresses with a pending invitation", async () => {
    // The sign-up page is told: open while the studio has no account, by invitation after.
    const policy = () => createCaller(testContext(database.db, null).context).auth.signUpPolicy();
    expect(await policy()).toEqual({ signUps: "open" });
    const founder = await signUpAs("Founder", "founder@example.com");
    expect(await policy()).toEqual({ signUps: "invitation" });
    expect((await founder.caller.auth.me())?.user.platformAdmin).toBe(true);

    const before = await rowCounts(database.db);
    const stranger = await refusal(signUpAs("Stranger", "stranger@example.com"));
    expect(stranger.code).toBe("FORBIDDEN");
    expect(stranger.message).toBe(
      "New accounts on this studio need an invitation. Ask someone in your organisation to invite this email address.",
    );
    expect(await rowCounts(database.db)).toEqual(before);

    // A revoked invitation, or one that has expired, lets no one in.
    const revoked = await founder.caller.invitations.create({ email: "revoked@example.com", role: "member" });
    await founder.caller.invitations.revoke({ invitationId: revoked.invitation.id });
    expect((await refusal(signUpAs("Revoked", "revoked@example.com"))).code).toBe("FORBIDDEN");
    const lapsed = await founder.caller.invitations.create({ email: "lapsed@example.com", role: "member" });
    await database.db.invitation.update({
      where: { id: lapsed.invitation.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await refusal(signUpAs("Lapsed", "lapsed@example.com"))).code).toBe("FORBIDDEN");

    // Invited (in any case of the address): the account is made, and the invitation accepted with it.
    const invite = await founder.caller.invitations.create({ email: "invited@example.com", role: "member" });
    const invited = await signUpAs("Invited", "Invited@Example.com");
    expect(invited.user.email).toBe("invited@example.com");
    expect((await invited.caller.auth.me())?.user.platformAdmin).toBe(false);
    await invited.caller.invitations.accept({ token: invite.link.split("/invite/")[1]! });
    expect((await founder.caller.members.list()).map((member) => member.email).sort()).toEqual([
      "founder@example.com",
      "invited@example.com",
    ]);
  });
});
