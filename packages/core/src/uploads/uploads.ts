// Uploads a session can start from: an archive a member sent, checked and rewritten as a clean tar
// (by the sandbox package's sanitiser, handed in so core does not depend on it), kept as
// `<dir>/<uploadId>.tar` until a session uses it or it expires. The file is written under a
// temporary name and renamed only once complete and recorded: a refused or broken upload leaves
// nothing behind, and a file by the final name is always whole.
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { DbTx } from "@studio/db";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";

export interface UploadActor {
  userId: string;
  organizationId: string;
}

/** The limits the sanitiser enforces (mirrors `UploadLimits` of @studio/sandbox). */
export interface UploadLimitSettings {
  compressedBytes: number;
  unpackedBytes: number;
  files: number;
}

/** `sanitiseArchive` of @studio/sandbox: the clean tar, or a rejection with a `reason`. */
export type SanitiseUpload = (input: Readable, limits: UploadLimitSettings) => Promise<Readable>;

/** A refusal by the sanitiser, kept as the AppError's cause so HTTP can answer 413 or 400. */
export interface UploadRejection {
  reason: string;
  message: string;
}

const TOO_LARGE_REASONS = new Set(["too_large", "too_many_files", "unpacked_too_large"]);

/** Whether a refused upload was refused for its size (413) rather than its contents (400). */
export function isUploadTooLarge(error: unknown): boolean {
  const cause = error instanceof AppError ? (error.cause as Partial<UploadRejection> | undefined) : undefined;
  return typeof cause?.reason === "string" && TOO_LARGE_REASONS.has(cause.reason);
}

const UPLOAD_ID = /^[a-z0-9]{1,64}$/;

/** Where an upload's clean tar is kept. Ids are ours (base32), never a path from outside. */
export function uploadPath(dir: string, uploadId: string): string {
  if (!UPLOAD_ID.test(uploadId)) throw new AppError("NOT_FOUND", "Upload not found.");
  return path.join(dir, `${uploadId}.tar`);
}

const FILE_NAME_MAX = 200;

/** The browser's file name, shown only: no directories, no control characters, bounded. */
export function cleanUploadName(raw: string | null | undefined): string {
  const base = (raw ?? "").split(/[\\/]/).at(-1) ?? "";
  const printable = [...base].filter((char) => {
    const code = char.charCodeAt(0);
    return code >= 0x20 && code !== 0x7f;
  });
  const cleaned = printable.join("").trim().slice(0, FILE_NAME_MAX);
  return cleaned || "upload";
}

/** Counts bytes flowing through. */
function counter() {
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, bytes: () => bytes };
}

/** Counts the tar's files (directories aside) and their contents' bytes from its 512-byte headers, as it streams. */
function tarCounter() {
  let files = 0;
  let contentBytes = 0;
  let pending = Buffer.alloc(0);
  let skip = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (data.length > 0) {
        if (skip > 0) {
          const used = Math.min(skip, data.length);
          skip -= used;
          data = data.subarray(used);
          continue;
        }
        if (data.length < 512) break;
        const header = data.subarray(0, 512);
        data = data.subarray(512);
        if (header.every((byte) => byte === 0)) continue;
        const size = Number.parseInt(
          header.subarray(124, 136).toString("latin1").replace(/\0.*$/s, "").trim() || "0",
          8,
        );
        const type = String.fromCharCode(header[156] ?? 0);
        // pax/GNU long-name records describe the next entry; they are not entries themselves.
        if (!["x", "g", "L", "K"].includes(type)) {
          if (type !== "5") files += 1;
          if (type === "0" || type === "\0" || type === "7") contentBytes += size;
        }
        skip = Math.ceil(size / 512) * 512;
      }
      pending = Buffer.from(data);
      done(null, chunk);
    },
  });
  return { stream, files: () => files, contentBytes: () => contentBytes };
}

export interface StoreUploadInput {
  /** The name the browser gave (shown only). */
  fileName: string;
  /** The archive as it arrives (zip or tar.gz). */
  stream: Readable;
  limits: UploadLimitSettings;
  dir: string;
  sanitise: SanitiseUpload;
}

/**
 * Checks and stores an upload; returns its row. Refusals are BAD_REQUEST with the sanitiser's
 * rejection as cause (`isUploadTooLarge` tells a size refusal). Nothing is left on failure.
 */
export async function storeUpload(db: DbTx, actor: UploadActor, input: StoreUploadInput) {
  await mkdir(input.dir, { recursive: true, mode: 0o700 });
  const id = newId();
  const final = uploadPath(input.dir, id);
  const partial = path.join(input.dir, `.${id}.partial`);
  const received = counter();
  try {
    input.stream.pipe(received.stream);
    input.stream.on("error", (error) => received.stream.destroy(error));
    let clean: Readable;
    try {
      clean = await input.sanitise(received.stream, input.limits);
    } catch (error) {
      const rejection = error as Partial<UploadRejection> & Error;
      if (typeof rejection?.reason === "string")
        throw new AppError("BAD_REQUEST", `The upload was refused: ${rejection.message}.`, {
          cause: { reason: rejection.reason, message: rejection.message },
        });
      throw error;
    }
    const counted = tarCounter();
    await pipeline(clean, counted.stream, createWriteStream(partial, { mode: 0o600, flags: "wx" }));
    const row = await db.sessionUpload.create({
      data: {
        id,
        organizationId: actor.organizationId,
        userId: actor.userId,
        fileName: cleanUploadName(input.fileName),
        compressedBytes: BigInt(received.bytes()),
        unpackedBytes: BigInt(counted.contentBytes()),
        fileCount: counted.files(),
      },
      select: {
        id: true,
        fileName: true,
        compressedBytes: true,
        unpackedBytes: true,
        fileCount: true,
        createdAt: true,
      },
    });
    try {
      await rename(partial, final);
    } catch (error) {
      await db.sessionUpload.delete({ where: { id } }).catch(() => {});
      throw error;
    }
    return row;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    // A refused upload's remaining body is not read: the caller closes the connection.
    input.stream.unpipe(received.stream);
  }
}

/** The clean tar of an upload, for the runner to hand to the sandbox. */
export function openUpload(dir: string, uploadId: string): Readable {
  return createReadStream(uploadPath(dir, uploadId));
}

/** Removes an upload's file and row (a session that used it keeps its source columns). */
export async function deleteUpload(db: DbTx, dir: string, uploadId: string): Promise<void> {
  await rm(uploadPath(dir, uploadId), { force: true });
  await db.sessionUpload.deleteMany({ where: { id: uploadId } });
}

/**
 * Removes uploads older than `olderThan` that no session used, and files in the directory that
 * belong to no upload row (partials of a crashed replica, rows gone). Returns how many rows went.
 * Uploads a session used are kept while the session exists: its sandbox may be provisioned again.
 */
export async function expireUploads(db: DbTx, dir: string, olderThan: Date): Promise<number> {
  const stale = await db.sessionUpload.findMany({
    where: { createdAt: { lt: olderThan }, sessions: { none: {} } },
    select: { id: true },
  });
  for (const { id } of stale) await deleteUpload(db, dir, id);
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return stale.length;
  }
  for (const name of names) {
    const full = path.join(dir, name);
    const info = await stat(full).catch(() => null);
    if (!info?.isFile() || info.mtime >= olderThan) continue;
    const id = /^([a-z0-9]+)\.tar$/.exec(name)?.[1];
    const known = id ? await db.sessionUpload.count({ where: { id } }) : 0;
    if (!known) await rm(full, { force: true });
  }
  return stale.length;
}
