// Git credentials through the API: one per organisation and host, listed masked to members, managed
// by owners and admins, tested with a real `git ls-remote` against a real git server, and never
// returned, logged or stored in clear.
import { validateSessionToken } from "@studio/core";
import type { Logger } from "@studio/models";
import { type GitServer, rowCounts, startGitServer } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Context } from "../context.ts";
import { createCaller } from "../router.ts";
import { signUpUser, type TestUser, testContext } from "../testing/callers.ts";
import { caught } from "../testing/errors.ts";

const database = useTestDatabase();
const TOKEN = "ghp_PLANTED_git_token_0000000000abcd";
const OTHER_TOKEN = "ghp_PLANTED_git_token_1111111111wxyz";

/** Every log record a caller's procedures write, to search for the token. */
function recordingLogger(lines: string[]): Logger {
  const record = (details: object, message: string) => {
    lines.push(JSON.stringify({ details, message }, (_k, v) => (v instanceof Error ? v.stack : v)));
  };
  return { debug: record, info: record, warn: record, error: record };
}

/** A caller as the server builds it, with the studio's settings and logger overridden. */
async function callerWith(user: TestUser, overrides: { privateNetwork?: "allow" | "deny"; logs?: string[] }) {
  const session = await validateSessionToken(database.db, user.sessionToken);
  const { context } = testContext(database.db, { kind: "session", session: session! });
  const keys: Context["keys"] = { ...context.keys, privateNetwork: overrides.privateNetwork ?? "allow" };
  return createCaller({
    ...context,
    keys,
    ...(overrides.logs ? { logger: recordingLogger(overrides.logs) } : {}),
  });
}

const asText = (value: unknown) =>
  JSON.stringify(value, (_k, v) =>
    typeof v === "bigint" ? String(v) : v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : v,
  );

/** Every column of every git credential row, as text, to search for a token in clear. */
async function storedRowsAsText() {
  const rows = await database.db.$queryRaw<Record<string, unknown>[]>`SELECT * FROM git_credentials`;
  return rows.map((row) =>
    Object.values(row)
      .map((value) => (value instanceof Uint8Array ? Buffer.from(value).toString("latin1") : String(value)))
      .join("|"),
  );
}

