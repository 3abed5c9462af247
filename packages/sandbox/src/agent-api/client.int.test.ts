// The workspace client against the real sandbox-agent 0.4.2 in a local sandbox.
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHarness, readAll, startGitHarness } from "../workspace-git/test-harness.ts";
import { WorkspaceApiError } from "./errors.ts";

let h: GitHarness;

beforeAll(async () => {
  h = await startGitHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe("workspaceApi", () => {
  it("runs a command with cwd and env, and truncates output at the limit", async () => {
    const dir = await h.newDir();
    const result = await h.api.run("sh", ["-c", 'pwd; echo "$GREETING"; echo oops >&2; exit 3'], {
      cwd: dir,
      env: { GREETING: "hello" },
    });
    expect(result).toMatchObject({
      exitCode: 3,
      timedOut: false,
      stdout: `${dir}\nhello\n`,
      stderr: "oops\n",
    });
    const big = await h.api.run("sh", ["-c", "head -c 5000 /dev/zero"], { maxOutputBytes: 100 });
    expect(big.stdout.length).toBe(100);
    expect(big.stdoutTruncated).toBe(true);
    const slow = await h.api.run("sleep", ["5"], { timeoutMs: 300 });
    expect(slow).toMatchObject({ exitCode: null, timedOut: true });
  });

  it("streams a long command's output while it runs, then its whole result", async () => {
    const seen: { at: number; text: string }[] = [];
    const started = Date.now();
    const result = await h.api.runStreaming(
      "sh",
      ["-c", "for i in 1 2 3; do echo step$i >&2; sleep 0.4; done; echo done; exit 4"],
      {
        onOutput: (stream, text) => stream === "stderr" && seen.push({ at: Date.now() - started, text }),
        pollMs: 100,
      },
    );
    expect(result).toMatchObject({
      exitCode: 4,
      timedOut: false,
      stdout: "done\n",
      stderr: "step1\nstep2\nstep3\n",
    });
    // Output arrived in pieces, the first long before the end.
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[0]!.at).toBeLessThan(result.durationMs - 500);
    // The process record is deleted once done.
    const listed = await h.api.run("true", []);
    expect(listed.exitCode).toBe(0);
  });

  it("kills a streamed command that runs past its timeout", async () => {
    const result = await h.api.runStreaming("sleep", ["30"], { timeoutMs: 300, pollMs: 100 });
    expect(result).toMatchObject({ exitCode: null, timedOut: true });
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it("uploads a tar stream, reads a file as a stream, and removes it", async () => {
    const dir = await h.newDir();
    const { pack } = await import("tar-stream");
    const tar = pack();
    tar.entry({ name: "a/b.txt" }, "streamed content\n");
    tar.finalize();
    const uploaded = await h.api.uploadTar(dir, Readable.from(tar));
    expect(uploaded.paths.some((p) => p.endsWith("a/b.txt"))).toBe(true);
    const stream = await h.api.readFile(`${dir}/a/b.txt`);
    expect(stream).toBeInstanceOf(Readable);
    expect((await readAll(stream)).toString()).toBe("streamed content\n");
    await h.api.remove(`${dir}/a`, { recursive: true });
    expect((await h.sh(dir, "ls -A")).trim()).toBe("");
  });

  it("takes a checked upload's links and long names as the studio's sanitiser writes them", async () => {
    const dir = await h.newDir();
    const { pack } = await import("tar-stream");
    const { createGzip } = await import("node:zlib");
    const { sanitiseArchive } = await import("../uploads/sanitise.ts");
    const longName = `deep/${"n".repeat(150)}/${"f".repeat(120)}.txt`;
    const archive = pack();
    archive.entry({ name: "project/src/main.ts" }, "export {};\n");
    archive.entry({ name: "project/link-to-main", type: "symlink", linkname: "src/main.ts" });
    archive.entry({ name: "project/hard-copy", type: "link", linkname: "project/src/main.ts" });
    archive.entry({ name: `project/${longName}` }, "long\n");
    archive.finalize();
    const clean = await sanitiseArchive(archive.pipe(createGzip()));
    await h.api.uploadTar(dir, clean);
    expect((await h.sh(dir, "readlink link-to-main")).trim()).toBe("src/main.ts");
    expect((await h.sh(dir, "cat link-to-main hard-copy")).trim()).toBe("export {};\nexport {};");
    expect((await h.sh(dir, `cat '${longName}'`)).trim()).toBe("long");
  });

  it("fails with a typed error that names no host path", async () => {
    const missing = `${h.handle.workspaceDir}/no-such-file`;
    const error = (await h.api.readFile(missing).catch((e: unknown) => e)) as WorkspaceApiError;
    expect(error).toBeInstanceOf(WorkspaceApiError);
    expect(error.status).toBe(400);
    expect(error.message).toContain("path not found");
    expect(error.message).not.toContain(h.handle.workspaceDir);
    const spawnError = (await h.api
      .run("no-such-command-xyz", [])
      .catch((e: unknown) => e)) as WorkspaceApiError;
    expect(spawnError).toBeInstanceOf(WorkspaceApiError);
    expect(spawnError.status).toBe(502);
    const escaping = (await h.api
      .uploadTar(`${h.handle.workspaceDir}/t-escape`, await tarWith("../escaped.txt"))
      .catch((e: unknown) => e)) as WorkspaceApiError;
    expect(escaping.status).toBe(400);
  });
});

async function tarWith(name: string): Promise<Readable> {
  const { pack } = await import("tar-stream");
  const tar = pack();
  tar.entry({ name }, "x\n");
  tar.finalize();
  return Readable.from(tar);
}
