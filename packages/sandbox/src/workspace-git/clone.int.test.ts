// Clones through sandbox-agent's process API in a real local sandbox from the testkit's real git
// server (git http-backend), as the studio does through its gateway.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StepProgress } from "../types.ts";
import { cloneInto } from "./clone.ts";
import { WorkspaceGitError } from "./git.ts";
import { type GitHarness, hostGit, startGitHarness } from "./test-harness.ts";

let h: GitHarness;
const sha: Record<string, string> = {};

beforeAll(async () => {
  h = await startGitHarness();
  const bare = h.server.bareDir("public-demo");
  for (const rev of ["main", "main~1", "main~2", "feature/x", "v1^{commit}", "v2^{commit}"]) {
    sha[rev] = (await hostGit(bare, "rev-parse", rev)).trim();
  }
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const base = (dir: string, overrides: Partial<Parameters<typeof cloneInto>[1]> = {}) => ({
  workspaceDir: dir,
  remoteUrl: h.server.repoUrl("public-demo"),
  ref: null,
  refKind: null,
  fullHistory: false,
  workBranch: "studio/k3v9x2ab",
  env: {},
  ...overrides,
});

async function state(dir: string) {
  return {
    branch: (await h.sh(dir, "git symbolic-ref --short HEAD")).trim(),
    commits: Number((await h.sh(dir, "git rev-list --count HEAD")).trim()),
    files: (await h.sh(dir, "git ls-files")).trim().split("\n"),
    status: (await h.sh(dir, "git status --porcelain")).trim(),
  };
}

async function expectEmpty(dir: string) {
  expect((await h.sh(dir, "ls -A")).trim()).toBe("");
}

describe("cloneInto", () => {
  it("clones the default branch shallow, reports progress, and writes no token anywhere", async () => {
    const dir = await h.newDir();
    const progress: StepProgress[] = [];
    const token = "tok_should_never_be_written_1234";
    const result = await cloneInto(h.api, {
      ...base(dir),
      env: { STUDIO_GATEWAY_TOKEN: token },
      onProgress: (p) => progress.push(p),
    });
    expect(result).toEqual({ baseCommit: sha.main, defaultBranch: "main" });
    expect(await state(dir)).toEqual({
      branch: "studio/k3v9x2ab",
      commits: 1,
      files: ["README.md", "src/hello.txt"],
      status: "",
    });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ percent: 100 });
    expect(progress.at(-1)?.total).toBe(progress.at(-1)?.done);
    const config = await h.sh(dir, "cat .git/config");
    expect(config).toContain(`url = ${h.server.repoUrl("public-demo")}`);
    expect(config).toContain("STUDIO_GATEWAY_TOKEN");
    expect((await h.sh(dir, `grep -rl '${token}' .git || true`)).trim()).toBe("");
  });

  it("clones a branch with its full history", async () => {
    const dir = await h.newDir();
    const result = await cloneInto(
      h.api,
      base(dir, { ref: "feature/x", refKind: "branch", fullHistory: true }),
    );
    expect(result.baseCommit).toBe(sha["feature/x"]);
    const now = await state(dir);
    expect(now.commits).toBe(4);
    expect(now.files).toContain("feature.txt");
  });

  it("clones a lightweight and an annotated tag (the commit it points to)", async () => {
    const light = await h.newDir();
    expect((await cloneInto(h.api, base(light, { ref: "v1", refKind: "tag" }))).baseCommit).toBe(
      sha["v1^{commit}"],
    );
    expect(sha["v1^{commit}"]).toBe(sha["main~1"]);
    const annotated = await h.newDir();
    expect((await cloneInto(h.api, base(annotated, { ref: "v2", refKind: "tag" }))).baseCommit).toBe(
      sha.main,
    );
    expect((await state(annotated)).commits).toBe(1);
  });

  it("clones a commit by its id, shallow", async () => {
    const dir = await h.newDir();
    // git 2.39's http-backend speaks protocol v2, which hands out a reachable commit by its id: one
    // commit arrives (a full fetch, the fallback, would bring two).
    const result = await cloneInto(h.api, base(dir, { ref: sha["main~1"], refKind: "commit" }));
    expect(result.baseCommit).toBe(sha["main~1"]);
    expect(await state(dir)).toMatchObject({ commits: 1, files: ["README.md", "src/hello.txt"] });
  });

  it("clones a commit by an abbreviated id through a full fetch", async () => {
    const dir = await h.newDir();
    const result = await cloneInto(h.api, base(dir, { ref: sha["main~1"]!.slice(0, 10), refKind: "commit" }));
    expect(result.baseCommit).toBe(sha["main~1"]);
    expect(await state(dir)).toMatchObject({ commits: 2, files: ["README.md", "src/hello.txt"] });
  });

  it("fails cleanly on an unknown branch, tag or commit and leaves the workspace empty", async () => {
    const dir = await h.newDir();
    for (const wrong of [
      { ref: "no-such-branch", refKind: "branch" as const },
      { ref: "v99", refKind: "tag" as const },
      { ref: "0123456789abcdef0123456789abcdef01234567", refKind: "commit" as const },
    ]) {
      const error = await cloneInto(h.api, base(dir, wrong)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkspaceGitError);
      expect((error as WorkspaceGitError).reason).toBe("unknown_ref");
      expect((error as WorkspaceGitError).message).not.toContain(h.handle.workspaceDir);
      await expectEmpty(dir);
    }
  });

  it("says authentication failed for a private repository without naming the token", async () => {
    const dir = await h.newDir();
    const wrongToken = "wrong-token-value-5678";
    const error = (await cloneInto(h.api, {
      ...base(dir, { remoteUrl: h.server.repoUrl("private-demo") }),
      env: { STUDIO_GATEWAY_TOKEN: wrongToken },
    }).catch((e: unknown) => e)) as WorkspaceGitError;
    expect(error).toBeInstanceOf(WorkspaceGitError);
    expect(error.reason).toBe("auth_failed");
    expect(error.message).not.toContain(wrongToken);
    await expectEmpty(dir);
    // With the right credential the same private repository clones.
    const result = await cloneInto(h.api, {
      ...base(dir, { remoteUrl: h.server.repoUrl("private-demo") }),
      env: { STUDIO_GATEWAY_USERNAME: h.server.username, STUDIO_GATEWAY_TOKEN: h.server.token },
    });
    expect(result.defaultBranch).toBe("main");
  });

  it("says unreachable when nothing answers", async () => {
    const dir = await h.newDir();
    const error = (await cloneInto(h.api, base(dir, { remoteUrl: "http://127.0.0.1:9/api/git/x" })).catch(
      (e: unknown) => e,
    )) as WorkspaceGitError;
    expect(error.reason).toBe("unreachable");
    await expectEmpty(dir);
  });

  it("refuses refs and branches that git would take as options", async () => {
    const dir = await h.newDir();
    for (const hostile of [
      { ref: "--upload-pack=touch /tmp/pwned", refKind: "branch" as const },
      { ref: "--upload-pack=x", refKind: null },
      { ref: "main", refKind: "branch" as const, workBranch: "-f" },
      { ref: "HEAD~1", refKind: "commit" as const },
    ]) {
      const error = (await cloneInto(h.api, base(dir, hostile)).catch(
        (e: unknown) => e,
      )) as WorkspaceGitError;
      expect(error.reason).toBe("invalid_input");
    }
    await expectEmpty(dir);
  });
});
