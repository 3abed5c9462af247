// What a new session starts from, through the API against a real git server: the repository is read
// (ls-remote, with the organisation's credential for its host when it has one) and the ref decided
// before the session row exists, so a refused source leaves nothing behind. Uploads must be the
// caller's own, unused and on disk.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { newId, validateSessionToken } from "@studio/core";
import { type GitServer, rowCounts, startGitServer } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Context } from "../context.ts";
import { createCaller } from "../router.ts";
import { inertSessionsContext, signUpUser, type TestUser, testContext } from "../testing/callers.ts";
import { caught } from "../testing/errors.ts";

const run = promisify(execFile);
const database = useTestDatabase();
let git: GitServer;
let uploadDir: string;

/** A caller as the server builds it, with TENANT_PRIVATE_NETWORK allowed and an upload directory. */
async function callerOf(user: TestUser) {
  const session = await validateSessionToken(database.db, user.sessionToken);
  const { context } = testContext(database.db, { kind: "session", session: session! });
  const sessions: Context["sessions"] = {
    ...inertSessionsContext,
    runtime: { ...inertSessionsContext.runtime, uploadDir },
  };
  return createCaller({ ...context, sessions, keys: { ...context.keys, privateNetwork: "allow" } });
}

const base = { environment: "development", provider: "xai", model: "grok-4-1-fast" } as const;

async function commitOf(repo: string, rev: string) {
  const { stdout } = await run("git", ["--git-dir", git.bareDir(repo), "rev-parse", rev]);
  return stdout.trim();
}

async function closedPort() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Platform credits, so sessions on the platform's key may start. */
async function signUpWithCredits(name: string) {
  const user = await signUpUser(database.db, name);
  await database.db.creditAccount.upsert({
    where: { organizationId: user.personalOrganizationId },
    create: { organizationId: user.personalOrganizationId, balanceMicroUsd: 10_000_000n },
    update: { balanceMicroUsd: 10_000_000n },
  });
  return user;
}

let ann: TestUser;
let bob: TestUser;
const gitHost = () => new URL(git.url).host;

beforeAll(async () => {
  git = await startGitServer();
  uploadDir = await mkdtemp(path.join(tmpdir(), "session-sources-"));
  ann = await signUpWithCredits("Ann");
  bob = await signUpWithCredits("Bob");
});

afterAll(async () => {
  await git?.close();
  if (uploadDir) await rm(uploadDir, { recursive: true, force: true });
});

describe("a session from a public repository", () => {
  it("starts from the default branch, a branch, a tag or a commit, with its columns stored", async () => {
    const caller = await callerOf(ann);
    const url = git.repoUrl("public-demo");

    const byDefault = await caller.sessions.create({ ...base, source: { kind: "git", url } });
    expect(byDefault.source).toEqual({
      kind: "git",
      url,
      ref: "main",
      refKind: "branch",
      fullHistory: false,
    });
    expect(byDefault.baseBranch).toBe("main");
    expect(byDefault.workBranch).toBe(`studio/${byDefault.id.slice(0, 8)}`);
    expect(byDefault.baseCommit).toBeNull();

    const branch = await caller.sessions.create({
      ...base,
      source: { kind: "git", url, ref: "feature/x", fullHistory: true },
    });
    expect(branch.source).toMatchObject({ ref: "feature/x", refKind: "branch", fullHistory: true });
    expect(branch.baseBranch).toBe("feature/x");

    const tag = await caller.sessions.create({ ...base, source: { kind: "git", url, ref: "v2" } });
    expect(tag.source).toMatchObject({ ref: "v2", refKind: "tag" });
    expect(tag.baseBranch).toBe("main");

    const commit = (await commitOf("public-demo", "main~1")).slice(0, 12).toUpperCase();
    const fromCommit = await caller.sessions.create({ ...base, source: { kind: "git", url, ref: commit } });
    expect(fromCommit.source).toMatchObject({ ref: commit.toLowerCase(), refKind: "commit" });
    expect(fromCommit.baseBranch).toBe("main");

    const stored = await database.db.studioSession.findUniqueOrThrow({
      where: { id: tag.id },
      select: { sourceKind: true, sourceUrl: true, sourceRef: true, sourceRefKind: true, workBranch: true },
    });
    expect(stored).toEqual({
      sourceKind: "git",
      sourceUrl: url,
      sourceRef: "v2",
      sourceRefKind: "tag",
      workBranch: `studio/${tag.id.slice(0, 8)}`,
    });
    // The session as `get` and `list` show it carries the same source.
    expect((await caller.sessions.get({ sessionId: tag.id })).source.refKind).toBe("tag");
  });

  it("uses the organisation's push branch prefix for the work branch", async () => {
    await database.db.organization.update({
      where: { id: ann.personalOrganizationId },
      data: { pushBranchPrefix: "agents/" },
    });
    try {
      const caller = await callerOf(ann);
      const session = await caller.sessions.create({
        ...base,
        source: { kind: "git", url: git.repoUrl("public-demo") },
      });
      expect(session.workBranch).toBe(`agents/${session.id.slice(0, 8)}`);
    } finally {
      await database.db.organization.update({
        where: { id: ann.personalOrganizationId },
        data: { pushBranchPrefix: "studio/" },
      });
    }
  });

  it("an empty session has no source", async () => {
    const session = await (await callerOf(ann)).sessions.create(base);
    expect(session.source).toEqual({
      kind: "empty",
      url: null,
      ref: null,
      refKind: null,
      fullHistory: false,
    });
    expect(session.workBranch).toBeNull();
  });
});

