// initBase, commitAll, push, changesPatch and workspaceArchive in a real local sandbox, against
// the testkit's real git server, checked with git and tar on the host.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloneInto } from "./clone.ts";
import { WorkspaceGitError } from "./git.ts";
import { changesPatch, commitAll, initBase, push, workspaceArchive } from "./operations.ts";
import { type GitHarness, hostGit, readAll, startGitHarness } from "./test-harness.ts";

let h: GitHarness;

beforeAll(async () => {
  h = await startGitHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const author = { name: "Ada Person", email: "ada@example.invalid" };
const pushEnv = () => ({ STUDIO_GATEWAY_USERNAME: h.server.username, STUDIO_GATEWAY_TOKEN: h.server.token });

async function clone(workBranch = "studio/ops") {
  const dir = await h.newDir();
  const { baseCommit } = await cloneInto(h.api, {
    workspaceDir: dir,
    remoteUrl: h.server.repoUrl("public-demo"),
    ref: null,
    refKind: null,
    fullHistory: false,
    workBranch,
    env: {},
  });
  return { dir, baseCommit };
}

/** A host directory as a tar stream, made by the host's tar (the upload path's real input). */
function tarOf(dir: string): Readable {
  const child = spawn("tar", ["-c", "-C", dir, "."], { stdio: ["ignore", "pipe", "inherit"] });
  return child.stdout;
}

/** Lists the entries of a tar.gz given as a buffer, with the host's tar. */
async function tarEntries(archive: Buffer): Promise<string[]> {
  const child = spawn("tar", ["-tzf", "-"], { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin.end(archive);
  const listing = (await readAll(child.stdout)).toString();
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(code).toBe(0);
  return listing.trim().split("\n");
}

describe("initBase", () => {
  it("makes an empty starting point in an empty workspace", async () => {
    const dir = await h.newDir();
    const { baseCommit } = await initBase(h.api, { workspaceDir: dir });
    expect(baseCommit).toMatch(/^[0-9a-f]{40}$/);
    expect((await h.sh(dir, "git log --format='%an <%ae>|%s|%H'")).trim()).toBe(
      `Studio <studio@localhost>|Starting point|${baseCommit}`,
    );
    expect((await h.sh(dir, "git symbolic-ref --short HEAD")).trim()).toBe("main");
    expect((await h.sh(dir, "git ls-tree -r HEAD")).trim()).toBe("");
  });

  it("commits an uploaded tree (uploadTar streams the host's tar)", async () => {
    const host = h.hostDir();
    mkdirSync(path.join(host, "src"));
    writeFileSync(path.join(host, "src/app.ts"), "export const x = 1;\n");
    writeFileSync(path.join(host, ".gitignore"), "secret.txt\n");
    writeFileSync(path.join(host, "secret.txt"), "ignored\n");
    const dir = await h.newDir();
    const uploaded = await h.api.uploadTar(dir, tarOf(host));
    expect(uploaded.truncated).toBe(false);
    const { baseCommit } = await initBase(h.api, { workspaceDir: dir });
    expect((await h.sh(dir, "git ls-tree -r --name-only HEAD")).trim().split("\n")).toEqual([
      ".gitignore",
      "src/app.ts",
    ]);
    expect((await h.sh(dir, "git rev-parse HEAD")).trim()).toBe(baseCommit);
  });

  it("keeps an uploaded repository's history: its HEAD when clean, a commit on top when dirty", async () => {
    const host = h.hostDir();
    writeFileSync(path.join(host, "a.txt"), "one\n");
    await hostGit(host, "init", "-q", "-b", "trunk");
    await hostGit(host, "add", "-A");
    await hostGit(host, "commit", "-q", "-m", "Theirs");
    const theirs = (await hostGit(host, "rev-parse", "HEAD")).trim();

    const clean = await h.newDir();
    await h.api.uploadTar(clean, tarOf(host));
    expect(await initBase(h.api, { workspaceDir: clean })).toEqual({ baseCommit: theirs });

    writeFileSync(path.join(host, "a.txt"), "two\n");
    const dirty = await h.newDir();
    await h.api.uploadTar(dirty, tarOf(host));
    const { baseCommit } = await initBase(h.api, { workspaceDir: dirty });
    expect(baseCommit).not.toBe(theirs);
    expect((await h.sh(dirty, "git log --format=%s")).trim().split("\n")).toEqual([
      "Starting point",
      "Theirs",
    ]);
    expect((await h.sh(dirty, "git symbolic-ref --short HEAD")).trim()).toBe("trunk");
  });

  it("drops an uploaded .git that is a link or a bare repository, and makes its own", async () => {
    const dir = await h.newDir();
    await h.sh(dir, "echo 'gitdir: /etc' > .git && echo a > a.txt");
    const linked = await initBase(h.api, { workspaceDir: dir });
    expect((await h.sh(dir, "git log --format=%s")).trim()).toBe("Starting point");
    expect((await h.sh(dir, "git rev-parse HEAD")).trim()).toBe(linked.baseCommit);
    const bare = await h.newDir();
    await h.sh(bare, "git init -q --bare .git && echo b > b.txt");
    await initBase(h.api, { workspaceDir: bare });
    expect((await h.sh(bare, "git ls-tree -r --name-only HEAD")).trim()).toBe("b.txt");
    const linkTarget = await h.newDir();
    await h.sh(linkTarget, "git init -q && echo keep > keep.txt");
    const symlinked = await h.newDir();
    await h.sh(symlinked, `ln -s '${linkTarget}/.git' .git && echo c > c.txt`);
    await initBase(h.api, { workspaceDir: symlinked });
    expect((await h.sh(symlinked, "git ls-tree -r --name-only HEAD")).trim()).toBe("c.txt");
    // The repository the link pointed to is untouched.
    expect((await h.sh(linkTarget, "test -f .git/HEAD && git rev-list --all | wc -l")).trim()).toBe("0");
  });
});

describe("commitAll and push", () => {
  it("commits everything, says when there is nothing, and pushes to the git server", async () => {
    const { dir, baseCommit } = await clone("studio/push1");
    await h.sh(dir, "echo new > new.txt && rm src/hello.txt && echo more >> README.md");
    const { commit } = await commitAll(h.api, { workspaceDir: dir, message: "Work", author, env: {} });
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect((await h.sh(dir, "git log -1 --format='%an <%ae>|%P|%s'")).trim()).toBe(
      `Ada Person <ada@example.invalid>|${baseCommit}|Work`,
    );
    expect((await h.sh(dir, "git status --porcelain")).trim()).toBe("");
    expect(await commitAll(h.api, { workspaceDir: dir, message: "Again", author, env: {} })).toEqual({
      commit: null,
    });

    const outcome = await push(h.api, {
      workspaceDir: dir,
      branch: "studio/push1",
      env: pushEnv(),
      remoteUrl: h.server.repoUrl("public-demo"),
    });
    expect(outcome).toMatchObject({ pushed: true, refusal: null });
    expect(outcome.output).not.toContain(h.server.token);
    const bare = h.server.bareDir("public-demo");
    expect((await hostGit(bare, "rev-parse", "refs/heads/studio/push1")).trim()).toBe(commit);
  });

  it("returns the remote's refusal, and throws when the credential is wrong", async () => {
    const { dir } = await clone("studio/push2");
    await h.sh(dir, "echo x > x.txt");
    await commitAll(h.api, { workspaceDir: dir, message: "X", author, env: {} });
    const hook = path.join(h.server.bareDir("public-demo"), "hooks", "pre-receive");
    writeFileSync(hook, "#!/bin/sh\necho 'studio/push2 is protected' >&2\nexit 1\n", { mode: 0o755 });
    try {
      const outcome = await push(h.api, { workspaceDir: dir, branch: "studio/push2", env: pushEnv() });
      expect(outcome.pushed).toBe(false);
      expect(outcome.refusal).toBe("pre-receive hook declined");
      expect(outcome.output).toContain("studio/push2 is protected");
    } finally {
      rmSync(hook);
    }
    const wrong = "wrong-push-token-9876";
    const error = (await push(h.api, {
      workspaceDir: dir,
      branch: "studio/push2",
      env: { STUDIO_GATEWAY_TOKEN: wrong },
    }).catch((e: unknown) => e)) as WorkspaceGitError;
    expect(error).toBeInstanceOf(WorkspaceGitError);
    expect(error.reason).toBe("auth_failed");
    expect(error.message).not.toContain(wrong);
  });

  it("runs none of the repository's hooks or fsmonitor, and leaks no token to them", async () => {
    const { dir } = await clone("studio/hostile");
    // What an agent (or a hostile upload) can leave in .git and in the sandbox's HOME.
    await h.sh(
      dir,
      [
        "mkdir -p .git/evil",
        "for hook in pre-commit commit-msg post-commit pre-push reference-transaction; do",
        `  printf '#!/bin/sh\\necho "$0 $STUDIO_GATEWAY_TOKEN" >> /tmp/hook-ran\\n' > .git/hooks/$hook; chmod +x .git/hooks/$hook`,
        "  cp .git/hooks/$hook .git/evil/$hook",
        "done",
        "git config core.hooksPath .git/evil",
        `printf '#!/bin/sh\\necho "fsmonitor $STUDIO_GATEWAY_TOKEN" >> /tmp/hook-ran\\n' > .git/evil/fsmon; chmod +x .git/evil/fsmon`,
        "git config core.fsmonitor .git/evil/fsmon",
        "git config --add credential.helper '!f() { echo \"$STUDIO_GATEWAY_TOKEN\" >> /tmp/hook-ran; }; f'",
        "echo change > change.txt",
      ].join("\n"),
    );
    await commitAll(h.api, { workspaceDir: dir, message: "Hostile", author, env: pushEnv() });
    const outcome = await push(h.api, {
      workspaceDir: dir,
      branch: "studio/hostile",
      env: pushEnv(),
      remoteUrl: h.server.repoUrl("public-demo"),
    });
    expect(outcome.pushed).toBe(true);
    expect((await h.sh(dir, "cat /tmp/hook-ran 2>/dev/null || true")).trim()).toBe("");
    // Config that would send the push (and the token) elsewhere is refused before git runs.
    for (const [key, value] of [
      [`url.http://127.0.0.1:9/evil/.insteadOf`, h.server.url],
      [`credential.${h.server.url}.helper`, "!f() { echo leaked >> /tmp/hook-ran; }; f"],
      ["http.proxy", "http://127.0.0.1:9"],
    ]) {
      await h.sh(dir, `git config '${key}' '${value}'`);
      const error = (await push(h.api, {
        workspaceDir: dir,
        branch: "studio/hostile",
        env: pushEnv(),
        remoteUrl: h.server.repoUrl("public-demo"),
      }).catch((e: unknown) => e)) as WorkspaceGitError;
      expect(error.reason).toBe("unsafe_config");
      await h.sh(dir, `git config --unset '${key}'`);
    }
    expect((await h.sh(dir, "cat /tmp/hook-ran 2>/dev/null || true")).trim()).toBe("");
    // Control: plain git in the same repository does run them, so the check above can fail.
    await h.sh(
      dir,
      "STUDIO_GATEWAY_TOKEN=control git -c user.name=x -c user.email=x@x commit -q --allow-empty -m c",
    );
    expect(await h.sh(dir, "cat /tmp/hook-ran; rm -f /tmp/hook-ran")).toContain("pre-commit control");
  });
});

describe("changesPatch", () => {
  it("is everything since the base (binary, new, deleted files) and leaves the index alone", async () => {
    const { dir, baseCommit } = await clone("studio/patch");
    await h.sh(
      dir,
      [
        "echo changed >> README.md",
        "git add README.md", // staged by the person: must stay exactly so
        "rm src/hello.txt",
        "mkdir -p assets && head -c 2048 /dev/urandom > assets/blob.bin",
        "printf 'brand new\\n' > new.txt",
        "echo ignored.txt > .gitignore && echo secret > ignored.txt",
      ].join("\n"),
    );
    const statusBefore = await h.sh(dir, "git status --porcelain");
    const indexBefore = await h.sh(dir, "git ls-files --stage");
    const patch = await readAll(await changesPatch(h.api, { workspaceDir: dir, baseCommit, env: {} }));
    expect(await h.sh(dir, "git status --porcelain")).toBe(statusBefore);
    expect(await h.sh(dir, "git ls-files --stage")).toBe(indexBefore);
    expect(patch.toString()).toContain("GIT binary patch");
    expect(patch.toString()).not.toContain("secret");
    // The temp index and patch are gone (the sandbox's /tmp also shows the test's sandbox root).
    await expect
      .poll(async () => (await h.sh("/tmp", "ls /tmp | grep -E '^studio-(index|patch)-' || true")).trim())
      .toBe("");

    // Applied to a fresh clone of the base on the host, it gives the same tree.
    const host = h.hostDir();
    await hostGit(host, "clone", "-q", h.server.bareDir("public-demo"), "repo");
    const repo = path.join(host, "repo");
    await hostGit(repo, "checkout", "-q", baseCommit);
    writeFileSync(path.join(host, "changes.patch"), patch);
    await hostGit(repo, "apply", "--index", path.join(host, "changes.patch"));
    const hostTree = (await hostGit(repo, "write-tree")).trim();
    const sandboxTree = (
      await h.sh(
        dir,
        "cp .git/index /tmp/t-index && GIT_INDEX_FILE=/tmp/t-index git add -A && GIT_INDEX_FILE=/tmp/t-index git write-tree; rm -f /tmp/t-index",
      )
    ).trim();
    expect(hostTree).toBe(sandboxTree);
    expect(readFileSync(path.join(repo, "assets/blob.bin")).length).toBe(2048);
  });

  it("is empty when nothing changed", async () => {
    const { dir, baseCommit } = await clone("studio/nochange");
    const patch = await readAll(await changesPatch(h.api, { workspaceDir: dir, baseCommit, env: {} }));
    expect(patch.length).toBe(0);
  });

  it("refuses a base that is not a commit id", async () => {
    const { dir } = await clone("studio/badbase");
    const error = (await changesPatch(h.api, { workspaceDir: dir, baseCommit: "--output=/etc/x" }).catch(
      (e: unknown) => e,
    )) as WorkspaceGitError;
    expect(error.reason).toBe("invalid_input");
  });
});

describe("changesPatch, racily", () => {
  it("sees a file changed within the second its base was committed, keeping its size", async () => {
    const dir = await h.newDir();
    await h.sh(dir, "printf 'aaaa\\n' > f.txt");
    const { baseCommit } = await initBase(h.api, { workspaceDir: dir });
    // Same size, same second as the index was written: only the index file's own time tells git
    // to look at the contents, so a copy of the index must keep it.
    await h.sh(dir, "printf 'bbbb\\n' > f.txt && sleep 1.2");
    const patch = (
      await readAll(await changesPatch(h.api, { workspaceDir: dir, baseCommit, env: {} }))
    ).toString();
    expect(patch).toContain("+bbbb");
  });
});

describe("workspaceArchive", () => {
  it("streams a tar.gz of the workspace, with or without .git, and removes its temp file", async () => {
    const { dir } = await clone("studio/archive");
    const without = await tarEntries(
      await readAll(
        await workspaceArchive(h.api, { workspaceDir: dir, format: "tar.gz", includeGit: false }),
      ),
    );
    expect(without).toContain("./README.md");
    expect(without).toContain("./src/hello.txt");
    expect(without.some((entry) => entry.startsWith("./.git"))).toBe(false);
    const withGit = await tarEntries(
      await readAll(await workspaceArchive(h.api, { workspaceDir: dir, format: "tar.gz", includeGit: true })),
    );
    expect(withGit).toContain("./.git/HEAD");
    await expect
      .poll(async () => (await h.sh("/tmp", "ls /tmp | grep '^studio-archive' || true")).trim())
      .toBe("");
  });
});
