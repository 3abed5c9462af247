// The browser's half of an upload: gather the files of a chosen or dropped folder, zip them with
// fflate file by file (streamed from disk in chunks, so the page stays responsive), and send the
// archive to `POST /api/uploads` with XMLHttpRequest, the one browser API that reports upload progress.
import { Zip, ZipDeflate, ZipPassThrough } from "fflate";
import { type EntrySource, folderEntries, isAlreadyCompressed } from "./folder-paths.ts";
import { formatBytes, UPLOAD_LIMIT_BYTES } from "./source-format.ts";

export interface UploadResult {
  uploadId: string;
  fileCount: number;
  unpackedBytes: number;
  fileName: string;
}

/** A refusal or failure to show as it is: the server's sentence, or ours when it sent none. */
export class UploadError extends Error {}

/** Every file under a dropped directory entry, with its path from the dropped folder. */
async function readDirectory(entry: FileSystemDirectoryEntry): Promise<EntrySource<File>[]> {
  const reader = entry.createReader();
  const children: FileSystemEntry[] = [];
  // readEntries answers in batches (100 in Chrome) until it answers an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map((child) => readEntry(child)));
  return nested.flat();
}

async function readEntry(entry: FileSystemEntry): Promise<EntrySource<File>[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    return [{ path: entry.fullPath, item: file }];
  }
  if (entry.isDirectory) return readDirectory(entry as FileSystemDirectoryEntry);
  return [];
}

export type DroppedItems =
  | { kind: "archive"; file: File }
  | { kind: "folder"; files: EntrySource<File>[] }
  | { kind: "none"; problem: string };

/**
 * What was dropped: one archive file, or a folder (or several files, zipped together). Entries must
 * be taken from the DataTransfer before the drop handler awaits anything: the browser empties it.
 */
export async function readDrop(transfer: DataTransfer): Promise<DroppedItems> {
  const entries = [...transfer.items]
    .filter((item) => item.kind === "file")
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  const files = [...transfer.files];
  if (files.length === 0) return { kind: "none", problem: "Drop a folder, a .zip or a .tar.gz." };
  const single = entries.length === 1 && entries[0]?.isFile;
  if (single && files.length === 1 && files[0]) {
    return { kind: "archive", file: files[0] };
  }
  if (entries.every((entry) => entry !== null)) {
    const nested = await Promise.all(entries.map((entry) => readEntry(entry as FileSystemEntry)));
    return { kind: "folder", files: nested.flat() };
  }
  // A browser without entries: the loose files, each at the top.
  return { kind: "folder", files: files.map((file) => ({ path: file.name, item: file })) };
}

/** The files an `<input type=file webkitdirectory>` chose, with their paths. */
export function chosenFolder(files: FileList | readonly File[]): EntrySource<File>[] {
  return [...files].map((file) => ({ path: file.webkitRelativePath || file.name, item: file }));
}

/**
 * Zips a folder's files (paths relative to the folder) into a Blob. Refuses once the archive grows
 * past the upload limit rather than building something the server will refuse.
 */
export async function zipFolder(
  sources: readonly EntrySource<File>[],
  onProgress: (readBytes: number, totalBytes: number) => void,
  signal?: AbortSignal,
  limitBytes: number = UPLOAD_LIMIT_BYTES,
): Promise<{ blob: Blob; fileCount: number }> {
  const entries = folderEntries(sources);
  if (entries.length === 0) throw new UploadError("That folder has no files to upload.");
  const totalBytes = entries.reduce((sum, entry) => sum + entry.item.size, 0);
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let zippedBytes = 0;
  let failure: Error | null = null;
  const zip = new Zip((error, chunk, final) => {
    if (error) failure = error;
    else {
      parts.push(chunk as Uint8Array<ArrayBuffer>);
      zippedBytes += chunk.length;
    }
    void final;
  });
  let readBytes = 0;
  for (const { path, item } of entries) {
    const entry = isAlreadyCompressed(path) ? new ZipPassThrough(path) : new ZipDeflate(path, { level: 6 });
    zip.add(entry);
    const reader = item.stream().getReader();
    for (;;) {
      if (signal?.aborted) throw new UploadError("Cancelled.");
      const { done, value } = await reader.read();
      if (done) break;
      entry.push(value, false);
      readBytes += value.length;
      onProgress(readBytes, totalBytes);
      if (failure) throw new UploadError(`Couldn't zip ${path}: ${(failure as Error).message}`);
      if (zippedBytes > limitBytes) {
        throw new UploadError(
          `The folder zips to more than ${formatBytes(limitBytes)}, the upload limit. Leave out build output or dependencies and try again.`,
        );
      }
    }
    entry.push(new Uint8Array(0), true);
  }
  zip.end();
  if (failure) throw new UploadError(`Couldn't zip the folder: ${(failure as Error).message}`);
  return { blob: new Blob(parts, { type: "application/zip" }), fileCount: entries.length };
}

/** The server's `{ error }` sentence, or one for the status when the body had none. */
function failureMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === "string" && parsed.error) return parsed.error;
  } catch {
    // Not JSON: a proxy's page, say.
  }
  if (status === 413)
    return `The archive is larger than the studio accepts (${formatBytes(UPLOAD_LIMIT_BYTES)}).`;
  if (status === 401) return "You're signed out. Sign in again and retry.";
  return `The upload failed (HTTP ${status}). Try again.`;
}

/** Sends an archive; resolves with what the server unpacked, rejects with an UploadError to show. */
export function uploadArchive(
  body: Blob,
  fileName: string,
  onProgress: (sentBytes: number, totalBytes: number) => void,
  signal?: AbortSignal,
): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/uploads?${new URLSearchParams({ name: fileName })}`);
    request.withCredentials = true;
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.onprogress = (event) =>
      onProgress(event.loaded, event.lengthComputable ? event.total : body.size);
    request.onerror = () =>
      reject(new UploadError("Can't reach the studio. Check your connection and try again."));
    request.onabort = () => reject(new UploadError("Cancelled."));
    request.onload = () => {
      if (request.status === 200) {
        try {
          resolve(JSON.parse(request.responseText) as UploadResult);
        } catch {
          reject(new UploadError("The studio's answer was not understood. Try again."));
        }
        return;
      }
      reject(new UploadError(failureMessage(request.status, request.responseText)));
    };
    signal?.addEventListener("abort", () => request.abort(), { once: true });
    request.send(body);
  });
}
