// The panel's reads in a real local sandbox (sandbox-agent under the local provider), over a
// workspace the test changes with git and files on the host: tree, content, changes and diffs,
// symlinks and paths that try to leave.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBase } from "../workspace-git/operations.ts";
import { type GitHarness, startGitHarness } from "../workspace-git/test-harness.ts";
import { fileDiff, listFolder, readWorkspaceFile, workspaceChanges } from "./operations.ts";
import { WorkspacePathError } from "./parse.ts";

let h: GitHarness;
let dir: string;
let baseCommit: string;

beforeAll(async () => {
  h = await startGitHarness();
  dir = await h.newDir();
  // The test plays the agent from the host, where the sandbox's workspace has another path.
  const host = h.onHost(dir);
  const put = (file: string, content: string | Buffer) => {
    mkdirSync(path.dirname(path.join(host, file)), { recursive: true });
    writeFileSync(path.join(host, file), content);
  };
  put(".gitignore", "*.log\nout/\n");
  put("src/app.ts", "export const a = 1;\n");
  put("src/keep.ts", Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n"));
  put("docs/old.md", "# Old\n\nSome words that stay the same across the rename.\n".repeat(5));
  put("gone/x.txt", "x\n");
  put("gone/y.txt", "y\n");
  put("remove-me.txt", "bye\n");
  put("dist/app.js", "v1\n");
  ({ baseCommit } = await initBase(h.api, { workspaceDir: dir }));
  // The agent's work.
  put("src/app.ts", "export const a = 2;\nexport const b = 3;\n");
  put("src/new.ts", "export {};\n");
  put("debug.log", "noise\n");
  put(":(glob)*.log", "noise\n");
  put('wéird\n"name".log', "noise\n");
  put("node_modules/pkg/index.js", "module.exports = 1;\n");
  // A noise folder: its tracked file's change shows, a new file in it does not.
  put("dist/app.js", "v2\n");
  put("dist/chunk.js", "new\n");
  put("out/bundle.js", "x\n");
  put("image.bin", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 0]));
  put("big.txt", `${"é".repeat(600 * 1024)}tail`);
  rmSync(path.join(host, "remove-me.txt"));
  rmSync(path.join(host, "gone"), { recursive: true });
  await h.sh(dir, "mv docs/old.md docs/new.md");
  symlinkSync("/etc/passwd", path.join(host, "escape"));
  symlinkSync("src/app.ts", path.join(host, "inside"));
  symlinkSync("/etc", path.join(host, "etc-dir"));
}, 90_000);

afterAll(async () => {
  await h?.close();
});

const opts = () => ({ workspaceDir: dir, baseCommit });

describe("listFolder", () => {
  it("lists the root: folders first, ignored dimmed, changes marked, deletions shown", async () => {
    const listing = await listFolder(h.api, { ...opts(), path: "" });
    const byName = Object.fromEntries(listing.entries.map((entry) => [entry.name, entry]));
    expect(listing.entries.map((entry) => entry.name)).toEqual([
      ".git",
      "dist",
      "docs",
      "gone",
      "node_modules",
      "out",
      "src",
      ".gitignore",
      ":(glob)*.log",
      "big.txt",
      "debug.log",
      "escape",
      "etc-dir",
      "image.bin",
      "inside",
      "remove-me.txt",
      'wéird\n"name".log',
    ]);
    expect(byName['wéird\n"name".log']).toMatchObject({ ignored: true, change: null });
    expect(byName[":(glob)*.log"]).toMatchObject({ ignored: true });
    expect(byName[".git"]).toMatchObject({ kind: "directory", ignored: true, change: null });
    // Dimmed by its name alone, and its untracked files are not changes (nor hashed on every read).
    expect(byName.node_modules).toMatchObject({ ignored: true, change: null });
    expect(byName.dist).toMatchObject({ ignored: true, change: "modified" });
    expect(byName.out).toMatchObject({ ignored: true });
    expect(byName["debug.log"]).toMatchObject({ ignored: true, change: null });
    expect(byName.src).toMatchObject({ kind: "directory", ignored: false, change: "modified", size: null });
    expect(byName.docs).toMatchObject({ change: "modified" });
    expect(byName.gone).toMatchObject({ kind: "directory", change: "deleted", size: null });
    expect(byName["remove-me.txt"]).toMatchObject({ kind: "file", size: null, change: "deleted" });
    expect(byName["image.bin"]).toMatchObject({ kind: "file", size: 10, change: "added" });
    expect(byName.escape).toMatchObject({ kind: "symlink", change: "added" });
    expect(byName[".gitignore"]).toMatchObject({ change: null, ignored: false });
    expect(listing.truncated).toBe(false);
  });

  it("lists a folder with its marks, and a rename as renamed", async () => {
    const src = await listFolder(h.api, { ...opts(), path: "src/" });
    expect(src.path).toBe("src");
    expect(src.entries.map((entry) => [entry.path, entry.change])).toEqual([
      ["src/app.ts", "modified"],
      ["src/keep.ts", null],
      ["src/new.ts", "added"],
    ]);
    const docs = await listFolder(h.api, { ...opts(), path: "docs" });
    expect(docs.entries.map((entry) => [entry.name, entry.change])).toEqual([["new.md", "renamed"]]);
    const modules = await listFolder(h.api, { ...opts(), path: "node_modules/pkg" });
    expect(modules.entries).toEqual([
      {
        name: "index.js",
        path: "node_modules/pkg/index.js",
        kind: "file",
        size: 20,
        ignored: true,
        change: null,
      },
    ]);
  });

  it("refuses symlinked folders, files and paths that leave", async () => {
    for (const bad of ["etc-dir", "etc-dir/ssl", "../", "/etc", "a/../../b", "src/app.ts"]) {
      await expect(listFolder(h.api, { ...opts(), path: bad }), bad).rejects.toBeInstanceOf(
        WorkspacePathError,
      );
    }
    await expect(listFolder(h.api, { ...opts(), path: "nowhere" })).rejects.toMatchObject({
      reason: "not_found",
    });
  });
});

