// For the integration tests: one real local sandbox (sandbox-agent under the local provider) that
// can reach one real git server (the testkit's), and host-side git to check what happened.
import { execFile } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type GitServer, startGitServer } from "../../../testkit/src/git-server.ts";
import { type WorkspaceApi, workspaceApi } from "../agent-api/client.ts";
import { sandboxPaths } from "../local/layout.ts";
import { LocalSandboxProvider } from "../local/provider.ts";
import type { SandboxHandle } from "../types.ts";

const execFileAsync = promisify(execFile);

export interface GitHarness {
  server: GitServer;
  handle: SandboxHandle;
  api: WorkspaceApi;
  /** A new empty directory in the sandbox's workspace. */
  newDir(): Promise<string>;
  /** Where a path inside the sandbox's workspace is on the host (confined, they differ). */
  onHost(insidePath: string): string;
  /** Runs a shell script in the sandbox (in `dir`), failing on a non-zero exit; returns stdout. */
  sh(dir: string, script: string): Promise<string>;
  /** A temp dir on the host, removed by `close`. */
  hostDir(): string;
  close(): Promise<void>;
}

/** git on the host, with nothing from the user's or the machine's configuration. */
export async function hostGit(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("git", args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_AUTHOR_NAME: "Host",
      GIT_AUTHOR_EMAIL: "host@test.invalid",
      GIT_COMMITTER_NAME: "Host",
      GIT_COMMITTER_EMAIL: "host@test.invalid",
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

export async function startGitHarness(): Promise<GitHarness> {
  const hostDirs: string[] = [];
  const hostDir = () => {
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "studio-wsgit-")));
    hostDirs.push(dir);
    return dir;
  };
  const server = await startGitServer();
  const port = Number(new URL(server.url).port);
  const provider = new LocalSandboxProvider({ rootDir: hostDir(), studioPorts: () => [port] });
  let handle: SandboxHandle;
  try {
    handle = await provider.create({ sessionId: "workspace-git-test", env: {}, files: [] });
  } catch (error) {
    await provider.shutdown();
    await server.close();
    for (const dir of hostDirs) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const api = workspaceApi(handle);
  let counter = 0;
  const sh = async (dir: string, script: string) => {
    const result = await api.run("sh", ["-c", script], { cwd: dir });
    if (result.exitCode !== 0)
      throw new Error(`sandbox script failed (${result.exitCode}): ${result.stderr}`);
    return result.stdout;
  };
  return {
    server,
    handle,
    api,
    sh,
    hostDir,
    onHost(insidePath: string) {
      if (insidePath !== handle.workspaceDir && !insidePath.startsWith(`${handle.workspaceDir}/`))
        throw new Error(`not in the workspace: ${insidePath}`);
      return (
        sandboxPaths(provider.rootDir, handle.id).workspace + insidePath.slice(handle.workspaceDir.length)
      );
    },
    async newDir() {
      const dir = `${handle.workspaceDir}/t${++counter}`;
      await sh(handle.workspaceDir, `mkdir -p '${dir}'`);
      return dir;
    },
    async close() {
      await provider.destroy(handle.id).catch(() => {});
      await provider.shutdown();
      await server.close();
      for (const dir of hostDirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads a whole stream into one buffer (tests only; the code under test never buffers). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
