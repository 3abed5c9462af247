import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { createGzip } from "node:zlib";
import tar from "tar-stream";
import { afterAll, describe, expect, it } from "vitest";
import { tarGzToZip } from "./tar-to-zip.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tarGz(entries: (Partial<tar.Header> & { name: string; content?: Buffer })[]): Readable {
  const pack = tar.pack();
  for (const { content, ...header } of entries) pack.entry(header, content ?? Buffer.alloc(0));
  pack.finalize();
  return pack.pipe(createGzip());
}

describe("tarGzToZip", () => {
  it("keeps files, modes, directories and links, which unzip restores", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const zip = await buffer(
      tarGzToZip(
        tarGz([
          { name: "./", type: "directory" },
          { name: "./src/", type: "directory" },
          { name: "./src/main.ts", content: Buffer.from("console.log(1);\n"), mode: 0o644 },
          { name: "./run.sh", content: Buffer.from("#!/bin/sh\n"), mode: 0o755 },
          { name: "./big.bin", content: big },
          { name: "./empty/", type: "directory" },
          { name: "./link", type: "symlink", linkname: "src/main.ts" },
          { name: "./fifo", type: "fifo" },
        ]),
      ),
    );
    const dir = mkdtempSync(path.join(tmpdir(), "zip-"));
    dirs.push(dir);
    writeFileSync(path.join(dir, "out.zip"), zip);
    execFileSync("unzip", ["-q", "out.zip", "-d", "x"], { cwd: dir });
    const x = (name: string) => path.join(dir, "x", name);
    expect(readFileSync(x("src/main.ts"), "utf8")).toBe("console.log(1);\n");
    expect(statSync(x("run.sh")).mode & 0o777).toBe(0o755);
    expect(readFileSync(x("big.bin")).equals(big)).toBe(true);
    expect(statSync(x("empty")).isDirectory()).toBe(true);
    expect(readlinkSync(x("link"))).toBe("src/main.ts");
    expect(() => statSync(x("fifo"))).toThrow();
  });

  it("errors when the tar.gz is cut short", async () => {
    const whole = await buffer(tarGz([{ name: "a.txt", content: randomBytes(200_000) }]));
    await expect(buffer(tarGzToZip(Readable.from([whole.subarray(0, 1000)])))).rejects.toThrow();
  });
});
