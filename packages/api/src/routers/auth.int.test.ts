import { passwordHashingStats, validateApiToken, validateSessionToken } from "@studio/core";
import { useTestDatabase } from "@studio/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../router.ts";
import {
  anonymousCaller,
  anotherSession,
  sessionCaller,
  signUpUser,
  type TestUser,
  testContext,
} from "../testing/callers.ts";

const database = useTestDatabase();

describe("sign up", () => {
  it("creates the user, a personal organisation they own, and a session cookie", async () => {
    const { context, cookies } = testContext(database.db, null);
    const user = await createCaller(context).auth.signUp({
      name: "Ada Lovelace",
      email: "  Ada@Example.COM ",
      password: "analytical engine",
    });
    expect(user.email).toBe("ada@example.com");
    const session = await validateSessionToken(database.db, cookies.token!);
    expect(session?.userId).toBe(user.id);
    const { caller } = await sessionCaller(database.db, cookies.token!);
    const [organization] = await caller.organizations.list();
    expect(organization).toMatchObject({ personal: true, role: "owner", name: "Ada Lovelace's workspace" });
    expect(session?.activeOrganizationId).toBe(organization!.id);
    const stored = await database.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.passwordHash).not.toContain("analytical");
  });

  it("refuses a second account for the same address, whatever its case, without saying it exists", async () => {
    const caller = anonymousCaller(database.db);
    await caller.auth.signUp({ name: "One", email: "twice@example.com", password: "long enough pw" });
    const hashes = passwordHashingStats().hashes;
    await expect(
      caller.auth.signUp({ name: "Two", email: "TWICE@example.com", password: "long enough pw" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
      message:
        "We couldn't create an account with these details. If you already have an account, sign in instead.",
    });
    expect(passwordHashingStats().hashes).toBe(hashes);
  });

  it("limits sign-ups per client address, refusing before any password is hashed", async () => {
    await anonymousCaller(database.db).auth.signUp({
      name: "Taken",
      email: "taken@example.com",
      password: "long enough pw",
    });
    const flooder = anonymousCaller(database.db, { ipAddress: "203.0.113.50" });
    const hashes = passwordHashingStats().hashes;
    // Every attempt counts, refused or not: twenty tries at a taken address use the allowance.
    for (let attempt = 0; attempt < 20; attempt++) {
      await expect(
        flooder.auth.signUp({ name: "Flood", email: "taken@example.com", password: "long enough pw" }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(
      flooder.auth.signUp({ name: "Flood", email: "fresh@example.com", password: "long enough pw" }),
    ).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: "Too many accounts were created from your network. Try again in 60 minutes.",
    });
    expect(passwordHashingStats().hashes).toBe(hashes);
    const neighbour = anonymousCaller(database.db, { ipAddress: "203.0.113.51" });
    await expect(
      neighbour.auth.signUp({ name: "Fresh", email: "fresh@example.com", password: "long enough pw" }),
    ).resolves.toMatchObject({ email: "fresh@example.com" });
  });
});

describe("sign in", () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUpUser(database.db, "Grace");
  });

  it("opens a new session with the right password", async () => {
    const { context, cookies } = testContext(database.db, null);
    const signedIn = await createCaller(context).auth.signIn({ email: user.email, password: user.password });
    expect(signedIn.id).toBe(user.id);
    expect(cookies.token).toMatch(/^[a-z2-7]{24}\.[a-z2-7]{32}$/);
    expect(cookies.token).not.toBe(user.sessionToken);
  });

  it("says the same thing for a wrong password and an unknown account", async () => {
    const caller = anonymousCaller(database.db, { ipAddress: "192.0.2.1" });
    const wrong = caller.auth.signIn({ email: user.email, password: "not the password" });
    await expect(wrong).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Wrong email or password." });
    const unknown = caller.auth.signIn({ email: "ghost@example.com", password: "whatever it is" });
    await expect(unknown).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "Wrong email or password.",
    });
  });

  it("throttles an account after repeated failures, even from other addresses and with the right password", async () => {
    const victim = await signUpUser(database.db, "Victim");
    for (let attempt = 0; attempt < 5; attempt++) {
      const caller = anonymousCaller(database.db, { ipAddress: `198.51.100.${attempt}` });
      await expect(
        caller.auth.signIn({ email: victim.email, password: "guess guess" }),
      ).rejects.toMatchObject({
        code: "UNAUTHORIZED",
      });
    }
    const caller = anonymousCaller(database.db, { ipAddress: "203.0.113.9" });
    await expect(
      caller.auth.signIn({ email: victim.email, password: victim.password }),
    ).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/Too many failed sign-in attempts\. Try again in \d+ seconds\./),
    });
  });

  it("lets at most five of 200 parallel wrong passwords reach the password check", async () => {
    const victim = await signUpUser(database.db, "Flooded");
    const verifications = passwordHashingStats().verifications;
    // Parallel calls, as tRPC runs a batch, each from its own address so only the account's
    // allowance stands in the way.
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, attempt) =>
        anonymousCaller(database.db, { ipAddress: `10.1.${attempt >> 8}.${attempt & 255}` }).auth.signIn({
          email: victim.email,
          password: `wrong guess ${attempt}`,
        }),
      ),
    );
    expect(passwordHashingStats().verifications - verifications).toBeLessThanOrEqual(5);
    const codes = results.map((result) => (result.status === "rejected" ? result.reason.code : "OK"));
    expect(codes.filter((code) => code === "UNAUTHORIZED").length).toBeLessThanOrEqual(5);
    expect(codes.filter((code) => code === "TOO_MANY_REQUESTS").length).toBeGreaterThanOrEqual(195);
    // The right password now waits for the lock like everyone else.
    await expect(
      anonymousCaller(database.db, { ipAddress: "10.2.0.1" }).auth.signIn({
        email: victim.email,
        password: victim.password,
      }),
    ).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("lets at most twenty of 200 parallel sign-ins from one address reach the password check", async () => {
    const verifications = passwordHashingStats().verifications;
    const caller = anonymousCaller(database.db, { ipAddress: "192.0.2.99" });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, attempt) =>
        caller.auth.signIn({ email: `parallel${attempt}@example.com`, password: "guess guess" }),
      ),
    );
    expect(passwordHashingStats().verifications - verifications).toBeLessThanOrEqual(20);
    expect(results.filter((result) => result.status === "rejected")).toHaveLength(200);
  });

  it("gives a successful sign-in's reservation back to its address", async () => {
    const regular = await signUpUser(database.db, "Regular");
    const caller = anonymousCaller(database.db, { ipAddress: "192.0.2.150" });
    for (let attempt = 0; attempt < 25; attempt++) {
      await expect(
        caller.auth.signIn({ email: regular.email, password: regular.password }),
      ).resolves.toMatchObject({ id: regular.id });
    }
  });

  it("throttles one address spraying many accounts", async () => {
    const caller = anonymousCaller(database.db, { ipAddress: "192.0.2.77" });
    for (let attempt = 0; attempt < 20; attempt++) {
      await expect(
        caller.auth.signIn({ email: `spray${attempt}@example.com`, password: "guess guess" }),
      ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    await expect(caller.auth.signIn({ email: user.email, password: user.password })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
    const elsewhere = anonymousCaller(database.db, { ipAddress: "192.0.2.78" });
    await expect(
      elsewhere.auth.signIn({ email: user.email, password: user.password }),
    ).resolves.toMatchObject({
      id: user.id,
    });
  });
});

describe("sessions", () => {
  it("signs out this session only, and clears the cookie", async () => {
    const user = await signUpUser(database.db);
    const otherDevice = await anotherSession(database.db, user.id, user.personalOrganizationId);
    const { caller, cookies } = await sessionCaller(database.db, user.sessionToken);
    await caller.auth.signOut();
    expect(cookies.token).toBeNull();
    expect(await validateSessionToken(database.db, user.sessionToken)).toBeNull();
    expect(await validateSessionToken(database.db, otherDevice)).not.toBeNull();
  });

  it("signs out of every device, keeping API tokens unless asked", async () => {
    const user = await signUpUser(database.db);
    const otherDevice = await anotherSession(database.db, user.id, user.personalOrganizationId);
    const { token } = await (await user.caller()).apiTokens.create({ name: "CI", expiresInDays: null });
    const { caller } = await sessionCaller(database.db, user.sessionToken);
    expect(await caller.auth.signOutEverywhere()).toEqual({ endedSessions: 2, revokedApiTokens: 0 });
    expect(await validateSessionToken(database.db, otherDevice)).toBeNull();
    expect(await validateApiToken(database.db, token)).not.toBeNull();
  });

  it("signs out of every device and revokes API tokens in every organisation, saying how many", async () => {
    const user = await signUpUser(database.db);
    const first = await user.caller();
    const { token } = await first.apiTokens.create({ name: "CI", expiresInDays: null });
    await first.apiTokens.create({ name: "Laptop", expiresInDays: 30 });
    const team = await first.organizations.create({ name: "Token Team" });
    await first.organizations.switch({ organizationId: team.id });
    const { token: teamToken } = await (await user.caller()).apiTokens.create({
      name: "Team CI",
      expiresInDays: null,
    });
    const { caller, cookies } = await sessionCaller(database.db, user.sessionToken);
    expect(await caller.auth.signOutEverywhere({ revokeApiTokens: true })).toEqual({
      endedSessions: 1,
      revokedApiTokens: 3,
    });
    expect(cookies.token).toBeNull();
    expect(await validateSessionToken(database.db, user.sessionToken)).toBeNull();
    expect(await validateApiToken(database.db, token)).toBeNull();
    expect(await validateApiToken(database.db, teamToken)).toBeNull();
  });

  it("refuses a token whose secret does not match, even with a real id", async () => {
    const user = await signUpUser(database.db);
    const [id] = user.sessionToken.split(".");
    expect(await validateSessionToken(database.db, `${id}.${"a".repeat(32)}`)).toBeNull();
  });

  it("slides: a session used in the second half of its life is extended", async () => {
    const user = await signUpUser(database.db);
    const [id] = user.sessionToken.split(".");
    const soon = new Date(Date.now() + 24 * 60 * 60 * 1000);
    await database.db.authSession.update({ where: { id: id! }, data: { expiresAt: soon } });
    const session = await validateSessionToken(database.db, user.sessionToken);
    expect(session?.renewed).toBe(true);
    expect(session!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 60 * 60 * 1000);
  });

  it("ends an expired session", async () => {
    const user = await signUpUser(database.db);
    const [id] = user.sessionToken.split(".");
    await database.db.authSession.update({
      where: { id: id! },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await validateSessionToken(database.db, user.sessionToken)).toBeNull();
    expect(await database.db.authSession.count({ where: { id: id! } })).toBe(0);
  });

  it("refuses mutations whose browser origin is another site", async () => {
    const user = await signUpUser(database.db);
    const session = await validateSessionToken(database.db, user.sessionToken);
    const { context } = testContext(
      database.db,
      { kind: "session", session: session! },
      { sameOrigin: false },
    );
    await expect(createCaller(context).auth.updateProfile({ name: "Pwned" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(createCaller(context).auth.me()).resolves.toMatchObject({ user: { name: user.name } });
  });
});

describe("account", () => {
  it("updates the profile name", async () => {
    const user = await signUpUser(database.db, "Old Name");
    const caller = await user.caller();
    await caller.auth.updateProfile({ name: "New Name" });
    // A new request resolves the session again, as the next page load would.
    expect((await (await user.caller()).auth.me())?.user.name).toBe("New Name");
  });

  it("changes the password after checking the current one, ending other sessions", async () => {
    const user = await signUpUser(database.db);
    const otherDevice = await anotherSession(database.db, user.id, user.personalOrganizationId);
    const caller = await user.caller();
    await expect(
      caller.auth.changePassword({ currentPassword: "wrong one", newPassword: "a brand new password" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Your current password is not correct." });
    const { token } = await caller.apiTokens.create({ name: "CI", expiresInDays: null });
    expect(
      await caller.auth.changePassword({
        currentPassword: user.password,
        newPassword: "a brand new password",
      }),
    ).toEqual({ ok: true, endedSessions: 1, revokedApiTokens: 0 });
    expect(await validateApiToken(database.db, token)).not.toBeNull();
    expect(await validateSessionToken(database.db, otherDevice)).toBeNull();
    expect(await validateSessionToken(database.db, user.sessionToken)).not.toBeNull();
    const anon = anonymousCaller(database.db, { ipAddress: "192.0.2.200" });
    await expect(
      anon.auth.signIn({ email: user.email, password: "a brand new password" }),
    ).resolves.toBeTruthy();
  });

  it("revokes API tokens with a password change when asked", async () => {
    const user = await signUpUser(database.db);
    const caller = await user.caller();
    const { token } = await caller.apiTokens.create({ name: "CI", expiresInDays: null });
    expect(
      await caller.auth.changePassword({
        currentPassword: user.password,
        newPassword: "another new password",
        revokeApiTokens: true,
      }),
    ).toEqual({ ok: true, endedSessions: 0, revokedApiTokens: 1 });
    expect(await validateApiToken(database.db, token)).toBeNull();
    expect(await validateSessionToken(database.db, user.sessionToken)).not.toBeNull();
  });

  it("checks the current password under the account's throttle", async () => {
    const user = await signUpUser(database.db);
    const caller = await user.caller();
    const verifications = passwordHashingStats().verifications;
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        caller.auth.changePassword({ currentPassword: "not it at all", newPassword: "a brand new password" }),
      ),
    );
    expect(passwordHashingStats().verifications - verifications).toBeLessThanOrEqual(5);
    expect(results.every((result) => result.status === "rejected")).toBe(true);
  });
});