describe("a refused source", () => {
  /** The call fails with BAD_REQUEST (or `code`) saying `words`, and no row anywhere was written. */
  async function refused(call: () => Promise<unknown>, words: RegExp, code = "BAD_REQUEST") {
    const before = await rowCounts(database.db);
    const error = await caught(call());
    expect(error.code).toBe(code);
    expect(error.message).toMatch(words);
    expect(await rowCounts(database.db)).toEqual(before);
  }

  it("a private repository without a credential says to add one", async () => {
    const caller = await callerOf(bob);
    await refused(
      () => caller.sessions.create({ ...base, source: { kind: "git", url: git.repoUrl("private-demo") } }),
      new RegExp(`Add a credential for ${gitHost().replace(".", "\\.")} in Settings → Git hosts`),
    );
  });

  it("a wrong credential is named as the organisation's", async () => {
    const caller = await callerOf(bob);
    await caller.gitCredentials.set({ host: gitHost(), token: "wrong-token", username: git.username });
    try {
      await refused(
        () => caller.sessions.create({ ...base, source: { kind: "git", url: git.repoUrl("private-demo") } }),
        /refused the organisation's credential/,
      );
      // A wrong credential is refused for a public repository too (as GitHub does).
      await refused(
        () => caller.sessions.sourceRefs({ url: git.repoUrl("public-demo") }),
        /refused the organisation's credential/,
      );
    } finally {
      await caller.gitCredentials.remove({ host: gitHost() });
    }
  });

  it("an unknown ref, a malformed URL, an unreachable host", async () => {
    const caller = await callerOf(ann);
    const url = git.repoUrl("public-demo");
    const port = await closedPort();
    await refused(
      () => caller.sessions.create({ ...base, source: { kind: "git", url, ref: "no-such-branch" } }),
      /no branch or tag named "no-such-branch"/,
    );
    await refused(
      () =>
        caller.sessions.create({ ...base, source: { kind: "git", url, ref: "--upload-pack=touch /tmp/x" } }),
      /not a branch, tag or commit name/,
    );
    for (const bad of [
      "ftp://example.com/x.git",
      "https://user:pw@example.com/x.git",
      "not a url",
      "https://example.com/",
    ])
      await refused(() => caller.sessions.create({ ...base, source: { kind: "git", url: bad } }), /./);
    await refused(
      () =>
        caller.sessions.create({ ...base, source: { kind: "git", url: `http://127.0.0.1:${port}/x.git` } }),
      /could not be reached/,
    );
    await refused(
      () => caller.sessions.create({ ...base, source: { kind: "git", url: `${git.url}/missing.git` } }),
      /no repository at|wants a credential/,
    );
  });

  it("a private address when TENANT_PRIVATE_NETWORK is deny", async () => {
    const session = await validateSessionToken(database.db, ann.sessionToken);
    const { context } = testContext(database.db, { kind: "session", session: session! });
    const caller = createCaller({ ...context, keys: { ...context.keys, privateNetwork: "deny" } });
    await refused(
      () => caller.sessions.create({ ...base, source: { kind: "git", url: git.repoUrl("public-demo") } }),
      /https/,
    );
  });

  it("a repository when sandboxes cannot reach the studio (KEY_DELIVERY=environment)", async () => {
    const session = await validateSessionToken(database.db, ann.sessionToken);
    const { context } = testContext(database.db, { kind: "session", session: session! });
    const sessions: Context["sessions"] = {
      ...inertSessionsContext,
      runtime: { ...inertSessionsContext.runtime, keyDelivery: "environment" },
    };
    const caller = createCaller({ ...context, sessions, keys: { ...context.keys, privateNetwork: "allow" } });
    await refused(
      () => caller.sessions.create({ ...base, source: { kind: "git", url: git.repoUrl("public-demo") } }),
      /cannot clone through it/,
    );
  });
});

