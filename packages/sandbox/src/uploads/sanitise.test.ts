import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { DEFAULT_UPLOAD_LIMITS } from "./errors.ts";
import { sanitiseArchive } from "./sanitise.ts";
import { small, tarGz, useUploadHarness } from "./test-harness.ts";
import { buildZip } from "./testing.ts";

const run = promisify(execFile);
const { dirs, sanitised, refusal } = useUploadHarness();

describe("good archives", () => {
  it("has the documented defaults", () => {
    expect(DEFAULT_UPLOAD_LIMITS).toEqual({
      compressedBytes: 200 * 2 ** 20,
      unpackedBytes: 2 ** 30,
      files: 100_000,
    });
  });

  it("turns a zip made by zip(1) into a tar, stripping the folder it was made of", async () => {
    const dir = path.join(dirs.work, "project");
    await mkdir(path.join(dir, "src"), { recursive: true });
    await writeFile(path.join(dir, "README.md"), "hello\n");
    await writeFile(path.join(dir, "src", "main.ts"), "export {};\n");
    await writeFile(path.join(dir, "run.sh"), "#!/bin/sh\n", { mode: 0o4775 });
    await symlink("src/main.ts", path.join(dir, "main"));
    const zip = path.join(dirs.work, "project.zip");
    await run("zip", ["-q", "-r", "-y", zip, "project"], { cwd: dirs.work });
    const entries = await sanitised(await readFile(zip));
    expect(entries.sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual([
      { name: "README.md", type: "file", mode: 0o644, content: "hello\n" },
      { name: "main", type: "symlink", mode: 0o777, linkname: "src/main.ts" },
      { name: "run.sh", type: "file", mode: 0o755, content: "#!/bin/sh\n" },
      { name: "src", type: "directory", mode: 0o755 },
      { name: "src/main.ts", type: "file", mode: 0o644, content: "export {};\n" },
    ]);
    expect(await readdir(dirs.spoolDir)).toEqual([]);
  });

  it("turns a tar.gz into a clean tar: modes normalised, setuid and owners dropped, ./ skipped", async () => {
    const archive = await tarGz([
      { name: "./", type: "directory", mode: 0o777 },
      { name: "./bin/", type: "directory", mode: 0o2775 },
      { name: "./bin/tool", mode: 0o4755, uid: 1000, gid: 1000, uname: "me", content: "#!/bin/sh\n" },
      { name: "./notes.txt", mode: 0o666, content: "notes" },
      { name: "./same.txt", type: "link", linkname: "./notes.txt" },
      { name: "./bin/up", type: "symlink", linkname: "../notes.txt" },
    ]);
    const extract = tar.extract();
    const feeding = pipeline(
      await sanitiseArchive(Readable.from([archive]), small, { tempDir: dirs.spoolDir }),
      extract,
    );
    const headers: tar.Header[] = [];
    for await (const entry of extract) {
      headers.push(entry.header);
      entry.resume();
    }
    await feeding;
    expect(headers.map(({ name, type, mode, linkname }) => ({ name, type, mode, linkname }))).toEqual([
      { name: "bin", type: "directory", mode: 0o755, linkname: null },
      { name: "bin/tool", type: "file", mode: 0o755, linkname: null },
      { name: "notes.txt", type: "file", mode: 0o644, linkname: null },
      { name: "same.txt", type: "link", mode: 0o644, linkname: "notes.txt" },
      { name: "bin/up", type: "symlink", mode: 0o777, linkname: "../notes.txt" },
    ]);
    expect(headers.every((h) => h.uid === 0 && h.gid === 0 && !h.uname)).toBe(true);
  });

  it("strips the top folder of a GitHub-style archive (git archive, with its pax global header)", async () => {
    const repo = path.join(dirs.work, "repo");
    await mkdir(repo);
    await writeFile(path.join(repo, "a.txt"), "a");
    const git = (...args: string[]) =>
      run("git", ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", ...args], {
        cwd: repo,
      });
    await git("init", "-q");
    await git("add", ".");
    await git("commit", "-q", "-m", "x");
    const file = path.join(dirs.work, "repo.tar.gz");
    await git("archive", "--format=tar.gz", "--prefix=repo-main/", "-o", file, "HEAD");
    expect(await sanitised(await readFile(file))).toEqual([
      { name: "a.txt", type: "file", mode: 0o644, content: "a" },
    ]);
  });

  it("keeps the top level when more than one entry sits there, and drops __MACOSX", async () => {
    const zip = buildZip([
      { name: "one/a", data: Buffer.from("1") },
      { name: "two/b", data: Buffer.from("2") },
      { name: "__MACOSX/one/._a", data: Buffer.from("fork") },
    ]);
    expect((await sanitised(zip)).map((e) => e.name)).toEqual(["one/a", "two/b"]);
    const wrapped = buildZip([
      { name: "one/a", data: Buffer.from("1") },
      { name: "__MACOSX/one/._a", data: Buffer.from("fork") },
    ]);
    expect((await sanitised(wrapped)).map((e) => e.name)).toEqual(["a"]);
  });

  it("turns a folder tarred by tar(1) into the same tree without its folder", async () => {
    const dir = path.join(dirs.work, "tarred", "site");
    await mkdir(path.join(dir, "css"), { recursive: true });
    await writeFile(path.join(dir, "index.html"), "<p>hi</p>");
    await writeFile(path.join(dir, "css", "a.css"), "p{}");
    const file = path.join(dirs.work, "site.tar.gz");
    await run("tar", ["-czf", file, "-C", path.dirname(dir), "site"]);
    const entries = await sanitised(await readFile(file));
    expect(entries.map((e) => e.name).sort()).toEqual(["css", "css/a.css", "index.html"]);
  });

  it("keeps symlinks that lead elsewhere inside, also through other links", async () => {
    const archive = await tarGz([
      { name: "sub/deep/", type: "directory" },
      { name: "sub/deep/f", content: "f" },
      { name: "to-deep", type: "symlink", linkname: "sub/deep" },
      { name: "to-f", type: "symlink", linkname: "to-deep/../deep/./f" },
      { name: "sub/root", type: "symlink", linkname: ".." },
      { name: "dangling", type: "symlink", linkname: "not/there" },
    ]);
    const links = (await sanitised(archive)).filter((e) => e.type === "symlink");
    expect(links.map((e) => [e.name, e.linkname])).toEqual([
      ["to-deep", "sub/deep"],
      ["to-f", "to-deep/../deep/f"],
      ["sub/root", ".."],
      ["dangling", "not/there"],
    ]);
  });

  it("reads zip names with backslashes as paths", async () => {
    const zip = buildZip([{ name: "dir\\file.txt", data: Buffer.from("x"), mode: 0 }]);
    expect(await sanitised(zip)).toEqual([{ name: "file.txt", type: "file", mode: 0o644, content: "x" }]);
  });
});

