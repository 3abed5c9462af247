// The git gateway (`/api/git/<sessionId>`) in a real studio server on a real database, driven by
// the real git CLI against the testkit's real git server: the sandbox's git authenticates with the
// session's gateway token only, the organisation's stored credential is added by the studio and
// never shown, and pushes outside the organisation's branch prefix are refused with git's own report.
import http from "node:http";
import path from "node:path";
import { Writable } from "node:stream";
import { inertSessionsContext } from "@studio/api/testing";
import { type Keyring, newKeyring, readEvents, setGitCredential } from "@studio/core";
import { issueGatewayToken } from "@studio/core/runner";
import { DEFAULT_GIT_REPOS, type GitServer, seedSessionRow, startGitServer } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { useTempDirs } from "@studio/testkit/vitest/temp-dirs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createStudioServer, type StudioServer } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { gitCli } from "./testing/git-cli.ts";
import { signUpAccount } from "./testing/studio-process.ts";

/** Private, and named owner/repository as a Gitea would, so pull-request links can be built. */
const PRIVATE = "acme/widgets";
const database = useTestDatabase();
const tempDir = useTempDirs();
let gitServer: GitServer;
let studio: StudioServer;
let studioUrl: string;
let keyring: Keyring;
let home: string;
const logLines: string[] = [];
/** Every response body and header the tests read directly, to search for secrets. */
const seenResponses: string[] = [];

interface Seeded {
  sessionId: string;
  organizationId: string;
  userId: string;
  token: string;
}

const { git, ok } = gitCli(() => home);

/** The gateway URL of a session, with the token as the Basic password as a sandbox's git would send it. */
function gatewayRemote(sessionId: string, token?: string): string {
  const url = new URL(`${studioUrl}/api/git/${sessionId}`);
  if (token !== undefined) {
    url.username = "sandbox";
    url.password = token;
  }
  return url.toString();
}

const bareRefs = (repo: string) => ok(["--git-dir", gitServer.bareDir(repo), "for-each-ref"]);
const receivePackPosts = () =>
  gitServer.requests.filter((request) => request.method === "POST" && request.service === "git-receive-pack")
    .length;

/** A live session started from `repo` in a new organisation (or `owner`'s), with its token issued. */
async function seedGitSession(
  repo: string,
  options: { owner?: { userId: string; organizationId: string }; status?: "active" | "stopped" } = {},
): Promise<Seeded> {
  const seeded = await seedSessionRow(
    database.db,
    {
      status: options.status ?? "active",
      sourceKind: "git",
      sourceUrl: gitServer.repoUrl(repo),
      baseBranch: "main",
      workBranch: "studio/work",
    },
    { owner: options.owner },
  );
  const token = await issueGatewayToken(database.db, seeded.sessionId);
  return { ...seeded, token };
}

async function storeCredential(owner: { userId: string; organizationId: string }) {
  await setGitCredential(
    database.db,
    keyring,
    { ...owner, role: "owner" },
    {
      host: new URL(gitServer.url).host,
      token: gitServer.token,
      username: gitServer.username,
      // The testkit's server answers like a self-hosted Gitea would for links' sake.
      hostKind: "gitea",
    },
  );
}

async function get(pathAndQuery: string, headers: Record<string, string> = {}, init: RequestInit = {}) {
  const response = await fetch(`${studioUrl}${pathAndQuery}`, { headers, ...init });
  const body = await response.text();
  seenResponses.push(JSON.stringify([...response.headers.entries()]), body);
  return { status: response.status, headers: response.headers, body };
}

