// Projects in and out, end to end: a real studio process, its local sandboxes (the real
// sandbox-agent and OpenCode), a real git server behind HTTP Basic auth (git's own http-backend),
// and real git and tar on both sides. A session starts from a private repository (cloned in the
// sandbox through the studio's git gateway) or from an upload, and its work comes out as a patch,
// archives and a pushed branch.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type GitServer, startGitServer } from "@studio/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useDataDirs } from "./testing/data-dirs.ts";
import { useLiveStudio } from "./testing/live-studio.ts";
import { processesUnder } from "./testing/processes.ts";
import { signUpAccount } from "./testing/studio-process.ts";

const live = useLiveStudio();
const newDir = useDataDirs();
let git: GitServer;
const REPO = "acme/widgets";

beforeAll(async () => {
  git = await startGitServer({
    repos: [{ name: REPO, private: true, files: { "logo.bin": "\u0000\u0001binary" } }],
  });
  await live.client.gitCredentials.set.mutate({
    host: new URL(git.url).host,
    token: git.token,
    username: git.username,
    hostKind: "gitea",
  });
});
afterAll(async () => {
  await git?.close();
});

const run = (cwd: string, command: string, ...args: string[]) =>
  execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** GET or POST on a plain HTTP route of the studio with the account's API token. */
function request(route: string, init: RequestInit = {}) {
  return fetch(`${live.url}${route}`, {
    ...init,
    headers: { authorization: `Bearer ${live.token}`, ...(init.headers ?? {}) },
  });
}

async function download(route: string, file: string): Promise<string> {
  const response = await request(route);
  expect(
    response.status,
    await response
      .clone()
      .text()
      .catch(() => ""),
  ).toBe(200);
  writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  return file;
}

/** Every file under `dir` (not .git) with its contents, for comparing two trees. */
function treeOf(dir: string, prefix = ""): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(path.join(dir, prefix))) {
    if (name === ".git") continue;
    const relative = path.join(prefix, name);
    if (statSync(path.join(dir, relative)).isDirectory()) Object.assign(files, treeOf(dir, relative));
    else files[relative] = readFileSync(path.join(dir, relative)).toString("base64");
  }
  return files;
}

/** Every file in a directory tree, read as text, joined: to look for a secret anywhere in it. */
function everythingUnder(dir: string): string {
  let all = "";
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    try {
      all += readFileSync(path.join(entry.parentPath, entry.name), "latin1");
    } catch {
      // a socket or a file that went away
    }
  }
  return all;
}