describe("readWorkspaceFile", () => {
  it("reads text, binary, big, missing, folders and symlinks", async () => {
    expect(await readWorkspaceFile(h.api, { ...opts(), path: "src/app.ts" })).toEqual({
      path: "src/app.ts",
      kind: "text",
      size: 40,
      content: "export const a = 2;\nexport const b = 3;\n",
      truncated: false,
      target: null,
    });
    expect(await readWorkspaceFile(h.api, { ...opts(), path: "image.bin" })).toMatchObject({
      kind: "binary",
      size: 10,
      content: null,
    });
    const big = await readWorkspaceFile(h.api, { ...opts(), path: "big.txt" });
    expect(big).toMatchObject({ kind: "text", size: 600 * 1024 * 2 + 4, truncated: true });
    expect(Buffer.byteLength(big.content!)).toBe(1024 * 1024);
    expect(big.content!.endsWith("é")).toBe(true);
    expect(await readWorkspaceFile(h.api, { ...opts(), path: "remove-me.txt" })).toMatchObject({
      kind: "missing",
      content: null,
    });
    expect(await readWorkspaceFile(h.api, { ...opts(), path: "src" })).toMatchObject({ kind: "directory" });
    expect(await readWorkspaceFile(h.api, { ...opts(), path: "inside" })).toMatchObject({
      kind: "symlink",
      target: "src/app.ts",
      content: null,
    });
    for (const bad of ["escape", "etc-dir/passwd", "../x", "/etc/passwd", "a/../../b", "x\0y", "a\\b"]) {
      await expect(readWorkspaceFile(h.api, { ...opts(), path: bad }), bad).rejects.toBeInstanceOf(
        WorkspacePathError,
      );
    }
  });
});

describe("workspaceChanges and fileDiff", () => {
  it("lists every change with counts and a rename", async () => {
    const changes = await workspaceChanges(h.api, opts());
    expect(changes.baseCommit).toBe(baseCommit);
    const dist = await listFolder(h.api, { ...opts(), path: "dist" });
    expect(dist.entries.map((entry) => [entry.name, entry.change])).toEqual([
      ["app.js", "modified"],
      ["chunk.js", null],
    ]);
    expect(
      changes.files.map((file) => [
        file.path,
        file.status,
        file.oldPath,
        file.additions,
        file.deletions,
        file.binary,
      ]),
    ).toEqual([
      ["big.txt", "added", null, 1, 0, false],
      ["dist/app.js", "modified", null, 1, 1, false],
      ["docs/new.md", "renamed", "docs/old.md", 0, 0, false],
      ["escape", "added", null, 1, 0, false],
      ["etc-dir", "added", null, 1, 0, false],
      ["gone/x.txt", "deleted", null, 0, 1, false],
      ["gone/y.txt", "deleted", null, 0, 1, false],
      ["image.bin", "added", null, null, null, true],
      ["inside", "added", null, 1, 0, false],
      ["remove-me.txt", "deleted", null, 0, 1, false],
      ["src/app.ts", "modified", null, 2, 1, false],
      ["src/new.ts", "added", null, 1, 0, false],
    ]);
    expect(changes.totals).toEqual({ files: 12, additions: 8, deletions: 5 });
    expect(changes.truncated).toBe(false);
    // The agent's own index is untouched.
    expect((await h.sh(dir, "git status --porcelain --untracked-files=no")).trim()).toContain(
      "D remove-me.txt",
    );
  });

  it("gives both sides of a change", async () => {
    expect(await fileDiff(h.api, { ...opts(), path: "src/app.ts" })).toEqual({
      path: "src/app.ts",
      oldPath: null,
      status: "modified",
      binary: false,
      oldContent: "export const a = 1;\n",
      newContent: "export const a = 2;\nexport const b = 3;\n",
      truncated: false,
    });
    expect(await fileDiff(h.api, { ...opts(), path: "docs/new.md" })).toMatchObject({
      oldPath: "docs/old.md",
      status: "renamed",
      oldContent: expect.stringContaining("# Old"),
      newContent: expect.stringContaining("# Old"),
    });
    expect(await fileDiff(h.api, { ...opts(), path: "remove-me.txt" })).toMatchObject({
      status: "deleted",
      oldContent: "bye\n",
      newContent: null,
    });
    expect(await fileDiff(h.api, { ...opts(), path: "image.bin" })).toMatchObject({
      binary: true,
      oldContent: null,
      newContent: null,
    });
    expect(await fileDiff(h.api, { ...opts(), path: "big.txt" })).toMatchObject({
      truncated: true,
      oldContent: null,
      newContent: null,
    });
    expect(await fileDiff(h.api, { ...opts(), path: "docs/old.md" })).toMatchObject({
      path: "docs/new.md",
      oldPath: "docs/old.md",
      status: "renamed",
    });
    expect(await fileDiff(h.api, { ...opts(), path: "escape" })).toMatchObject({
      status: "added",
      oldContent: null,
      newContent: null,
    });
    expect(await fileDiff(h.api, { ...opts(), path: "inside" })).toMatchObject({ newContent: "src/app.ts" });
    await expect(fileDiff(h.api, { ...opts(), path: "src/keep.ts" })).rejects.toMatchObject({
      reason: "not_found",
    });
    await expect(fileDiff(h.api, { ...opts(), path: "../etc/passwd" })).rejects.toBeInstanceOf(
      WorkspacePathError,
    );
  });
});
