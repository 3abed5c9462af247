// The push policy in front of a real git server, driven by the real git CLI: allowed pushes land in
// the bare repository byte for byte, refused ones are reported by `git push` with the studio's
// reason and never reach the server.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { type GitServer, startGitServer } from "@studio/testkit";
import { useTempDirs } from "@studio/testkit/vitest/temp-dirs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type PushProxy, startPushProxy } from "./test-support/push-proxy.ts";

const tempDir = useTempDirs();
const REPO = "private-demo";
let server: GitServer;
let proxy: PushProxy;
let home: string;
let work: string;

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real git CLI, with a throwaway HOME, no system config and no prompts. */
function git(args: string[], cwd = work): Promise<GitResult> {
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    LANG: "C",
  };
  const identity = ["-c", "user.name=Test User", "-c", "user.email=test@example.invalid"];
  return new Promise((resolve) => {
    execFile("git", [...identity, ...args], { cwd, env }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr });
    });
  });
}

async function ok(args: string[], cwd = work): Promise<string> {
  const result = await git(args, cwd);
  if (result.code !== 0) throw new Error(`git ${args.join(" ")} failed (${result.code}):\n${result.stderr}`);
  return result.stdout.trim();
}

/** Through `via` (the proxy unless said otherwise), with the credential in the URL. */
function remoteUrl(via: string) {
  const url = new URL(`${via}/${REPO}.git`);
  url.username = server.username;
  url.password = server.token;
  return url.toString();
}

const bareRefs = () => ok(["--git-dir", server.bareDir(REPO), "for-each-ref"]);
const forwardedPushes = () =>
  server.requests.filter((request) => request.method === "POST" && request.service === "git-receive-pack")
    .length;

/** A push that the proxy must refuse: git fails, says why, and neither refs nor server see it. */
async function expectRefused(args: string[], ...reasons: RegExp[]) {
  const before = await bareRefs();
  const posts = forwardedPushes();
  const result = await git(["push", "origin", ...args]);
  expect(result.code, result.stderr).not.toBe(0);
  for (const reason of reasons) expect(result.stderr).toMatch(reason);
  expect(await bareRefs()).toBe(before);
  expect(forwardedPushes()).toBe(posts);
  return result.stderr;
}

beforeAll(async () => {
  server = await startGitServer();
  proxy = await startPushProxy(server.url, { branchPrefix: "studio/" });
  home = tempDir("push-policy-home-");
  work = path.join(tempDir("push-policy-work-"), "clone");
  await ok(["clone", "--quiet", remoteUrl(proxy.url), work], home);
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

let commits = 0;
beforeEach(async () => {
  await ok(["commit", "--quiet", "--allow-empty", "-m", `change ${++commits}`]);
});

describe("pushes through the policy", () => {
  it("accepts a push to a studio/ branch, which lands in the bare repository", async () => {
    const result = await git(["push", "origin", "HEAD:refs/heads/studio/x"]);
    expect(result.code, result.stderr).toBe(0);
    const head = await ok(["rev-parse", "HEAD"]);
    expect(await ok(["--git-dir", server.bareDir(REPO), "rev-parse", "refs/heads/studio/x"])).toBe(head);
    expect(proxy.pushes.at(-1)).toMatchObject({
      forwarded: true,
      commands: [{ ref: "refs/heads/studio/x", newOid: head }],
    });
    expect(proxy.pushes.at(-1)?.capabilities).toEqual(expect.arrayContaining(["side-band-64k"]));
    expect(proxy.pushes.at(-1)?.capabilities.some((c) => c.startsWith("report-status"))).toBe(true);

    // An update of the same branch (old id not zero) is allowed as well.
    await ok(["commit", "--quiet", "--allow-empty", "-m", "again"]);
    expect((await git(["push", "origin", "HEAD:studio/x"])).code).toBe(0);
    expect(await ok(["--git-dir", server.bareDir(REPO), "rev-parse", "refs/heads/studio/x"])).toBe(
      await ok(["rev-parse", "HEAD"]),
    );
  });

  it("forwards a large push (git probes with an empty list, then streams the pack chunked)", async () => {
    // Over http.postBuffer (1 MiB), git first POSTs a lone flush, then the real body, chunked.
    writeFileSync(path.join(work, "big.bin"), randomBytes(3 * 1024 * 1024));
    await ok(["add", "big.bin"]);
    await ok(["commit", "--quiet", "-m", "big"]);
    const pushes = proxy.pushes.length;
    const result = await git(["push", "origin", "HEAD:refs/heads/studio/big"]);
    expect(result.code, result.stderr).toBe(0);
    expect(await ok(["--git-dir", server.bareDir(REPO), "rev-parse", "refs/heads/studio/big"])).toBe(
      await ok(["rev-parse", "HEAD"]),
    );
    const seen = proxy.pushes.slice(pushes);
    expect(seen.map((push) => push.commands.length)).toEqual([0, 1]);
    expect(seen.every((push) => push.forwarded)).toBe(true);
  });

  it("refuses a push to main", async () => {
    const stderr = await expectRefused(
      ["HEAD:main"],
      /\[remote rejected\]\s+HEAD -> main \(only branches under studio\/ may be pushed/,
      /remote: .*studio\//,
    );
    expect(stderr).toContain("Nothing was pushed");
  });

  it("refuses a tag", async () => {
    await ok(["tag", `t${commits}`]);
    await expectRefused([`refs/tags/t${commits}`], /\[remote rejected\].*pushing tags is not allowed/);
  });

  it("refuses deleting a studio/ branch", async () => {
    expect(await ok(["--git-dir", server.bareDir(REPO), "rev-parse", "refs/heads/studio/x"])).toMatch(
      /^[0-9a-f]{40}$/,
    );
    await expectRefused([":studio/x"], /\[remote rejected\]\s+studio\/x \(deleting refs is not allowed/);
  });

  it("refuses a push of several refs as a whole when one is refused", async () => {
    const stderr = await expectRefused(
      ["HEAD:refs/heads/studio/y", "HEAD:refs/heads/main"],
      /HEAD -> studio\/y \(not pushed: another ref in this push was refused\)/,
      /HEAD -> main \(only branches under studio\//,
    );
    expect(stderr).not.toMatch(/\[new branch\]/);
    expect(
      (await git(["--git-dir", server.bareDir(REPO), "rev-parse", "--verify", "-q", "refs/heads/studio/y"]))
        .code,
    ).not.toBe(0);
  });

  it("fails a push it cannot read with the reason, forwarding nothing", async () => {
    const tight = await startPushProxy(server.url, { branchPrefix: "studio/" }, { maxBytes: 64 });
    try {
      await ok(["remote", "add", "tight", remoteUrl(tight.url)]);
      const before = await bareRefs();
      const posts = forwardedPushes();
      const result = await git(["push", "tight", "HEAD:refs/heads/studio/z"]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/^remote: The push updates too many refs \(over 64 bytes\)\.$/m);
      expect(await bareRefs()).toBe(before);
      expect(forwardedPushes()).toBe(posts);
    } finally {
      await tight.close();
    }
  });
});
