// The workspace panel's reads on a large workspace: 20,000 files in 2,000 folders in a real local
// sandbox (sandbox-agent under the local provider), read the way the `workspace.*` procedures do
// (packages/sandbox's workspace-files through sandbox-agent's HTTP API; the procedures add one
// session lookup). The first root listing, then root and one folder's listings p50/p95, then the
// change list and a listing with 500 changed files. Baselines in the same run: one empty process
// through sandbox-agent (`true`), and a plain `git status` of the same workspace.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  fileDiff,
  initBase,
  LocalSandboxProvider,
  listFolder,
  workspaceApi,
  workspaceChanges,
} from "@studio/sandbox";
import { now, ok, percentile, round } from "./stats.ts";

const TOP = 40;
const SUB = 50;
const FILES_PER_FOLDER = 10;
const ROUNDS = 30;

export interface Timing {
  p50: number;
  p95: number;
}

export interface WorkspacePanelResult {
  files: number;
  folders: number;
  rounds: number;
  emptyProcess: Timing;
  gitStatus: Timing;
  firstRootListingMs: number;
  rootListing: Timing;
  folderListing: Timing;
  changedFiles: number;
  changes: Timing;
  rootListingWithChanges: Timing;
  diff: Timing;
}

async function timed(rounds: number, action: () => Promise<unknown>): Promise<Timing> {
  const times: number[] = [];
  for (let round_ = 0; round_ < rounds; round_ += 1) {
    const started = now();
    await action();
    times.push(now() - started);
  }
  return { p50: round(percentile(times, 50), 1), p95: round(percentile(times, 95), 1) };
}

const line = (index: number) => `export const value${index} = ${index}; // some text to make a line\n`;

export async function benchWorkspacePanel(): Promise<WorkspacePanelResult> {
  const root = mkdtempSync(path.join(os.tmpdir(), "studio-bench-panel-"));
  const provider = new LocalSandboxProvider({ rootDir: root, studioPorts: () => [] });
  try {
    const handle = await provider.create({ sessionId: "bench-workspace-panel", env: {}, files: [] });
    const api = workspaceApi(handle);
    // Filled from the host; read through sandbox-agent, which sees it at its own path.
    const hostDir = provider.hostWorkspaceDir(handle.id);
    const workspaceDir = handle.workspaceDir;
    for (let top = 0; top < TOP; top += 1) {
      for (let sub = 0; sub < SUB; sub += 1) {
        const dir = path.join(hostDir, `pkg${top}`, `mod${sub}`);
        mkdirSync(dir, { recursive: true });
        for (let file = 0; file < FILES_PER_FOLDER; file += 1)
          writeFileSync(path.join(dir, `file${file}.ts`), line(file).repeat(5));
      }
    }
    writeFileSync(path.join(hostDir, ".gitignore"), "node_modules/\n");
    const { baseCommit } = await initBase(api, { workspaceDir });
    const options = { workspaceDir, baseCommit };

    const emptyProcess = await timed(ROUNDS, () => api.run("true", []));
    const gitStatus = await timed(ROUNDS, () =>
      api.run("git", ["status", "--porcelain=v2", "-z"], { cwd: workspaceDir }),
    );
    let started = now();
    await listFolder(api, { ...options, path: "" });
    const firstRootListingMs = round(now() - started, 1);
    const rootListing = await timed(ROUNDS, () => listFolder(api, { ...options, path: "" }));
    const folderListing = await timed(ROUNDS, () => listFolder(api, { ...options, path: "pkg7/mod13" }));

    // 500 changes: 300 edited, 150 added, 50 deleted.
    let changed = 0;
    for (let index = 0; index < 300; index += 1, changed += 1)
      writeFileSync(
        path.join(hostDir, `pkg${index % TOP}`, `mod${Math.floor(index / TOP) % SUB}`, "file1.ts"),
        `${line(1).repeat(5)}// edited\n`,
      );
    for (let index = 0; index < 150; index += 1, changed += 1) {
      mkdirSync(path.join(hostDir, "added", `group${index % 15}`), { recursive: true });
      writeFileSync(path.join(hostDir, "added", `group${index % 15}`, `new${index}.ts`), line(index));
    }
    for (let index = 0; index < 50; index += 1, changed += 1)
      rmSync(path.join(hostDir, `pkg${index % TOP}`, `mod${(index + 7) % SUB}`, "file2.ts"), {
        force: true,
      });
    started = now();
    const first = await workspaceChanges(api, options);
    if (first.totals.files !== changed)
      throw new Error(`expected ${changed} changes, saw ${first.totals.files}`);
    const changes = await timed(ROUNDS, () => workspaceChanges(api, options));
    const rootListingWithChanges = await timed(ROUNDS, () => listFolder(api, { ...options, path: "" }));
    const diff = await timed(10, () => fileDiff(api, { ...options, path: "pkg1/mod1/file1.ts" }));
    return {
      files: TOP * SUB * FILES_PER_FOLDER,
      folders: TOP * SUB,
      rounds: ROUNDS,
      emptyProcess,
      gitStatus,
      firstRootListingMs,
      rootListing,
      folderListing,
      changedFiles: changed,
      changes,
      rootListingWithChanges,
      diff,
    };
  } finally {
    await provider.shutdown().catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}

export function workspacePanelSection(result: WorkspacePanelResult): string {
  const ms = (timing: Timing) => `${timing.p50} / ${timing.p95} ms`;
  return `## Workspace panel (${result.files.toLocaleString("en")} files in ${result.folders.toLocaleString("en")} folders)

The panel's reads in a real local sandbox, as the \`workspace.*\` procedures make them (each is
\`find\`/\`realpath\` and git run through sandbox-agent's process API; the procedures add one session
lookup). ${result.rounds} rounds each, p50 / p95. A folder's listing includes its change marks,
computed against the base with a temporary index brought up to date for that folder's subtree
(the whole working tree for the root and the change list).

| | p50 / p95 | target |
| --- | --- | --- |
| baseline: an empty process through sandbox-agent | ${ms(result.emptyProcess)} | |
| baseline: \`git status --porcelain=v2\` of the workspace | ${ms(result.gitStatus)} | |
| first root listing | ${result.firstRootListingMs} ms | |
| root listing | ${ms(result.rootListing)} | p95 < 200 ms: ${ok(result.rootListing.p95 < 200)} |
| one folder's listing (10 files) | ${ms(result.folderListing)} | p95 < 200 ms: ${ok(result.folderListing.p95 < 200)} |
| change list, ${result.changedFiles} changed files | ${ms(result.changes)} | |
| root listing with ${result.changedFiles} changed files | ${ms(result.rootListingWithChanges)} | p95 < 200 ms: ${ok(result.rootListingWithChanges.p95 < 200)} |
| one file's diff | ${ms(result.diff)} | |`;
}
