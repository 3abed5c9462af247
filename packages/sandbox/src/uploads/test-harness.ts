// The harness the upload tests share: a throwaway directory (with the spool directory the
// sanitiser writes to), a tar.gz builder, a tar reader, and the two ways a test meets the
// sanitiser: what it emits, or how it refuses (the spooled copy gone either way).
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { afterAll, beforeAll, expect } from "vitest";
import { type UploadLimits, UploadRejectedError } from "./errors.ts";
import { type SanitiseOptions, sanitiseArchive } from "./sanitise.ts";

export interface Out {
  name: string;
  type: string;
  mode: number;
  linkname?: string | null;
  content?: string;
}

export type Entry = Partial<tar.Header> & { name: string; content?: string };

export async function tarGz(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const collected = (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  })();
  for (const { content, ...header } of entries) {
    await new Promise<void>((resolve, reject) =>
      pack.entry(header, content ?? "", (error) => (error ? reject(error) : resolve())),
    );
  }
  pack.finalize();
  return gzipSync(await collected);
}

export async function untar(stream: Readable): Promise<Out[]> {
  const extract = tar.extract();
  const feeding = pipeline(stream, extract); // an error of the stream ends the loop below
  feeding.catch(() => {});
  const out: Out[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const { name, type, mode, linkname } = entry.header;
    const item: Out = { name, type: type ?? "?", mode: mode ?? 0 };
    if (linkname) item.linkname = linkname;
    if (type === "file") item.content = Buffer.concat(chunks).toString();
    out.push(item);
  }
  await feeding;
  return out;
}

export const small: UploadLimits = {
  compressedBytes: 4 * 1024 * 1024,
  unpackedBytes: 8 * 1024 * 1024,
  files: 50,
};

/** Registers the file's throwaway directory; its paths are read once the hooks have run. */
export function useUploadHarness() {
  const dirs = { work: "", spoolDir: "" };
  beforeAll(async () => {
    dirs.work = await mkdtemp(path.join(tmpdir(), "uploads-test-"));
    dirs.spoolDir = path.join(dirs.work, "spool");
    await mkdir(dirs.spoolDir);
  });
  afterAll(async () => {
    await rm(dirs.work, { recursive: true, force: true });
  });

  async function sanitised(archive: Buffer, limits = small, options: SanitiseOptions = {}): Promise<Out[]> {
    return untar(
      await sanitiseArchive(Readable.from([archive]), limits, { tempDir: dirs.spoolDir, ...options }),
    );
  }

  async function refusal(archive: Buffer | Readable, limits = small, options: SanitiseOptions = {}) {
    const input = Buffer.isBuffer(archive) ? Readable.from([archive]) : archive;
    const error = await sanitiseArchive(input, limits, { tempDir: dirs.spoolDir, ...options }).then(
      async (out) => {
        await untar(out);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UploadRejectedError);
    // Whatever happened, the spooled copy is gone.
    expect(await readdir(dirs.spoolDir)).toEqual([]);
    return error as UploadRejectedError;
  }

  return { dirs, sanitised, refusal };
}
