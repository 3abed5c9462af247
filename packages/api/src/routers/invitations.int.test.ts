// Accepting an invitation needs the person, in a browser: an API token is made for one organisation
// and cannot carry its owner into another.
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { signUpUser, tokenCaller } from "../testing/callers.ts";

const database = useTestDatabase();

describe("accepting an invitation", () => {
  it("is refused to an API token, with a typed error, and leaves the invitation pending", async () => {
    const owner = await signUpUser(database.db, "Owner");
    const invitee = await signUpUser(database.db, "Invitee");
    const { link, invitation } = await (await owner.caller()).invitations.create({
      email: invitee.email,
      role: "admin",
    });
    const { token: apiToken } = await (await invitee.caller()).apiTokens.create({
      name: "CI",
      expiresInDays: null,
    });
    const program = await tokenCaller(database.db, apiToken);
    const token = link.split("/invite/")[1]!;
    await expect(program.invitations.accept({ token })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message:
        "An API token acts only in the organisation it was made in. Accept invitations in the browser.",
    });
    const row = await database.db.invitation.findUniqueOrThrow({ where: { id: invitation.id } });
    expect(row.acceptedAt).toBeNull();
    expect(
      await database.db.membership.count({
        where: { userId: invitee.id, organizationId: owner.personalOrganizationId },
      }),
    ).toBe(0);

    // The same person in the browser accepts it.
    await expect((await invitee.caller()).invitations.accept({ token })).resolves.toEqual({
      organizationId: owner.personalOrganizationId,
    });
  });
});
