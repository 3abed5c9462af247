import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitServer, startGitServer } from "./git-server.ts";
import { useTempDirs } from "./vitest/temp-dirs.ts";

const tempDir = useTempDirs();
let server: GitServer;
let home: string;

beforeAll(async () => {
  server = await startGitServer();
  home = tempDir("git-server-home-");
});
afterAll(async () => {
  const dir = path.dirname(path.dirname(server.bareDir("public-demo")));
  await server.close();
  expect(existsSync(dir)).toBe(false);
});

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real git CLI, with a throwaway HOME, no system config and no prompts. */
function git(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return new Promise<GitResult>((resolve) => {
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_TERMINAL_PROMPT: "0",
      LANG: "C",
      ...options.env,
    };
    const identity = ["-c", "user.name=Test User", "-c", "user.email=test@example.invalid"];
    execFile("git", [...identity, ...args], { cwd: options.cwd ?? home, env }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr });
    });
  });
}

async function ok(args: string[], options?: Parameters<typeof git>[1]): Promise<string> {
  const result = await git(args, options);
  if (result.code !== 0) throw new Error(`git ${args.join(" ")} failed (${result.code}):\n${result.stderr}`);
  return result.stdout;
}

/** The clone URL with the credential in it, as a person would paste it. */
function withCredential(name: string, token = server.token) {
  const url = new URL(server.repoUrl(name));
  url.username = server.username;
  url.password = token;
  return url.toString();
}