describe("a session started from a private repository", { timeout: 180_000 }, () => {
  let sessionId: string;
  let workspace: string;
  let baseCommit: string;

  it("is cloned in its sandbox through the git gateway, with progress, on its own branch", async () => {
    const { session, events } = await live.startSession({ kind: "git", url: git.repoUrl(REPO) });
    sessionId = session.id;
    workspace = await live.workspaceOf(sessionId);
    const clone = events.events.filter(
      (event) => event.type === "provisioning" && event.step === "source.clone",
    );
    expect(clone.at(0)).toMatchObject({ state: "started", label: `Cloning ${REPO}` });
    expect(clone.at(-1)).toMatchObject({ state: "completed" });

    const view = await live.client.sessions.get.query({ sessionId });
    const main = run(git.bareDir(REPO), "git", "rev-parse", "refs/heads/main").trim();
    expect(view.source).toMatchObject({
      kind: "git",
      url: git.repoUrl(REPO),
      ref: "main",
      refKind: "branch",
    });
    expect(view.baseCommit).toBe(main);
    expect(view.workBranch).toBe(`studio/${sessionId.slice(0, 8).toLowerCase()}`);
    baseCommit = main;
    expect(run(workspace, "git", "rev-parse", "HEAD").trim()).toBe(main);
    expect(run(workspace, "git", "branch", "--show-current").trim()).toBe(view.workBranch);
    expect(readFileSync(path.join(workspace, "src/hello.txt"), "utf8")).toMatch(/hello/i);
    // Shallow by default: the one commit.
    expect(run(workspace, "git", "rev-list", "--count", "HEAD").trim()).toBe("1");
    // origin is the studio's git gateway for this session, without any credential in it.
    const origin = new URL(run(workspace, "git", "remote", "get-url", "origin").trim());
    expect([origin.port, origin.pathname, origin.username, origin.password]).toEqual([
      new URL(live.url).port,
      `/api/git/${sessionId}`,
      "",
      "",
    ]);
    events.stop();
  });

  it("never lets the stored token into the sandbox, its processes or the studio's output", async () => {
    for (const dir of live.sandboxDirsOf(sessionId)) {
      expect(everythingUnder(dir)).not.toContain(git.token);
      for (const process of processesUnder(dir)) {
        expect(process.cmdline).not.toContain(git.token);
        expect(process.environ).not.toContain(git.token);
      }
    }
    expect(live.output).not.toContain(git.token);
    const view = JSON.stringify(await live.client.sessions.get.query({ sessionId }), (_, value) =>
      typeof value === "bigint" ? String(value) : value,
    );
    expect(view).not.toContain(git.token);
    // The git server saw the clone with the credential the gateway added.
    expect(git.requests.filter((r) => r.service === "git-upload-pack").every((r) => r.authorized)).toBe(true);
  });

  it("hands out its changes as a patch that git apply takes, and as archives", async () => {
    writeFileSync(path.join(workspace, "README.md"), "# Widgets\n\nRewritten in the studio.\n");
    writeFileSync(path.join(workspace, "notes.md"), "A new file.\n");
    writeFileSync(path.join(workspace, "pixel.bin"), Buffer.from([0, 255, 1, 254, 0, 0, 7]));
    rmSync(path.join(workspace, "src/hello.txt"));
    const out = newDir("projects-out-");

    const patch = await download(`/api/sessions/${sessionId}/changes.patch`, path.join(out, "changes.patch"));
    expect(readFileSync(patch, "utf8")).toContain("GIT binary patch");
    const fresh = path.join(out, "fresh");
    run(out, "git", "clone", "--quiet", git.bareDir(REPO), fresh);
    run(fresh, "git", "checkout", "--quiet", baseCommit);
    run(fresh, "git", "apply", "--index", patch);
    expect(treeOf(fresh)).toEqual(treeOf(workspace));
    // The person's index is untouched by making the patch.
    expect(run(workspace, "git", "diff", "--cached", "--name-only").trim()).toBe("");

    const plain = await download(
      `/api/sessions/${sessionId}/download?format=tar.gz&git=0`,
      path.join(out, "a.tar.gz"),
    );
    const plainList = run(out, "tar", "-tzf", plain);
    expect(plainList).toMatch(/notes\.md/);
    expect(plainList).not.toMatch(/\.git\//);
    const withGit = await download(
      `/api/sessions/${sessionId}/download?format=tar.gz&git=1`,
      path.join(out, "b.tar.gz"),
    );
    expect(run(out, "tar", "-tzf", withGit)).toMatch(/\.git\/HEAD/);
    const zip = await download(
      `/api/sessions/${sessionId}/download?format=zip&git=0`,
      path.join(out, "c.zip"),
    );
    mkdirSync(path.join(out, "unzipped"));
    run(out, "unzip", "-q", zip, "-d", "unzipped");
    expect(treeOf(path.join(out, "unzipped"))).toEqual(treeOf(workspace));

    const bad = await request(`/api/sessions/${sessionId}/download?format=rar`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: expect.stringContaining("format=zip") });
  });

  it("commits and pushes to its branch as the member, with a link to open a pull request", async () => {
    const view = await live.client.sessions.get.query({ sessionId });
    const suggested = await live.client.sessions.suggestedCommitMessage.query({ sessionId });
    expect(suggested.message.length).toBeGreaterThan(0);
    const mainBefore = run(git.bareDir(REPO), "git", "rev-parse", "refs/heads/main").trim();

    const result = await live.client.sessions.commitAndPush.mutate({
      sessionId,
      message: "Rewrite the README",
    });
    expect(result).toMatchObject({ pushed: true, branch: view.workBranch });
    expect(result.pullRequestUrl).toBe(`${git.url}/${REPO}/compare/main...${view.workBranch}`);
    const pushed = run(git.bareDir(REPO), "git", "rev-parse", `refs/heads/${view.workBranch}`).trim();
    expect(pushed).toBe(result.commit);
    expect(run(git.bareDir(REPO), "git", "log", "-1", "--format=%an|%s", pushed).trim()).toBe(
      "Runner Test|Rewrite the README",
    );
    expect(run(git.bareDir(REPO), "git", "rev-parse", "refs/heads/main").trim()).toBe(mainBefore);

    // The push is in the session's log, for everyone watching it.
    const logged = await live.database.db.sessionEvent.findMany({ where: { sessionId, type: "git_pushed" } });
    expect(logged.map((event) => event.payload)).toEqual([
      expect.objectContaining({ ref: `refs/heads/${view.workBranch}`, newCommit: pushed }),
    ]);

    // Nothing changed since: pushing again says so instead of making an empty commit.
    const again = await live.client.sessions.commitAndPush.mutate({ sessionId });
    expect(again).toMatchObject({ commit: null, pushed: true });
  });

  it("is none of another organisation's business", async () => {
    const other = await signUpAccount(live.url);
    const response = await fetch(`${live.url}/api/sessions/${sessionId}/changes.patch`, {
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(response.status).toBe(404);
    await expect(other.client.sessions.commitAndPush.mutate({ sessionId })).rejects.toThrow(/not found/i);
  });

  it("says to resume it once it is stopped", async () => {
    await live.client.sessions.stop.mutate({ sessionId });
    const response = await request(`/api/sessions/${sessionId}/download?format=zip`);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/Resume it/) });
    await expect(live.client.sessions.commitAndPush.mutate({ sessionId })).rejects.toThrow(/Resume it/);
  });
});

