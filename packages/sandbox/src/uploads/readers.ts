// Reading the spooled archive, once to check it and once to write the sanitised tar. Both formats
// come out as the same RawEntry stream so the checks live in one place (plan.ts).
import type { FileHandle } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import yauzl from "yauzl";
import { asRejection, UploadRejectedError } from "./errors.ts";
import type { RawEntry } from "./plan.ts";
import { readRange, type Spooled } from "./spool.ts";

/** Called for each entry in archive order; if it opens the contents it must read them to the end. */
export type Visit = (entry: RawEntry & { crc32?: number }, open: () => Promise<Readable>) => Promise<void>;

export interface ArchiveReader {
  walk(visit: Visit): Promise<void>;
}

const TAR_TYPES: Record<string, RawEntry["type"]> = {
  file: "file",
  "contiguous-file": "file",
  directory: "directory",
  symlink: "symlink",
  link: "link",
  "character-device": "special",
  "block-device": "special",
  fifo: "special",
};

/**
 * `budget()` bounds the bytes gunzip may produce so far. Tar headers declare every size, which the
 * planner checks before any contents are inflated; the budget catches what headers do not declare:
 * tar-stream silently skips zero blocks, so a gzip of endless zeros after the last entry would
 * otherwise be inflated in full.
 */
export function tarGzReader(
  spooled: Spooled,
  budget: () => number,
  inflated: (bytes: number) => void,
): ArchiveReader {
  return {
    async walk(visit) {
      let produced = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          produced += chunk.length;
          inflated(chunk.length);
          if (produced > budget()) {
            callback(
              new UploadRejectedError("unpacked_too_large", "the archive inflates beyond its entries"),
            );
          } else callback(null, chunk);
        },
      });
      const extract = tar.extract();
      const feeding = pipeline(readRange(spooled.file, 0, spooled.size), createGunzip(), meter, extract);
      feeding.catch(() => {}); // the same error ends the loop below
      try {
        for await (const entry of extract) {
          const { header } = entry;
          let opened = false;
          const raw: RawEntry = {
            name: header.name,
            type: (header.type && TAR_TYPES[header.type]) || "unknown",
            mode: header.mode ?? 0,
            size: header.size ?? 0,
            mtime: header.mtime ?? new Date(0),
            linkname: header.linkname ?? undefined,
          };
          await visit(raw, async () => {
            opened = true;
            return entry as unknown as Readable;
          });
          if (!opened) entry.resume();
        }
        await feeding; // the gzip trailer's checksum and length are checked at the very end
      } catch (error) {
        throw asRejection(error);
      } finally {
        // Every read on the file is over before the caller may close it.
        extract.destroy();
        await feeding.catch(() => {});
      }
    },
  };
}

const S_IFMT = 0o170000;
const UNIX_HOSTS = new Set([3, 19]); // Unix, macOS: external attributes hold st_mode

function zipEntry(entry: yauzl.Entry): RawEntry & { crc32: number } {
  const name = yauzl.getFileNameLowLevel(
    entry.generalPurposeBitFlag,
    entry.fileNameRaw,
    entry.extraFields,
    false,
  );
  const unixMode = UNIX_HOSTS.has(entry.versionMadeBy >> 8) ? entry.externalFileAttributes >>> 16 : 0;
  const kind = unixMode & S_IFMT;
  let type: RawEntry["type"];
  if (name.endsWith("/") || kind === 0o040000 || (!unixMode && entry.externalFileAttributes & 0x10)) {
    type = "directory";
  } else if (kind === 0o120000) type = "symlink";
  else if (kind === 0 || kind === 0o100000) type = "file";
  else type = "special";
  if (type !== "directory" && !entry.canDecodeFileData()) {
    throw new UploadRejectedError("unsupported_format", "an encrypted entry or unknown compression", name);
  }
  return {
    name,
    type,
    mode: unixMode ? unixMode & 0o7777 : 0o644,
    size: type === "directory" ? 0 : entry.uncompressedSize,
    mtime: entry.getLastModDate(),
    crc32: entry.crc32,
  };
}

/** Reads at most this large are served from cached windows of the file. */
const SMALL_READ = 16 * 1024;
const WINDOW = 256 * 1024;

interface Window {
  start: number;
  bytes: Buffer;
}

/**
 * yauzl reading through our FileHandle (its own fd reader closes the descriptor when done with it).
 * yauzl asks for every central directory record and local header separately, a few dozen bytes
 * each, alternating between the directory at the end and the headers from the start: two cached
 * windows of the file serve those, one read per window, not one per record.
 */
class HandleReader extends yauzl.RandomAccessReader {
  private windows: Array<Promise<Window>> = [];

  constructor(
    private readonly file: FileHandle,
    private readonly size: number,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    if (end - start > SMALL_READ) return readRange(this.file, start, end);
    return Readable.from(this.slice(start, end), { objectMode: false });
  }

  private async *slice(start: number, end: number): AsyncGenerator<Buffer> {
    if (end <= start) return;
    let window: Window | undefined;
    for (const [i, pending] of this.windows.entries()) {
      const candidate = await pending;
      if (candidate.start <= start && end <= candidate.start + candidate.bytes.length) {
        window = candidate;
        if (i > 0) this.windows.unshift(...this.windows.splice(i, 1)); // most recently used first
        break;
      }
    }
    if (!window) {
      const length = Math.min(WINDOW, this.size - start);
      const loading = this.file
        .read(Buffer.allocUnsafe(length), 0, length, start)
        .then(({ bytesRead, buffer }) => ({ start, bytes: buffer.subarray(0, bytesRead) }));
      this.windows = [loading, ...this.windows.slice(0, 1)];
      window = await loading;
    }
    if (end > window.start + window.bytes.length) throw new Error("the spooled upload ended early");
    yield window.bytes.subarray(start - window.start, end - window.start);
  }
}

/** yauzl reads the central directory at the end; it checks each entry's real size against its declared one. */
export function zipReader({ file, size }: Spooled, maxEntries: number): ArchiveReader {
  return {
    async walk(visit) {
      let zip: yauzl.ZipFile | undefined;
      try {
        zip = await yauzl.fromRandomAccessReaderPromise(new HandleReader(file, size), size, {
          autoClose: true, // closes our reader, which leaves the file open
          lazyEntries: true,
          decodeStrings: false, // names are decoded and judged here, with our reasons
          validateEntrySizes: true,
        });
        if (zip.entryCount > maxEntries) {
          throw new UploadRejectedError("too_many_files", `more than ${maxEntries} entries`);
        }
        for await (const entry of zip.eachEntry()) {
          await visit(zipEntry(entry), () => zip!.openReadStreamPromise(entry));
        }
      } catch (error) {
        throw asRejection(error);
      } finally {
        zip?.close();
      }
    },
  };
}