describe("a private repository with the organisation's credential", () => {
  it("starts a session and lists its refs; another organisation's credential is not used", async () => {
    const caller = await callerOf(ann);
    await caller.gitCredentials.set({ host: gitHost(), token: git.token, username: git.username });
    try {
      const url = git.repoUrl("private-demo");
      const session = await caller.sessions.create({ ...base, source: { kind: "git", url, ref: "v1" } });
      expect(session.source).toMatchObject({ kind: "git", url, ref: "v1", refKind: "tag" });
      expect(await caller.sessions.sourceRefs({ url })).toEqual({
        defaultBranch: "main",
        branches: ["main", "feature/x"],
        tags: ["v2", "v1"],
        truncated: false,
      });
      const bobs = await callerOf(bob);
      const error = await caught(bobs.sessions.sourceRefs({ url }));
      expect(error.message).toMatch(/Add a credential for/);
    } finally {
      await caller.gitCredentials.remove({ host: gitHost() });
    }
  });
});

describe("recent repositories", () => {
  it("are the organisation's git sources, most recent first, each once, with the last ref", async () => {
    const org = await signUpWithCredits("Cleo");
    const caller = await callerOf(org);
    expect(await caller.sessions.recentRepositories()).toEqual([]);
    const url = git.repoUrl("public-demo");
    await caller.sessions.create({ ...base, source: { kind: "git", url, ref: "v1" } });
    await caller.sessions.create({ ...base, source: { kind: "git", url, ref: "feature/x" } });
    const recent = await caller.sessions.recentRepositories();
    expect(recent.map((r) => [r.url, r.ref, r.refKind])).toEqual([[url, "feature/x", "branch"]]);
    // Another organisation sees none of them.
    const others = await (await callerOf(bob)).sessions.recentRepositories();
    expect(others.some((r) => r.url === url && r.ref === "feature/x")).toBe(false);
  });
});

describe("a session from an upload", () => {
  async function uploadOf(user: TestUser, withFile = true) {
    const id = newId();
    await database.db.sessionUpload.create({
      data: {
        id,
        organizationId: user.personalOrganizationId,
        userId: user.id,
        fileName: "project.zip",
        compressedBytes: 10n,
        unpackedBytes: 10n,
        fileCount: 1,
      },
    });
    if (withFile) await writeFile(path.join(uploadDir, `${id}.tar`), Buffer.alloc(1024));
    return id;
  }

  it("uses the caller's own upload once; another's, a used or a missing one is refused", async () => {
    const mine = await uploadOf(ann);
    const annCaller = await callerOf(ann);
    const bobCaller = await callerOf(bob);

    const before = await rowCounts(database.db);
    const stolen = await caught(
      bobCaller.sessions.create({ ...base, source: { kind: "upload", uploadId: mine } }),
    );
    expect(stolen.code).toBe("NOT_FOUND");
    expect(await rowCounts(database.db)).toEqual(before);

    const session = await annCaller.sessions.create({ ...base, source: { kind: "upload", uploadId: mine } });
    expect(session.source.kind).toBe("upload");
    expect(
      (await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } })).sourceUploadId,
    ).toBe(mine);

    const again = await caught(
      annCaller.sessions.create({ ...base, source: { kind: "upload", uploadId: mine } }),
    );
    expect(again.message).toMatch(/started a session already/);

    const gone = await uploadOf(ann, false);
    expect(
      (await caught(annCaller.sessions.create({ ...base, source: { kind: "upload", uploadId: gone } }))).code,
    ).toBe("NOT_FOUND");
    expect(
      (
        await caught(
          annCaller.sessions.create({ ...base, source: { kind: "upload", uploadId: "../../etc/passwd" } }),
        )
      ).code,
    ).toBe("NOT_FOUND");
  });

  it("two sessions racing for one upload: only one gets it", async () => {
    const id = await uploadOf(ann);
    const caller = await callerOf(ann);
    const results = await Promise.allSettled(
      [1, 2, 3].map(() => caller.sessions.create({ ...base, source: { kind: "upload", uploadId: id } })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await database.db.studioSession.count({ where: { sourceUploadId: id } })).toBe(1);
  });
});