describe("the returned stream", () => {
  const openFds = async () => (await readdir("/proc/self/fd")).length;
  const settled = async (fds: number) => {
    for (let i = 0; i < 50 && (await openFds()) > fds; i++) await new Promise((r) => setTimeout(r, 10));
    return openFds();
  };

  it("closes the spooled file when read to the end, and when the consumer gives up half-way", async () => {
    const content = "y".repeat(128 * 1024);
    const zip = buildZip(
      Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: Buffer.from(content) })),
    );
    const archive = await tarGz(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, content })));
    for (const upload of [zip, archive]) {
      const before = await openFds();
      const entries = await sanitised(upload, { ...small, files: 100 });
      expect(entries.map((e) => e.content === content)).toEqual(Array(20).fill(true));
      expect(await settled(before)).toBe(before);

      const out = await sanitiseArchive(Readable.from([upload]), small, { tempDir: dirs.spoolDir });
      expect(await readdir(dirs.spoolDir)).toEqual([]); // unlinked before the first byte is out
      await new Promise((resolve) => out.once("readable", resolve));
      out.read();
      out.destroy();
      expect(await settled(before)).toBe(before);
    }
  });

  it("handles thousands of entries", async () => {
    const zip = buildZip(
      Array.from({ length: 3000 }, (_, i) => ({ name: `d/f${i}`, data: Buffer.from(String(i)) })),
    );
    const entries = await sanitised(zip, { ...small, files: 5000 });
    expect(entries).toHaveLength(3000);
    expect(entries[2999]).toEqual({ name: "f2999", type: "file", mode: 0o644, content: "2999" });
  });
});