describe("git server", () => {
  it("lets anyone clone the public repository, with its files, branches and tags", async () => {
    const dir = path.join(tempDir("git-clone-"), "public");
    const before = server.requests.length;
    await ok(["clone", "--quiet", server.repoUrl("public-demo"), dir]);
    expect(readFileSync(path.join(dir, "README.md"), "utf8")).toContain("# public-demo");
    expect(readFileSync(path.join(dir, "src/hello.txt"), "utf8")).toContain("Hello");
    expect((await ok(["rev-parse", "--abbrev-ref", "HEAD"], { cwd: dir })).trim()).toBe("main");
    expect((await ok(["rev-list", "--count", "HEAD"], { cwd: dir })).trim()).toBe("3");
    expect((await ok(["tag"], { cwd: dir })).split("\n")).toEqual(["v1", "v2", ""]);
    expect((await ok(["cat-file", "-t", "v1"], { cwd: dir })).trim()).toBe("commit");
    expect((await ok(["cat-file", "-t", "v2"], { cwd: dir })).trim()).toBe("tag");
    expect((await ok(["rev-parse", "v1"], { cwd: dir })).trim()).toBe(
      (await ok(["rev-parse", "HEAD~1"], { cwd: dir })).trim(),
    );
    expect((await ok(["rev-list", "--count", "origin/feature/x"], { cwd: dir })).trim()).toBe("4");
    const seen = server.requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => !r.authorized && r.service === "git-upload-pack")).toBe(true);
    expect(seen[0]).toMatchObject({
      method: "GET",
      path: "/public-demo.git/info/refs",
      query: "service=git-upload-pack",
    });
  });

  it("refuses the private repository without the credential and serves it with it", async () => {
    const root = tempDir("git-clone-");
    const anonymous = await git(["clone", server.repoUrl("private-demo"), path.join(root, "anon")]);
    expect(anonymous.code).not.toBe(0);
    // No credential at all and prompts disabled: git cannot ask for one after the 401.
    expect(anonymous.stderr).toMatch(/terminal prompts disabled|Authentication failed/);
    const wrong = await git(["clone", withCredential("private-demo", "wrong"), path.join(root, "wrong")]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("Authentication failed");
    expect(existsSync(path.join(root, "wrong", "README.md"))).toBe(false);

    const dir = path.join(root, "ok");
    await ok(["clone", "--quiet", withCredential("private-demo"), dir]);
    expect(readFileSync(path.join(dir, "README.md"), "utf8")).toContain("# private-demo");
    expect(server.requests.some((r) => r.path.startsWith("/private-demo.git/") && r.authorized)).toBe(true);
  });

  it("lists branches, tags and the HEAD symref with ls-remote", async () => {
    for (const url of [server.repoUrl("public-demo"), withCredential("private-demo")]) {
      const out = await ok(["ls-remote", "--symref", url]);
      const refs = out.split("\n").map((line) => line.split("\t")[1]);
      expect(out).toMatch(/^ref: refs\/heads\/main\tHEAD$/m);
      for (const ref of ["refs/heads/main", "refs/heads/feature/x", "refs/tags/v1", "refs/tags/v2"]) {
        expect(refs).toContain(ref);
      }
    }
    const privateAnon = await git(["ls-remote", server.repoUrl("private-demo")]);
    expect(privateAnon.code).not.toBe(0);
  });

  it("accepts a push with the credential and refuses one without", async () => {
    const dir = path.join(tempDir("git-push-"), "work");
    await ok(["clone", "--quiet", withCredential("private-demo"), dir]);
    writeFileSync(path.join(dir, "studio.txt"), "from the studio\n");
    await ok(["add", "studio.txt"], { cwd: dir });
    await ok(["commit", "--quiet", "-m", "Studio change"], { cwd: dir });
    await ok(["push", "--quiet", "origin", "HEAD:refs/heads/studio/test"], { cwd: dir });
    const local = (await ok(["rev-parse", "HEAD"], { cwd: dir })).trim();
    const bare = server.bareDir("private-demo");
    expect((await ok(["--git-dir", bare, "rev-parse", "refs/heads/studio/test"])).trim()).toBe(local);
    expect(server.requests.some((r) => r.service === "git-receive-pack" && r.method === "POST")).toBe(true);

    // The public repository: cloned anonymously, but pushing still needs the credential.
    const pub = path.join(tempDir("git-push-"), "public");
    await ok(["clone", "--quiet", server.repoUrl("public-demo"), pub]);
    await ok(["commit", "--quiet", "--allow-empty", "-m", "Anonymous change"], { cwd: pub });
    const before = server.requests.length;
    const anonymous = await git(["push", "origin", "HEAD:refs/heads/studio/test"], { cwd: pub });
    expect(anonymous.code).not.toBe(0);
    const wrong = await git(["push", withCredential("public-demo", "wrong"), "HEAD:refs/heads/studio/test"], {
      cwd: pub,
    });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("Authentication failed");
    const pubBare = server.bareDir("public-demo");
    const missing = await git(["--git-dir", pubBare, "rev-parse", "--verify", "refs/heads/studio/test"]);
    expect(missing.code).not.toBe(0);
    const pushes = server.requests.slice(before).filter((r) => r.service === "git-receive-pack");
    expect(pushes.length).toBeGreaterThan(0);
    expect(pushes.every((r) => !r.authorized && r.method === "GET")).toBe(true);
  });

  it("serves a shallow clone over protocol v2", async () => {
    const dir = path.join(tempDir("git-shallow-"), "shallow");
    const result = await git(
      ["-c", "protocol.version=2", "clone", "--depth", "1", withCredential("private-demo"), dir],
      { env: { GIT_TRACE_PACKET: "1" } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/< version 2/);
    expect((await ok(["rev-list", "--count", "HEAD"], { cwd: dir })).trim()).toBe("1");
    expect(existsSync(path.join(dir, ".git", "shallow"))).toBe(true);
    expect(readFileSync(path.join(dir, "src/hello.txt"), "utf8")).toContain("Hello");
  });

  it("kills the backend when the client goes away mid-request", async () => {
    const root = path.dirname(server.bareDir("public-demo"));
    // This server's git-http-backend processes (and their git children), found by their environment.
    const backends = () =>
      readdirSync("/proc")
        .filter((pid) => /^\d+$/.test(pid))
        .filter((pid) => {
          try {
            return readFileSync(`/proc/${pid}/environ`, "latin1").includes(`GIT_PROJECT_ROOT=${root}\0`);
          } catch {
            return false;
          }
        });
    const req = http.request(`${server.url}/public-demo.git/git-upload-pack`, {
      method: "POST",
      headers: { "content-type": "application/x-git-upload-pack-request", "transfer-encoding": "chunked" },
    });
    req.on("error", () => {});
    req.write("0032want ");
    await expect.poll(backends).not.toEqual([]);
    req.destroy();
    await expect.poll(backends).toEqual([]);
  });

  it("serves repositories given by the caller, nested names included", async () => {
    const custom = await startGitServer({
      repos: [{ name: "acme/widgets", private: true, files: { "docs/guide.md": "# Guide\n" } }],
    });
    try {
      expect(custom.repoUrl("acme/widgets")).toBe(`${custom.url}/acme/widgets.git`);
      const url = new URL(custom.repoUrl("acme/widgets"));
      url.username = custom.username;
      url.password = custom.token;
      const dir = path.join(tempDir("git-custom-"), "widgets");
      await ok(["clone", "--quiet", url.toString(), dir]);
      expect(readFileSync(path.join(dir, "docs/guide.md"), "utf8")).toBe("# Guide\n");
      expect(existsSync(path.join(dir, "src/hello.txt"))).toBe(true);
      const unknown = await fetch(`${custom.url}/acme/nothing.git/info/refs?service=git-upload-pack`, {
        headers: { authorization: `Basic ${btoa(`${custom.username}:${custom.token}`)}` },
      });
      expect(unknown.status).toBe(404);
      const anonymous = await fetch(`${custom.url}/acme/widgets.git/info/refs?service=git-upload-pack`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toBe('Basic realm="git"');
    } finally {
      await custom.close();
    }
  });
});
