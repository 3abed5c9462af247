import { validateApiToken } from "@studio/core";
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { signUpUser, tokenCaller } from "../testing/callers.ts";

const database = useTestDatabase();

describe("personal API tokens", () => {
  it("is shown once, stored as a hash, acts as its user in its organisation, and can be revoked", async () => {
    const user = await signUpUser(database.db, "Programmer");
    const { token, summary } = await (await user.caller()).apiTokens.create({
      name: "CI",
      expiresInDays: 30,
    });
    expect(token).toMatch(/^st_[a-z2-7]{24}_[a-z2-7]{32}$/);
    const row = await database.db.apiToken.findUniqueOrThrow({ where: { id: summary.id } });
    expect(Buffer.from(row.secretHash).toString("hex")).not.toContain(token.slice(-32));
    expect(JSON.stringify(await (await user.caller()).apiTokens.list())).not.toContain(token.slice(-32));

    const viaToken = await tokenCaller(database.db, token);
    const me = await viaToken.auth.me();
    expect(me).toMatchObject({ user: { email: user.email }, via: "token" });
    expect(me?.activeOrganization?.id).toBe(user.personalOrganizationId);
    expect((await (await user.caller()).apiTokens.list())[0]?.lastUsedAt).toBeInstanceOf(Date);

    const revoked = await (await user.caller()).apiTokens.revoke({ tokenId: summary.id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await validateApiToken(database.db, token)).toBeNull();
  });

  it("cannot mint more tokens, switch organisations or sign out everywhere", async () => {
    const user = await signUpUser(database.db);
    const { token } = await (await user.caller()).apiTokens.create({ name: "bot", expiresInDays: null });
    const viaToken = await tokenCaller(database.db, token);
    await expect(viaToken.apiTokens.create({ name: "child", expiresInDays: null })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      viaToken.organizations.switch({ organizationId: user.personalOrganizationId }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viaToken.auth.signOutEverywhere()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("stops working when it expires or when its secret is altered", async () => {
    const user = await signUpUser(database.db);
    const { token, summary } = await (await user.caller()).apiTokens.create({
      name: "short",
      expiresInDays: 1,
    });
    const altered = `${token.slice(0, -1)}${token.endsWith("a") ? "b" : "a"}`;
    expect(await validateApiToken(database.db, altered)).toBeNull();
    await database.db.apiToken.update({
      where: { id: summary.id },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    expect(await validateApiToken(database.db, token)).toBeNull();
  });
});