describe("git credentials", () => {
  it("are set, listed masked, replaced per host, removed, and the token never comes back out", async () => {
    const ann = await signUpUser(database.db, "Ann");
    const logs: string[] = [];
    const caller = await callerWith(ann, { logs });

    const saved = await caller.gitCredentials.set({ host: "GitHub.com", token: TOKEN });
    expect(saved).toMatchObject({
      host: "github.com",
      username: null,
      lastFour: "abcd",
      createdBy: { name: "Ann" },
    });
    await caller.gitCredentials.set({
      host: "git.example.com:8443",
      token: OTHER_TOKEN,
      username: "deploy",
      hostKind: "gitea",
    });
    let listed = await caller.gitCredentials.list();
    expect(listed.map((c) => [c.host, c.username, c.lastFour, c.hostKind])).toEqual([
      ["git.example.com:8443", "deploy", "wxyz", "gitea"],
      ["github.com", null, "abcd", null],
    ]);
    expect(Object.keys(listed[0]!).sort()).toEqual([
      "createdAt",
      "createdBy",
      "host",
      "hostKind",
      "lastFour",
      "updatedAt",
      "username",
    ]);

    // Setting again replaces: one row per (organisation, host), whatever way the host is written.
    const replaced = await caller.gitCredentials.set({
      host: "github.com:443",
      token: OTHER_TOKEN,
      username: "ann",
    });
    expect(replaced).toMatchObject({ host: "github.com", username: "ann", lastFour: "wxyz" });
    listed = await caller.gitCredentials.list();
    expect(listed.map((c) => [c.host, c.username, c.lastFour])).toEqual([
      ["git.example.com:8443", "deploy", "wxyz"],
      ["github.com", "ann", "wxyz"],
    ]);
    expect(
      await database.db.gitCredential.count({ where: { organizationId: ann.personalOrganizationId } }),
    ).toBe(2);

    // Sealed: no column of any row holds a token in clear.
    const row = await database.db.gitCredential.findFirstOrThrow({
      where: { organizationId: ann.personalOrganizationId, host: "github.com" },
    });
    expect(row.keyVersion).toBe(1);
    expect(row.ciphertext.length).toBe(OTHER_TOKEN.length);
    for (const text of await storedRowsAsText()) {
      expect(text).not.toContain("PLANTED");
    }

    await caller.gitCredentials.remove({ host: "GITHUB.COM" });
    expect((await caller.gitCredentials.list()).map((c) => c.host)).toEqual(["git.example.com:8443"]);
    expect((await caught(caller.gitCredentials.remove({ host: "github.com" }))).code).toBe("NOT_FOUND");

    expect(asText([saved, replaced, listed])).not.toContain("PLANTED");
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join("\n")).not.toContain("PLANTED");
  });

  it("are listed to members, masked, but only owners and admins set, remove or test them", async () => {
    const owner = await signUpUser(database.db, "Olga");
    const member = await signUpUser(database.db, "Max");
    const ownerCaller = await owner.caller();
    const invite = await ownerCaller.invitations.create({ email: member.email, role: "member" });
    await (await member.caller()).invitations.accept({ token: invite.link.split("/invite/")[1]! });
    await (await member.caller()).organizations.switch({ organizationId: owner.personalOrganizationId });
    const memberCaller = await member.caller();
    await ownerCaller.gitCredentials.set({ host: "github.com", token: TOKEN });

    const seen = await memberCaller.gitCredentials.list();
    expect(seen.map((c) => [c.host, c.lastFour])).toEqual([["github.com", "abcd"]]);
    expect(asText(seen)).not.toContain("PLANTED");

    const before = await rowCounts(database.db);
    for (const attempt of [
      memberCaller.gitCredentials.set({ host: "github.com", token: "ghp_member_takeover_1234" }),
      memberCaller.gitCredentials.set({ host: "gitlab.com", token: "glpat-member-attempt-1234" }),
      memberCaller.gitCredentials.remove({ host: "github.com" }),
      memberCaller.gitCredentials.test({
        host: "github.com",
        repositoryUrl: "https://github.com/acme/widgets.git",
      }),
    ]) {
      const error = await caught(attempt);
      expect(error.code).toBe("FORBIDDEN");
      expect(error.message).toBe("Only owners and admins manage git credentials.");
    }
    expect(await rowCounts(database.db)).toEqual(before);
    expect((await ownerCaller.gitCredentials.list())[0]?.lastFour).toBe("abcd");
  });

  it("of another organisation can be neither seen, tested, replaced nor removed", async () => {
    const alice = await signUpUser(database.db, "Alice");
    const mallory = await signUpUser(database.db, "Mallory");
    const aliceCaller = await alice.caller();
    const malloryCaller = await mallory.caller();
    await aliceCaller.gitCredentials.set({ host: "github.com", token: TOKEN });

    expect(await malloryCaller.gitCredentials.list()).toEqual([]);
    const removed = await caught(malloryCaller.gitCredentials.remove({ host: "github.com" }));
    expect([removed.code, removed.message]).toEqual(["NOT_FOUND", "Git credential not found."]);
    const tested = await caught(
      malloryCaller.gitCredentials.test({
        host: "github.com",
        repositoryUrl: "https://github.com/acme/widgets.git",
      }),
    );
    expect(tested.code).toBe("NOT_FOUND");
    // Her own credential for the same host is hers alone.
    await malloryCaller.gitCredentials.set({ host: "github.com", token: OTHER_TOKEN });
    expect((await aliceCaller.gitCredentials.list()).map((c) => c.lastFour)).toEqual(["abcd"]);
    expect((await malloryCaller.gitCredentials.list()).map((c) => c.lastFour)).toEqual(["wxyz"]);
  });

  it("refuse hostile input with typed errors and write nothing", async () => {
    const hal = await signUpUser(database.db, "Hal");
    const caller = await hal.caller();
    await caller.gitCredentials.set({ host: "github.com", token: TOKEN });
    const before = await rowCounts(database.db);
    const badRequest = async (promise: Promise<unknown>, words?: RegExp) => {
      const error = await caught(promise);
      expect(error.code).toBe("BAD_REQUEST");
      if (words) expect(error.message).toMatch(words);
      expect(error.message).not.toContain("PLANTED");
    };
    for (const host of [
      "",
      "https://github.com",
      "file:///etc/passwd",
      "ssh://git@github.com",
      "git@github.com",
      "me:pw@github.com",
      "github.com/acme/widgets",
      "github.com:0x50",
      "github.com:70000",
      "github.com\nx-evil: 1",
      "a".repeat(400),
    ])
      await badRequest(caller.gitCredentials.set({ host, token: TOKEN }), /host/i);
    for (const token of [
      "short",
      `ghp_${"x".repeat(600)}`,
      "ghp_PLANTED with spaces",
      "ghp_PLANTED\nInjected: 1",
    ])
      await badRequest(caller.gitCredentials.set({ host: "gitlab.com", token }));
    await badRequest(caller.gitCredentials.set({ host: "gitlab.com", token: TOKEN, username: "user:name" }));
    await badRequest(
      caller.gitCredentials.set({ host: "gitlab.com", token: TOKEN, username: "x".repeat(101) }),
    );
    await badRequest(caller.gitCredentials.remove({ host: "file://github.com" }));

    for (const [repositoryUrl, words] of [
      ["file:///srv/git/widgets.git", /https URL/],
      ["ssh://git@github.com/acme/widgets.git", /https URL/],
      ["git@github.com:acme/widgets.git", /https URL/],
      ["https://me:ghp_PLANTED_inurl_1234@github.com/acme/widgets.git", /no user name or token/],
      ["https://github.com/acme/widgets.git?ref=main", /query/],
      ["https://gitlab.com/acme/widgets.git", /on gitlab.com, not on github.com/],
      ["https://github.com.evil.example/acme/widgets.git", /not on github.com/],
      ["https://github.com/", /Name the repository/],
      [`https://github.com/${"a".repeat(2100)}`, undefined],
    ] as const)
      await badRequest(caller.gitCredentials.test({ host: "github.com", repositoryUrl }), words);

    expect(await rowCounts(database.db)).toEqual(before);
    expect((await caller.gitCredentials.list()).map((c) => c.lastFour)).toEqual(["abcd"]);
  });
});

