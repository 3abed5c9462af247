// An uploaded archive in, a tar sandbox-agent can extract as it is out (`upload-batch` checks
// little itself: symlinks not at all). The archive is read twice from a spooled copy: the first
// reading checks everything (names, links, types, limits, the data itself) and decides on the top
// folder, so the returned stream starts only once the whole upload is known to be acceptable; the
// second writes the tar from that plan.
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32 } from "node:zlib";
import tar from "tar-stream";
import { asRejection, DEFAULT_UPLOAD_LIMITS, type UploadLimits, UploadRejectedError } from "./errors.ts";
import { type PlannedEntry, Planner } from "./plan.ts";
import { type ArchiveReader, tarGzReader, zipReader } from "./readers.ts";
import { type Spooled, spool } from "./spool.ts";

export interface SanitiseOptions {
  /** Where the upload is spooled (default: the OS temp directory). It is unlinked at once. */
  tempDir?: string;
  /** Called with each chunk's size as the archive is inflated while it is checked (progress). */
  onInflate?: (bytes: number) => void;
}

type TarHeader = Partial<tar.Header> & { name: string };

/** A zip symlink's target is its contents; longer than PATH_MAX is no real link. */
const MAX_SYMLINK_TARGET = 4095;
/** Files up to this size are read whole before they are written out. */
const SMALL_FILE = 64 * 1024;
/** Tar headers, long-name records and padding per entry, beyond the contents themselves. */
const TAR_OVERHEAD_PER_ENTRY = 8 * 1024;
/** End-of-archive blocks, the record padding tar adds, and what sits in buffers. */
const TAR_OVERHEAD = 1024 * 1024;

/**
 * Reads an archive (.zip or .tar.gz, told apart by its first bytes) and resolves, once all of it
 * has been checked, to a tar stream of the same files: no entry outside the root, no link leading
 * out, no devices, modes 0644/0755, owner 0, a single wrapping top folder removed. Rejects with
 * UploadRejectedError as soon as a rule or limit is broken; a bomb is never inflated past the
 * limits. On a too-large upload `input` is left paused, not destroyed.
 *
 * The returned stream must be read to the end or destroyed: it holds the spooled file open. It
 * fails only if the disk does; it then errors and the consumer discards what it got.
 */
export async function sanitiseArchive(
  input: Readable,
  limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
  options: SanitiseOptions = {},
): Promise<Readable> {
  const spooled = await spool(input, limits.compressedBytes, options.tempDir);
  try {
    const planner = new Planner(limits);
    const inflated = options.onInflate ?? (() => {});
    const reader = readerFor(spooled, planner, limits, inflated);
    // A tar.gz's inflation is counted as a whole by its reader; a zip's entry by entry here.
    await check(reader, planner, spooled.format === "zip" ? inflated : () => {});
    return write(reader, planner.finish(), () => spooled.file.close());
  } catch (error) {
    await spooled.file.close();
    throw error;
  }
}

function readerFor(
  spooled: Spooled,
  planner: Planner,
  limits: UploadLimits,
  inflated: (bytes: number) => void,
): ArchiveReader {
  if (spooled.format === "zip") return zipReader(spooled, limits.files);
  return tarGzReader(
    spooled,
    () => planner.declared + TAR_OVERHEAD_PER_ENTRY * (planner.seen + 1) + TAR_OVERHEAD,
    inflated,
  );
}

/** The first reading: every rule, and every byte inflated once (counted, zip checksums verified). */
async function check(
  reader: ArchiveReader,
  planner: Planner,
  inflated: (bytes: number) => void,
): Promise<void> {
  await reader.walk(async (raw, open) => {
    if (!planner.add(raw) || raw.size === 0) return;
    if (raw.type === "symlink" && raw.linkname === undefined) {
      if (raw.size > MAX_SYMLINK_TARGET)
        throw new UploadRejectedError("corrupt", "a symlink target too long", raw.name);
      planner.setSymlinkTarget(raw, (await readAll(await open(), raw, planner, inflated)).toString("utf8"));
    } else if (raw.type === "file") {
      await readAll(await open(), raw, planner, inflated, false);
    }
  });
}

async function readAll(
  stream: Readable,
  raw: { name: string; crc32?: number },
  planner: Planner,
  inflated: (bytes: number) => void,
  keep = true,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let sum = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    inflated(chunk.length);
    planner.countBytes(chunk.length, raw.name);
    if (raw.crc32 !== undefined) sum = crc32(chunk, sum);
    if (keep) chunks.push(chunk);
  }
  if (raw.crc32 !== undefined && sum !== raw.crc32) {
    throw new UploadRejectedError("corrupt", "contents do not match their checksum", raw.name);
  }
  return Buffer.concat(chunks);
}

/** The second reading, into tar-stream's packer; the returned stream is a plain Node Readable. */
function write(reader: ArchiveReader, plan: Map<number, PlannedEntry>, close: () => Promise<void>): Readable {
  const pack = tar.pack();
  const out = new PassThrough();
  // An error of either side ends both: the consumer sees ours, a consumer giving up stops the reading.
  pipeline(pack, out).catch(() => {});
  let index = 0;
  reader
    .walk(async (raw, open) => {
      const entry = plan.get(index++);
      if (!entry) return;
      if (entry.rawName !== raw.name)
        throw new UploadRejectedError("corrupt", "the archive changed while read");
      const header: TarHeader = {
        name: entry.path,
        type: entry.type,
        mode: entry.mode,
        mtime: entry.mtime,
        uid: 0,
        gid: 0,
        size: entry.size,
      };
      if (entry.linkname !== undefined) header.linkname = entry.linkname;
      if (entry.type !== "file") return add(pack, header);
      if (entry.size === 0) return add(pack, header, Buffer.alloc(0));
      const source = await open();
      // Small files whole: per-entry stream plumbing costs more than their bytes.
      if (entry.size <= SMALL_FILE) return add(pack, header, await collect(source));
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry(header, (error) => (error ? reject(error) : resolve()));
        pipeline(source, sink).catch(reject);
      });
    })
    .then(
      () => pack.finalize(),
      (error) => pack.destroy(asRejection(error)),
    )
    .finally(() => close().catch(() => {}));
  return out;
}

/** Not Readable.toArray(): tar-stream's entries are streamx streams, which only iterate. */
async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function add(pack: tar.Pack, header: TarHeader, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error | null) => (error ? reject(error) : resolve());
    if (body) pack.entry(header, body, done);
    else pack.entry(header, done);
  });
}
