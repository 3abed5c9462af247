// The upload goes to a temporary file first: zip keeps its directory at the end and needs random
// access, and deciding whether one top folder wraps everything needs every name before the first
// entry is written out. The file is unlinked (with its mkdtemp directory) as soon as it is open,
// so nothing stays on disk whatever happens next, even if the studio dies mid-upload; the open
// descriptor keeps it readable until it is closed.

import type { FileHandle } from "node:fs/promises";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { UploadRejectedError } from "./errors.ts";

export type ArchiveFormat = "zip" | "tar.gz";

export interface Spooled {
  file: FileHandle;
  format: ArchiveFormat;
  size: number;
}

/** Local file header, or the end record alone (an empty zip). */
function sniff(head: Buffer): ArchiveFormat | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return "tar.gz";
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) return "zip";
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0506) return "zip";
  return undefined;
}

function unsupported(): UploadRejectedError {
  return new UploadRejectedError("unsupported_format", "not a .zip or .tar.gz archive");
}

/**
 * Copies `input` to an unlinked temporary file, refusing as soon as it passes `limit` bytes or its
 * first bytes are no known archive. On refusal `input` is left paused, not destroyed, so an HTTP
 * handler can still answer (413) before closing the connection.
 */
export async function spool(input: Readable, limit: number, tempDir = tmpdir()): Promise<Spooled> {
  const dir = await mkdtemp(path.join(tempDir, "studio-upload-"));
  let file: FileHandle;
  try {
    file = await open(path.join(dir, "upload"), "wx+", 0o600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  try {
    const { format, size } = await copy(input, file, limit);
    return { file, format, size };
  } catch (error) {
    await file.close();
    throw error;
  }
}

function copy(
  input: Readable,
  file: FileHandle,
  limit: number,
): Promise<{ format: ArchiveFormat; size: number }> {
  return new Promise((resolve, reject) => {
    let size = 0;
    let head = Buffer.alloc(0);
    let format: ArchiveFormat | undefined;
    let writes: Promise<unknown> = Promise.resolve();
    let settled = false;

    const detach = () => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.off("error", onError);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      detach();
      input.pause();
      reject(error);
    };
    const onData = (data: Buffer | string) => {
      const chunk = typeof data === "string" ? Buffer.from(data) : data;
      size += chunk.length;
      if (size > limit)
        return fail(new UploadRejectedError("too_large", `the upload is over ${limit} bytes`));
      if (format === undefined && head.length < 4) {
        head = Buffer.concat([head, chunk.subarray(0, 4 - head.length)]);
        if (head.length >= 4) {
          format = sniff(head);
          if (format === undefined) return fail(unsupported());
        }
      }
      // One write at a time, the input paused meanwhile: memory stays at one chunk.
      input.pause();
      writes = writes
        .then(() => file.write(chunk))
        .then(() => {
          if (!settled) input.resume();
        }, fail);
    };
    const onEnd = () => {
      writes.then(() => {
        if (settled) return;
        format ??= sniff(head);
        if (format === undefined) return fail(unsupported());
        settled = true;
        detach();
        resolve({ format, size });
      }, fail);
    };
    const onError = (error: Error) => fail(error);

    input.on("data", onData);
    input.on("end", onEnd);
    input.on("error", onError);
    input.resume();
  });
}

/**
 * Bytes `start` to `end` (exclusive) of the spooled file. Not fs.ReadStream: destroying one closes
 * its FileHandle, and the file is read more than once. FileHandle.close() waits for reads under way.
 */
export function readRange(file: FileHandle, start: number, end: number): Readable {
  let position = start;
  return new Readable({
    highWaterMark: 64 * 1024,
    read(size) {
      const length = Math.min(size, end - position);
      if (length <= 0) {
        this.push(null);
        return;
      }
      file.read(Buffer.allocUnsafe(length), 0, length, position).then(
        ({ bytesRead, buffer }) => {
          if (bytesRead === 0) return this.destroy(new Error("the spooled upload ended early"));
          position += bytesRead;
          this.push(buffer.subarray(0, bytesRead));
        },
        (error: Error) => this.destroy(error),
      );
    },
  });
}