describe("testing a git credential runs git ls-remote against the host", () => {
  let server: GitServer;
  let host: string;
  let owner: TestUser;

  beforeAll(async () => {
    server = await startGitServer();
    host = new URL(server.url).host;
    owner = await signUpUser(database.db, "Gita");
  });
  afterAll(() => server?.close());

  it("with the right token lists the refs; a wrong one fails authentication; a missing repository is not found", async () => {
    const logs: string[] = [];
    const caller = await callerWith(owner, { logs });
    await caller.gitCredentials.set({ host, token: server.token, username: server.username });

    const ok = await caller.gitCredentials.test({ host, repositoryUrl: server.repoUrl("private-demo") });
    expect(ok).toEqual({
      outcome: "ok",
      refCount: expect.any(Number),
      message: expect.stringMatching(/answered with \d+ refs/),
    });
    expect(ok.refCount).toBeGreaterThan(0);
    expect(
      server.requests.some((request) => request.path === "/private-demo.git/info/refs" && request.authorized),
    ).toBe(true);

    const missing = await caller.gitCredentials.test({ host, repositoryUrl: server.repoUrl("no-such-repo") });
    expect(missing).toMatchObject({ outcome: "not_found", refCount: null });

    await caller.gitCredentials.set({ host, token: "gts_wrong_token_0000000000", username: server.username });
    const refused = await caller.gitCredentials.test({ host, repositoryUrl: server.repoUrl("private-demo") });
    expect(refused).toEqual({
      outcome: "authentication_failed",
      refCount: null,
      message: `${host} refused the credential.`,
    });

    expect(asText([ok, missing, refused])).not.toContain(server.token);
    expect(logs.join("\n")).not.toContain(server.token);
    const stored = await storedRowsAsText();
    expect(stored.join("\n")).not.toContain(server.token);
  });

  it("reports an unreachable host, and refuses http where the studio denies private addresses", async () => {
    const caller = await owner.caller();
    // A port nothing listens on (the server's own, once it is gone, would race with other tests).
    await caller.gitCredentials.set({ host: "127.0.0.1:1", token: TOKEN });
    expect(
      await caller.gitCredentials.test({ host: "127.0.0.1:1", repositoryUrl: "http://127.0.0.1:1/demo.git" }),
    ).toMatchObject({
      outcome: "unreachable",
      refCount: null,
    });

    const denying = await callerWith(owner, { privateNetwork: "deny" });
    const error = await caught(
      denying.gitCredentials.test({ host, repositoryUrl: server.repoUrl("private-demo") }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(/https URL/);
  });
});