describe("a session started from an upload", { timeout: 180_000 }, () => {
  it("unpacks the checked files, records a first commit, and has no changes until someone makes one", async () => {
    const dir = newDir("projects-upload-");
    mkdirSync(path.join(dir, "my-app/src"), { recursive: true });
    writeFileSync(path.join(dir, "my-app/package.json"), '{"name":"my-app"}\n');
    writeFileSync(path.join(dir, "my-app/src/index.ts"), "export const answer = 42;\n");
    run(dir, "tar", "-czf", "my-app.tar.gz", "my-app");
    const uploaded = await request("/api/uploads?name=my-app.tar.gz", {
      method: "POST",
      body: readFileSync(path.join(dir, "my-app.tar.gz")),
    });
    expect(uploaded.status).toBe(200);
    const { uploadId, fileCount } = (await uploaded.json()) as { uploadId: string; fileCount: number };
    expect(fileCount).toBe(2);

    const { session, events } = await live.startSession({ kind: "upload", uploadId });
    const workspace = await live.workspaceOf(session.id);
    // The single wrapping folder is gone: the project is at the workspace's root.
    expect(treeOf(workspace)).toEqual({
      "package.json": Buffer.from('{"name":"my-app"}\n').toString("base64"),
      "src/index.ts": Buffer.from("export const answer = 42;\n").toString("base64"),
    });
    const view = await live.client.sessions.get.query({ sessionId: session.id });
    expect(view.baseCommit).toBe(run(workspace, "git", "rev-parse", "HEAD").trim());
    const empty = await request(`/api/sessions/${session.id}/changes.patch`);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe("");
    // Nowhere to push: say so.
    await expect(live.client.sessions.commitAndPush.mutate({ sessionId: session.id })).rejects.toThrow(
      /did not start from a repository/,
    );
    // The upload was used up: it cannot start a second session.
    await expect(
      live.client.sessions.create.mutate({
        environment: "development",
        provider: "custom",
        model: "scripted-1",
        source: { kind: "upload", uploadId },
      }),
    ).rejects.toThrow();
    events.stop();
  });
});