/** A GET with its path exactly as given. */
function rawStatus(rawPath: string, headers: Record<string, string>): Promise<number> {
  const { hostname, port } = new URL(studioUrl);
  return new Promise((resolve, reject) => {
    const request = http.get({ hostname, port, path: rawPath, headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", reject);
  });
}

const basic = (token: string) => ({
  authorization: `Basic ${Buffer.from(`anyone:${token}`).toString("base64")}`,
});

let orgA: Seeded;

beforeAll(async () => {
  gitServer = await startGitServer({ repos: [...DEFAULT_GIT_REPOS, { name: PRIVATE, private: true }] });
  keyring = newKeyring();
  home = tempDir("git-gateway-home-");
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({
    PORT: "0",
    STUDIO_DATA_DIR: "/nonexistent",
    STUDIO_WEB_DIST: "/nonexistent",
    // The testkit's git server is plain http on loopback.
    TENANT_PRIVATE_NETWORK: "allow",
  });
  studio = createStudioServer({
    config,
    db: database.db,
    pool: database.pool,
    logger: createLogger("debug", logStream),
    sessions: inertSessionsContext,
    keyring,
  });
  studioUrl = (await studio.listen()).replace("localhost", "127.0.0.1");
  orgA = await seedGitSession(PRIVATE);
  await storeCredential(orgA);
}, 60_000);

afterAll(async () => {
  await studio?.close();
  await gitServer?.close();
});

describe("fetching through the gateway", () => {
  it("clones a private repository with the session's token, then fetches", async () => {
    const dir = path.join(tempDir("git-gateway-clone-"), "repo");
    await ok(["clone", "--quiet", gatewayRemote(orgA.sessionId, orgA.token), dir]);
    const expected = await ok(["--git-dir", gitServer.bareDir(PRIVATE), "rev-parse", "refs/heads/main"]);
    expect(await ok(["rev-parse", "HEAD"], dir)).toBe(expected);
    await ok(["fetch", "--quiet", "origin"], dir);
    // Every request the git server saw carried the organisation's credential, none the gateway token.
    expect(gitServer.requests.length).toBeGreaterThan(0);
    expect(gitServer.requests.every((request) => request.authorized)).toBe(true);
  });

  it("clones a public repository with no stored credential, the token as a Bearer header", async () => {
    const session = await seedGitSession("public-demo");
    const dir = path.join(tempDir("git-gateway-public-"), "repo");
    await ok(["clone", "--quiet", gatewayRemote(session.sessionId), dir], home, [
      "-c",
      `http.extraHeader=Authorization: Bearer ${session.token}`,
    ]);
    expect(await ok(["rev-parse", "HEAD"], dir)).toBe(
      await ok(["--git-dir", gitServer.bareDir("public-demo"), "rev-parse", "refs/heads/main"]),
    );
  });

  it("answers a missing or wrong token with a Basic challenge, and git fails cleanly", async () => {
    const none = await get(`/api/git/${orgA.sessionId}/info/refs?service=git-upload-pack`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Basic realm="Studio"');
    const wrong = await get(`/api/git/${orgA.sessionId}/info/refs?service=git-upload-pack`, basic("nope"));
    expect(wrong.status).toBe(401);

    const result = await git(["ls-remote", gatewayRemote(orgA.sessionId, "not-the-token")]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Authentication failed/);
  });

  it("refuses another session's token, in the same organisation and in another", async () => {
    const sibling = await seedGitSession(PRIVATE, { owner: orgA });
    const stranger = await seedGitSession(PRIVATE);
    for (const token of [sibling.token, stranger.token]) {
      const answer = await get(`/api/git/${orgA.sessionId}/info/refs?service=git-upload-pack`, basic(token));
      expect(answer.status).toBe(401);
    }
    // Each token still works for its own session: the refusal is about the pairing.
    const own = await get(
      `/api/git/${sibling.sessionId}/info/refs?service=git-upload-pack`,
      basic(sibling.token),
    );
    expect(own.status).toBe(200);
  });

  it("never lends one organisation's credential to another's session", async () => {
    // Another organisation, no credential of its own, pointed at the same private repository.
    const stranger = await seedGitSession(PRIVATE);
    const answer = await get(
      `/api/git/${stranger.sessionId}/info/refs?service=git-upload-pack`,
      basic(stranger.token),
    );
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/the organisation has none for it/);
    const result = await git(["ls-remote", gatewayRemote(stranger.sessionId, stranger.token)]);
    expect(result.code).not.toBe(0);

    // A credential of its own that the host refuses: said so, and still never a 401 (git would
    // take it for a wrong gateway token).
    await setGitCredential(
      database.db,
      keyring,
      { userId: stranger.userId, organizationId: stranger.organizationId, role: "owner" },
      { host: new URL(gitServer.url).host, token: "gts_wrong", username: gitServer.username, hostKind: null },
    );
    const refused = await get(
      `/api/git/${stranger.sessionId}/info/refs?service=git-upload-pack`,
      basic(stranger.token),
    );
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/refused the organisation's git credential/);
  });

  it("refuses a stopped session", async () => {
    const stopped = await seedGitSession(PRIVATE, { owner: orgA, status: "stopped" });
    const answer = await get(
      `/api/git/${stopped.sessionId}/info/refs?service=git-upload-pack`,
      basic(stopped.token),
    );
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/ended/);
    const result = await git(["ls-remote", gatewayRemote(stopped.sessionId, stopped.token)]);
    expect(result.code).not.toBe(0);
  });

  it("opens nothing else with a session's token: the agent cannot download, upload or call the API", async () => {
    const bearer = { authorization: `Bearer ${orgA.token}` };
    for (const headers of [bearer, basic(orgA.token)]) {
      expect((await get(`/api/sessions/${orgA.sessionId}/changes.patch`, headers)).status).toBe(401);
      expect((await get(`/api/sessions/${orgA.sessionId}/download?format=zip`, headers)).status).toBe(401);
      expect((await get("/api/trpc/sessions.list", headers)).status).toBe(401);
      expect((await get("/api/uploads?name=x.zip", headers, { method: "POST", body: "x" })).status).toBe(401);
    }
  });

  it("answers 404 for anything that is not git's smart HTTP", async () => {
    const auth = basic(orgA.token);
    for (const suffix of [
      "/HEAD",
      "/objects/info/packs",
      "/info/refs",
      "/info/refs?service=git-upload-archive",
      "/info/refs?service=git-upload-pack&x=1",
      "/git-upload-pack/x",
      "",
    ])
      expect((await get(`/api/git/${orgA.sessionId}${suffix}`, auth)).status, suffix).toBe(404);
    expect((await get("/api/git/", auth)).status).toBe(404);
    // Sent as written (fetch would resolve the dot segments itself): the server must not either.
    for (const raw of [
      `/api/git/x/%2e%2e/${orgA.sessionId}/info/refs?service=git-upload-pack`,
      `/api/git/x/../${orgA.sessionId}/info/refs?service=git-upload-pack`,
      `/api/git/%2e%2e/llm/${orgA.sessionId}/info/refs?service=git-upload-pack`,
    ])
      expect(await rawStatus(raw, auth), raw).toBe(404);
    expect((await get(`/api/git/${orgA.sessionId}/git-upload-pack`, auth)).status).toBe(404);
    expect(
      (await get(`/api/git/${orgA.sessionId}/info/refs?service=git-upload-pack`, auth, { method: "POST" }))
        .status,
    ).toBe(404);
  });
});

describe("pushing through the gateway", () => {
  let work: string;
  let commits = 0;

  beforeAll(async () => {
    work = path.join(tempDir("git-gateway-push-"), "repo");
    await ok(["clone", "--quiet", gatewayRemote(orgA.sessionId, orgA.token), work]);
  });
  beforeEach(async () => {
    await ok(["commit", "--quiet", "--allow-empty", "-m", `change ${++commits}`], work);
  });

  /** A push the gateway must refuse: git fails and says why; neither refs nor the server see it. */
  async function expectRefused(args: string[], ...reasons: RegExp[]) {
    const before = await bareRefs(PRIVATE);
    const posts = receivePackPosts();
    const result = await git(["push", "origin", ...args], work);
    expect(result.code, result.stderr).not.toBe(0);
    for (const reason of reasons) expect(result.stderr).toMatch(reason);
    expect(await bareRefs(PRIVATE)).toBe(before);
    expect(receivePackPosts()).toBe(posts);
  }

  it("accepts a branch under the prefix: it lands on the remote and is in the session's log", async () => {
    const result = await git(["push", "origin", "HEAD:refs/heads/studio/x"], work);
    expect(result.code, result.stderr).toBe(0);
    const head = await ok(["rev-parse", "HEAD"], work);
    expect(await ok(["--git-dir", gitServer.bareDir(PRIVATE), "rev-parse", "refs/heads/studio/x"])).toBe(
      head,
    );

    await expect
      .poll(async () => (await readEvents(database.db, orgA.sessionId, 0n)).map((stored) => stored.event))
      .toContainEqual({
        type: "git_pushed",
        ref: "refs/heads/studio/x",
        oldCommit: "0".repeat(40),
        newCommit: head,
        // The kind named with the credential gives the link (Gitea's compare page, the base `main`).
        pullRequestUrl: `${gitServer.url}/acme/widgets/compare/main...studio/x`,
      });
  });

  it("refuses main, a tag and a deletion, with the reason printed by git", async () => {
    await expectRefused(["HEAD:main"], /\[remote rejected\]\s+HEAD -> main/, /remote: .*studio\//);
    await ok(["tag", `t${commits}`], work);
    await expectRefused([`refs/tags/t${commits}`], /\[remote rejected\].*pushing tags is not allowed/);
    await expectRefused([":refs/heads/studio/x"], /\[remote rejected\].*deleting refs is not allowed/);
  });

  it("follows the organisation's own prefix", async () => {
    await database.db.organization.update({
      where: { id: orgA.organizationId },
      data: { pushBranchPrefix: "ai/" },
    });
    try {
      await expectRefused(["HEAD:refs/heads/studio/y"], /only branches under ai\//);
      const result = await git(["push", "origin", "HEAD:refs/heads/ai/y"], work);
      expect(result.code, result.stderr).toBe(0);
    } finally {
      await database.db.organization.update({
        where: { id: orgA.organizationId },
        data: { pushBranchPrefix: "studio/" },
      });
    }
  });

  it("takes the prefix from the organisation's settings, checked when an admin sets it", async () => {
    const account = await signUpAccount(studioUrl);
    expect((await account.client.organizations.current.query()).pushBranchPrefix).toBe("studio/");
    const updated = await account.client.organizations.update.mutate({ pushBranchPrefix: "ai/agents/" });
    expect(updated.pushBranchPrefix).toBe("ai/agents/");
    for (const bad of ["", "ai", "/ai/", "refs/heads/ai/", "a..b/", "x.lock/", ".hidden/", "a b/", "ai//"])
      await expect(
        account.client.organizations.update.mutate({ pushBranchPrefix: bad }),
        JSON.stringify(bad),
      ).rejects.toThrow();
    expect((await account.client.organizations.current.query()).pushBranchPrefix).toBe("ai/agents/");
  });

  it("answers a garbage or oversized push body with a plain 400, forwarding nothing", async () => {
    const posts = receivePackPosts();
    const url = `/api/git/${orgA.sessionId}/git-receive-pack`;
    const headers = { ...basic(orgA.token), "content-type": "application/x-git-receive-pack-request" };
    for (const body of ["zzzz not a pkt-line", `ffff${"a".repeat(70_000)}`, `0003`])
      expect((await get(url, headers, { method: "POST", body })).status).toBe(400);
    // Gzip declared, not gzip sent.
    const gz = await get(
      url,
      { ...headers, "content-encoding": "gzip" },
      { method: "POST", body: "garbage" },
    );
    expect(gz.status).toBe(400);
    expect(receivePackPosts()).toBe(posts);
  });
});

describe("secrets", () => {
  it("never shows the stored credential or the gateway token in a response or the log", () => {
    const basicForm = Buffer.from(`${gitServer.username}:${gitServer.token}`).toString("base64");
    const everything = [...seenResponses, ...logLines].join("\n");
    expect(logLines.length).toBeGreaterThan(0);
    for (const secret of [gitServer.token, basicForm, orgA.token]) expect(everything).not.toContain(secret);
  });
});
