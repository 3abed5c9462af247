// The workspace panel end to end: a real studio process, its local sandbox running the real
// sandbox-agent and OpenCode, a scripted agent that adds, edits, deletes and renames files, and the
// `workspace.*` procedures reading the tree, the files, the changes and their diffs from inside
// the sandbox. Hostile paths, another organisation and a stop/resume included.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useDataDirs } from "./testing/data-dirs.ts";
import { useLiveStudio } from "./testing/live-studio.ts";
import type { collectEvents } from "./testing/session-events.ts";
import { signUpAccount } from "./testing/studio-process.ts";

const live = useLiveStudio();
const newDir = useDataDirs();

const APP_BEFORE = ["export function add(a: number, b: number) {", "  return a + b;", "}", ""].join("\n");
const GUIDE = `${Array.from({ length: 30 }, (_, i) => `Step ${i + 1}: read the guide carefully.`).join("\n")}\n`;

let sessionId: string;
let workspace: string;
let events: ReturnType<typeof collectEvents>;

/** Answers every permission prompt with "allow once" until the turn after `after` ends. */
async function finishTurn(after: number) {
  const answered = new Set<string>();
  for (;;) {
    const ended = events.events.find((event) => event.type === "turn_ended" && event.seq > after);
    if (ended) return;
    for (const event of events.events) {
      if (event.type !== "permission_requested" || event.seq <= after || answered.has(event.interactionId))
        continue;
      answered.add(event.interactionId);
      const allow = event.options.find((option) => option.kind === "allow_once")!;
      await live.client.sessions.respondToPermission.mutate({
        sessionId,
        interactionId: event.interactionId,
        optionId: allow.optionId,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { data?: { code?: string } }).data?.code ?? String(error);
  }
  throw new Error("expected the call to be refused");
}

beforeAll(async () => {
  // The project as uploaded: the session's base.
  const dir = newDir("workspace-panel-");
  const project = path.join(dir, "project");
  mkdirSync(path.join(project, "src"), { recursive: true });
  mkdirSync(path.join(project, "docs"), { recursive: true });
  writeFileSync(path.join(project, "README.md"), "# Panel test\n");
  writeFileSync(path.join(project, ".gitignore"), "node_modules/\n*.log\n");
  writeFileSync(path.join(project, "src/app.ts"), APP_BEFORE);
  writeFileSync(path.join(project, "src/util.ts"), "export const unchanged = true;\n");
  writeFileSync(path.join(project, "docs/guide.md"), GUIDE);
  writeFileSync(path.join(project, "old.txt"), "to be deleted\n");
  execFileSync("tar", ["-czf", "project.tar.gz", "project"], { cwd: dir });
  const uploaded = await fetch(`${live.url}/api/uploads?name=project.tar.gz`, {
    method: "POST",
    headers: { authorization: `Bearer ${live.token}` },
    body: readFileSync(path.join(dir, "project.tar.gz")),
  });
  expect(uploaded.status).toBe(200);
  const { uploadId } = (await uploaded.json()) as { uploadId: string };
  const started = await live.startSession({ kind: "upload", uploadId });
  sessionId = started.session.id;
  events = started.events;
  workspace = await live.workspaceOf(sessionId);

  // The agent's turn: a new file with its write tool, then a rename, a deletion and an edit in bash.
  live.upstream.enqueue(
    [
      {
        toolCall: {
          name: "write",
          arguments: {
            filePath: path.join(await live.agentWorkspaceOf(sessionId), "notes.md"),
            content: "# Notes\n\nWritten by the agent.\n",
          },
        },
      },
    ],
    [
      {
        toolCall: {
          name: "bash",
          arguments: {
            command:
              "git mv docs/guide.md docs/handbook.md && rm old.txt && printf 'export const two = add(1, 1);\\n' >> src/app.ts",
            description: "Rename, delete and edit",
          },
        },
      },
    ],
    [{ text: "Done." }],
  );
  const before = events.events.at(-1)?.seq ?? 0;
  await live.client.sessions.sendMessage.mutate({ sessionId, text: "tidy the project" });
  await finishTurn(before);
  expect(readFileSync(path.join(workspace, "notes.md"), "utf8")).toContain("Written by the agent.");

  // What a tool could also leave: a binary file, a 5 MB file, dependencies, logs, symlinks.
  writeFileSync(
    path.join(workspace, "image.png"),
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  );
  writeFileSync(path.join(workspace, "big.txt"), `${"0123456789abcdef\n".repeat((5 * 1024 * 1024) / 17)}`);
  mkdirSync(path.join(workspace, "node_modules/left-pad"), { recursive: true });
  writeFileSync(path.join(workspace, "node_modules/left-pad/index.js"), "module.exports = 1;\n");
  writeFileSync(path.join(workspace, "server.log"), "noise\n");
  symlinkSync("/etc/passwd", path.join(workspace, "outside"));
  symlinkSync("/etc", path.join(workspace, "etc"));
  symlinkSync("src/app.ts", path.join(workspace, "app-link"));
}, 240_000);

afterAll(() => events?.stop());

const EXPECTED_CHANGES = [
  ["app-link", "added", null],
  ["big.txt", "added", null],
  ["docs/handbook.md", "renamed", "docs/guide.md"],
  ["etc", "added", null],
  ["image.png", "added", null],
  ["notes.md", "added", null],
  ["old.txt", "deleted", null],
  ["outside", "added", null],
  ["src/app.ts", "modified", null],
];

describe("the workspace panel", { timeout: 120_000 }, () => {
  it("lists the tree with ignored folders dimmed and changes marked", async () => {
    const root = await live.client.workspace.list.query({ sessionId, path: "" });
    expect(root.path).toBe("");
    expect(root.truncated).toBe(false);
    expect(root.entries.map((entry) => [entry.name, entry.kind, entry.ignored, entry.change])).toEqual([
      [".git", "directory", true, null],
      ["docs", "directory", false, "modified"],
      ["node_modules", "directory", true, null],
      ["src", "directory", false, "modified"],
      [".gitignore", "file", false, null],
      ["app-link", "symlink", false, "added"],
      ["big.txt", "file", false, "added"],
      ["etc", "symlink", false, "added"],
      ["image.png", "file", false, "added"],
      ["notes.md", "file", false, "added"],
      ["old.txt", "file", false, "deleted"],
      ["outside", "symlink", false, "added"],
      ["README.md", "file", false, null],
      ["server.log", "file", true, null],
    ]);
    const big = root.entries.find((entry) => entry.name === "big.txt")!;
    expect(big.size).toBeGreaterThan(5_000_000);
    expect(root.entries.find((entry) => entry.name === "old.txt")!.size).toBeNull();

    const src = await live.client.workspace.list.query({ sessionId, path: "src" });
    expect(src.entries.map((entry) => [entry.path, entry.change])).toEqual([
      ["src/app.ts", "modified"],
      ["src/util.ts", null],
    ]);
    const docs = await live.client.workspace.list.query({ sessionId, path: "docs/" });
    expect(docs.entries.map((entry) => [entry.path, entry.change])).toEqual([
      ["docs/handbook.md", "renamed"],
    ]);
    // An ignored folder can still be opened.
    const modules = await live.client.workspace.list.query({ sessionId, path: "node_modules" });
    expect(modules.entries).toEqual([
      {
        name: "left-pad",
        path: "node_modules/left-pad",
        kind: "directory",
        size: null,
        ignored: true,
        change: null,
      },
    ]);
  });

  it("shows text, binary, big, missing and linked files", async () => {
    expect(await live.client.workspace.file.query({ sessionId, path: "notes.md" })).toEqual({
      path: "notes.md",
      kind: "text",
      size: 31,
      content: "# Notes\n\nWritten by the agent.\n",
      truncated: false,
      target: null,
    });
    expect(await live.client.workspace.file.query({ sessionId, path: "image.png" })).toMatchObject({
      kind: "binary",
      size: 12,
      content: null,
    });
    const big = await live.client.workspace.file.query({ sessionId, path: "big.txt" });
    expect(big).toMatchObject({ kind: "text", truncated: true });
    expect(big.size).toBeGreaterThan(5_000_000);
    expect(big.content!.length).toBe(1024 * 1024);
    expect(big.content!.startsWith("0123456789abcdef\n")).toBe(true);
    expect(await live.client.workspace.file.query({ sessionId, path: "old.txt" })).toMatchObject({
      kind: "missing",
      content: null,
    });
    expect(await live.client.workspace.file.query({ sessionId, path: "src" })).toMatchObject({
      kind: "directory",
    });
    expect(await live.client.workspace.file.query({ sessionId, path: "app-link" })).toMatchObject({
      kind: "symlink",
      target: "src/app.ts",
      content: null,
    });
  });

  it("lists every change since the base with counts and the rename", async () => {
    const changes = await live.client.workspace.changes.query({ sessionId });
    const view = await live.client.sessions.get.query({ sessionId });
    expect(changes.baseCommit).toBe(view.baseCommit);
    expect(changes.files.map((file) => [file.path, file.status, file.oldPath])).toEqual(EXPECTED_CHANGES);
    const byPath = Object.fromEntries(changes.files.map((file) => [file.path, file]));
    expect(byPath["src/app.ts"]).toMatchObject({ additions: 1, deletions: 0, binary: false });
    expect(byPath["notes.md"]).toMatchObject({ additions: 3, deletions: 0 });
    expect(byPath["old.txt"]).toMatchObject({ additions: 0, deletions: 1 });
    expect(byPath["image.png"]).toMatchObject({ additions: null, deletions: null, binary: true });
    expect(byPath["docs/handbook.md"]).toMatchObject({ additions: 0, deletions: 0 });
    expect(changes.totals.files).toBe(EXPECTED_CHANGES.length);
    expect(changes.totals.additions).toBe(
      changes.files.reduce((sum, file) => sum + (file.additions ?? 0), 0),
    );
    expect(changes.truncated).toBe(false);
  });

  it("opens a change as a diff", async () => {
    expect(await live.client.workspace.diff.query({ sessionId, path: "src/app.ts" })).toEqual({
      path: "src/app.ts",
      oldPath: null,
      status: "modified",
      binary: false,
      oldContent: APP_BEFORE,
      newContent: `${APP_BEFORE}export const two = add(1, 1);\n`,
      truncated: false,
    });
    expect(await live.client.workspace.diff.query({ sessionId, path: "docs/handbook.md" })).toMatchObject({
      oldPath: "docs/guide.md",
      status: "renamed",
      oldContent: GUIDE,
      newContent: GUIDE,
    });
    expect(await live.client.workspace.diff.query({ sessionId, path: "old.txt" })).toMatchObject({
      status: "deleted",
      oldContent: "to be deleted\n",
      newContent: null,
    });
    expect(await live.client.workspace.diff.query({ sessionId, path: "notes.md" })).toMatchObject({
      status: "added",
      oldContent: null,
      newContent: "# Notes\n\nWritten by the agent.\n",
    });
    expect(await live.client.workspace.diff.query({ sessionId, path: "image.png" })).toMatchObject({
      binary: true,
      oldContent: null,
      newContent: null,
    });
    expect(await live.client.workspace.diff.query({ sessionId, path: "big.txt" })).toMatchObject({
      truncated: true,
      oldContent: null,
      newContent: null,
    });
    expect(await codeOf(live.client.workspace.diff.query({ sessionId, path: "src/util.ts" }))).toBe(
      "NOT_FOUND",
    );
  });

  it("refuses paths that leave the workspace", async () => {
    const refusals: Array<[string, () => Promise<unknown>]> = [
      ["list ../x", () => live.client.workspace.list.query({ sessionId, path: "../x" })],
      ["list /etc", () => live.client.workspace.list.query({ sessionId, path: "/etc" })],
      ["list a/../../b", () => live.client.workspace.list.query({ sessionId, path: "a/../../b" })],
      ["list the etc symlink", () => live.client.workspace.list.query({ sessionId, path: "etc" })],
      ["list under the etc symlink", () => live.client.workspace.list.query({ sessionId, path: "etc/ssl" })],
      ["file /etc/passwd", () => live.client.workspace.file.query({ sessionId, path: "/etc/passwd" })],
      ["file ../x", () => live.client.workspace.file.query({ sessionId, path: "../x" })],
      ["file the outside symlink", () => live.client.workspace.file.query({ sessionId, path: "outside" })],
      [
        "file through the etc symlink",
        () => live.client.workspace.file.query({ sessionId, path: "etc/passwd" }),
      ],
      [
        "file with a backslash",
        () => live.client.workspace.file.query({ sessionId, path: "..\\..\\etc\\passwd" }),
      ],
      ["file with NUL", () => live.client.workspace.file.query({ sessionId, path: "notes.md\0" })],
      ["diff a/../../b", () => live.client.workspace.diff.query({ sessionId, path: "a/../../b" })],
      ["too long", () => live.client.workspace.file.query({ sessionId, path: "a/".repeat(2049) })],
    ];
    for (const [what, call] of refusals) expect(await codeOf(call()), what).toBe("BAD_REQUEST");
    expect(await codeOf(live.client.workspace.list.query({ sessionId, path: "nowhere" }))).toBe("NOT_FOUND");
  });

  it("refuses a member of another organisation", async () => {
    const other = await signUpAccount(live.url);
    for (const call of [
      () => other.client.workspace.list.query({ sessionId, path: "" }),
      () => other.client.workspace.file.query({ sessionId, path: "notes.md" }),
      () => other.client.workspace.changes.query({ sessionId }),
      () => other.client.workspace.diff.query({ sessionId, path: "src/app.ts" }),
    ])
      expect(await codeOf(call())).toBe("NOT_FOUND");
  });

  it("says why while stopped, and shows the same changes after a resume", async () => {
    const before = await live.client.workspace.changes.query({ sessionId });
    await live.client.sessions.stop.mutate({ sessionId });
    await events.waitFor("session_ended");
    await expect(live.client.workspace.changes.query({ sessionId })).rejects.toMatchObject({
      data: { code: "CONFLICT" },
      message: "The session is stopped. Resume it to see its workspace: it was kept.",
    });
    await expect(live.client.workspace.list.query({ sessionId, path: "" })).rejects.toMatchObject({
      data: { code: "CONFLICT" },
    });
    const seen = events.events.at(-1)!.seq;
    await live.client.sessions.resume.mutate({ sessionId });
    await events.waitFor("status_changed", (event) => event.to === "ready" && event.seq > seen, 90_000);
    expect(await live.client.workspace.changes.query({ sessionId })).toEqual(before);
    const root = await live.client.workspace.list.query({ sessionId, path: "" });
    expect(root.entries.find((entry) => entry.name === "notes.md")?.change).toBe("added");
  });
});
