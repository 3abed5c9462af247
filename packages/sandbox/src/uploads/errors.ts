// What an upload may be and why one is refused. The reasons are stable strings the API can map to
// a message; `entry` names the archive member at fault (as written in the archive).

export interface UploadLimits {
  /** Bytes of the upload as received (the archive itself), counted while it streams in. */
  compressedBytes: number;
  /** Bytes of all files' contents once unpacked. */
  unpackedBytes: number;
  /** Entries of every kind: files, directories, links. */
  files: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  compressedBytes: 200 * 1024 * 1024,
  unpackedBytes: 1024 * 1024 * 1024,
  files: 100_000,
};

export type UploadRejectionReason =
  | "too_large"
  | "too_many_files"
  | "unpacked_too_large"
  | "path_escapes"
  | "link_escapes"
  | "special_file"
  | "corrupt"
  | "unsupported_format";

export class UploadRejectedError extends Error {
  override readonly name = "UploadRejectedError";
  constructor(
    readonly reason: UploadRejectionReason,
    message: string,
    readonly entry?: string,
  ) {
    super(entry === undefined ? message : `${message}: ${JSON.stringify(entry)}`);
  }
}

/** Errors from the parsers (zlib, tar, zip) mean the archive is damaged; ours pass through. */
export function asRejection(error: unknown, entry?: string): UploadRejectedError {
  if (error instanceof UploadRejectedError) return error;
  return new UploadRejectedError("corrupt", `the archive is damaged (${(error as Error).message})`, entry);
}
