// POST /api/uploads?name=<file name>, the body a .zip or .tar.gz as it is (told apart by its first
// bytes): an archive a session can start from. It is checked whole (names, links, devices, sizes,
// bombs) and kept as a clean tar before the answer `{ uploadId, fileCount, unpackedBytes, fileName }`;
// a refused one leaves nothing behind. Same authentication as the API (a cookie or an API token, the
// caller's active organisation; any member may upload), and a cookie request must come from the
// studio's own pages, as for every tRPC mutation.
import type { IncomingMessage, ServerResponse } from "node:http";
import { resolveActor, Slots } from "@studio/api";
import { AppError, isUploadTooLarge, storeUpload } from "@studio/core";
import { sanitiseArchive } from "@studio/sandbox";
import { authenticate, type ContextDeps, isSameOrigin } from "./context.ts";
import { refuse as refuseAnswer, refuseWith as refuseWithError } from "./respond.ts";

export const UPLOADS_PATH = "/api/uploads";

// Each upload spools to disk and keeps a core busy while it is checked: one or two at a time per
// member, a few per replica.
export const UPLOAD_LIMITS = { replica: 4, member: 2 } as const;
const uploadSlots = new Slots(5);

function uploadLimits(organizationId: string, userId: string) {
  return [
    {
      key: `member:${organizationId}:${userId}`,
      max: UPLOAD_LIMITS.member,
      message: "Your other uploads are still being checked. Try again when they have finished.",
    },
    {
      key: "replica",
      max: UPLOAD_LIMITS.replica,
      message: "Other uploads are being checked. Try again in a few seconds.",
    },
  ];
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  res.writeHead(status, { ...headers, "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/**
 * A refusal before (or instead of) reading the rest of the body: the connection is closed after the
 * answer, so a client's remaining gigabytes are never read.
 */
function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  refuseAnswer(res, status, message, { ...headers, connection: "close" });
}

function refuseWith(res: ServerResponse, error: unknown) {
  if (error instanceof AppError && isUploadTooLarge(error)) return refuse(res, 413, error.message);
  return refuseWithError(res, error, { connection: "close" });
}

export interface UploadDeps extends ContextDeps {}

export async function serveUpload(req: IncomingMessage, res: ServerResponse, deps: UploadDeps) {
  if (req.method !== "POST") return refuse(res, 405, "Use POST.", { allow: "POST" });
  const { dir, limits } = deps.config.uploads;
  let release: () => void;
  let actor: { userId: string; organizationId: string };
  try {
    const auth = await authenticate(req, res, deps);
    // A browser form on another site must not upload with the visitor's cookie; tokens are not ambient.
    if (auth?.kind === "session" && !isSameOrigin(req, deps.origins))
      return refuse(res, 403, "Cross-site request refused.");
    ({ actor } = await resolveActor(deps.db, auth));
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limits.compressedBytes)
      return refuse(res, 413, `The upload is larger than ${megabytes(limits.compressedBytes)}.`);
    release = uploadSlots.acquire(uploadLimits(actor.organizationId, actor.userId));
  } catch (error) {
    return refuseWith(res, error);
  }
  try {
    const fileName = new URL(req.url ?? "/", "http://studio").searchParams.get("name") ?? "";
    const upload = await storeUpload(deps.db, actor, {
      fileName,
      stream: req,
      limits,
      dir,
      sanitise: (input, uploadLimits) => sanitiseArchive(input, uploadLimits, { tempDir: dir }),
    });
    deps.logger.info(
      { organizationId: actor.organizationId, uploadId: upload.id, fileCount: upload.fileCount },
      "upload stored",
    );
    return answer(res, 200, {
      uploadId: upload.id,
      fileName: upload.fileName,
      fileCount: upload.fileCount,
      unpackedBytes: Number(upload.unpackedBytes),
    });
  } catch (error) {
    if (error instanceof AppError) return refuseWith(res, error);
    // The client went away mid-upload: nothing to answer, nothing was kept.
    if (req.destroyed || (error as { code?: string }).code === "ERR_STREAM_PREMATURE_CLOSE") return;
    deps.logger.error({ err: error }, "upload failed");
    return refuse(res, 500, "Something went wrong on our side. Try again in a moment.");
  } finally {
    release();
  }
}

const megabytes = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;