describe("refused archives", () => {
  const cases: Array<[string, () => Promise<Buffer> | Buffer, string, string?]> = [
    ["../ escape", () => tarGz([{ name: "../escaped.txt", content: "x" }]), "path_escapes", "../escaped.txt"],
    ["nested ../", () => tarGz([{ name: "a/../../x", content: "x" }]), "path_escapes"],
    ["an absolute path", () => tarGz([{ name: "/etc/cron.d/x", content: "x" }]), "path_escapes"],
    ["a drive letter", () => buildZip([{ name: "C:\\Windows\\x", data: Buffer.from("x") }]), "path_escapes"],
    ["a backslash climb", () => buildZip([{ name: "a\\..\\..\\x", data: Buffer.from("x") }]), "path_escapes"],
    [
      "NUL in a name",
      () => buildZip([{ name: Buffer.from("a\0/../x"), data: Buffer.from("x") }]),
      "path_escapes",
    ],
    [
      "a symlink to /etc/passwd",
      () => tarGz([{ name: "p", type: "symlink", linkname: "/etc/passwd" }]),
      "link_escapes",
      "p",
    ],
    [
      "a symlink ../../x",
      () => tarGz([{ name: "a/l", type: "symlink", linkname: "../../x" }]),
      "link_escapes",
    ],
    [
      "a zip symlink out",
      () => buildZip([{ name: "l", data: Buffer.from("../x"), mode: 0o120777 }]),
      "link_escapes",
    ],
    [
      "a chain of symlinks escaping (b -> ., a -> b/..)",
      () =>
        tarGz([
          { name: "a", type: "symlink", linkname: "b/.." },
          { name: "b", type: "symlink", linkname: "." },
        ]),
      "link_escapes",
      "a",
    ],
    [
      "a chain through a subdirectory (s/up -> .., out -> s/up/..)",
      () =>
        tarGz([
          { name: "s/", type: "directory" },
          { name: "s/up", type: "symlink", linkname: ".." },
          { name: "out", type: "symlink", linkname: "s/up/../etc" },
        ]),
      "link_escapes",
    ],
    [
      "a symlink loop",
      () =>
        tarGz([
          { name: "x", type: "symlink", linkname: "y" },
          { name: "y", type: "symlink", linkname: "x" },
        ]),
      "link_escapes",
    ],
    [
      "a file written through a symlink",
      () =>
        tarGz([
          { name: "d", type: "symlink", linkname: "sub" },
          { name: "d/x", content: "x" },
        ]),
      "path_escapes",
    ],
    [
      "a hard link to /etc/shadow",
      () => tarGz([{ name: "h", type: "link", linkname: "/etc/shadow" }]),
      "link_escapes",
    ],
    [
      "a hard link to a later entry",
      () =>
        tarGz([
          { name: "h", type: "link", linkname: "f" },
          { name: "f", content: "x" },
        ]),
      "link_escapes",
    ],
    ["a FIFO", () => tarGz([{ name: "fifo", type: "fifo" }]), "special_file", "fifo"],
    [
      "a character device",
      () => tarGz([{ name: "null", type: "character-device", devmajor: 1, devminor: 3 }]),
      "special_file",
    ],
    ["a block device", () => tarGz([{ name: "sda", type: "block-device" }]), "special_file"],
    ["a zip FIFO", () => buildZip([{ name: "p", mode: 0o10644 }]), "special_file"],
    ["a zip socket", () => buildZip([{ name: "s", mode: 0o140755 }]), "special_file"],
    [
      "too many files",
      () => tarGz(Array.from({ length: 51 }, (_, i) => ({ name: `f${i}`, content: "x" }))),
      "too_many_files",
    ],
    [
      "too many zip entries (from its directory, before reading any)",
      () => buildZip(Array.from({ length: 51 }, (_, i) => ({ name: `f${i}` }))),
      "too_many_files",
    ],
    [
      "a duplicate entry",
      () =>
        tarGz([
          { name: "a", content: "1" },
          { name: "a", content: "2" },
        ]),
      "corrupt",
    ],
    [
      "a truncated tar.gz",
      async () => (await tarGz([{ name: "a", content: "x".repeat(5000) }])).subarray(0, 60),
      "corrupt",
    ],
    ["gzip that is no tar", () => gzipSync("just some text, not a tar archive at all".repeat(20)), "corrupt"],
    [
      "a truncated zip",
      () => buildZip([{ name: "a", data: Buffer.from("x".repeat(100)) }]).subarray(0, 80),
      "corrupt",
    ],
    [
      "a zip whose contents fail their checksum",
      () => buildZip([{ name: "a", data: Buffer.from("x"), crc: 7 }]),
      "corrupt",
    ],
    ["plain text", () => Buffer.from("hello, this is not an archive"), "unsupported_format"],
    ["an empty upload", () => Buffer.alloc(0), "unsupported_format"],
    ["a rar", () => Buffer.from("Rar!\x1a\x07\x00rest"), "unsupported_format"],
  ];

  it.each(cases)("refuses %s", async (_label, make, reason, entry) => {
    const error = await refusal(await make());
    expect(error.reason).toBe(reason);
    if (entry !== undefined) expect(error.entry).toBe(entry);
  });
});
