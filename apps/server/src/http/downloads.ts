// GET /api/sessions/<id>/download?format=zip|tar.gz&git=0|1 and GET /api/sessions/<id>/changes.patch:
// a session's work taken away, streamed from its sandbox with backpressure (a few chunks in memory
// however large the workspace). Same authentication and organisation rules as the procedures.
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { type ResolvedActor, Slots } from "@studio/api";
import { archiveFormatSchema, type Download, sessionArchive, sessionChangesPatch } from "@studio/core";
import { tarGzToZip } from "@studio/sandbox";
import type { ContextDeps } from "./context.ts";
import { refuse, refuseWith, requestActor } from "./respond.ts";

const DOWNLOAD_PATH = /^\/api\/sessions\/([A-Za-z0-9_-]{1,64})\/(download|changes\.patch)$/;

/** Whether a request's path is one of these routes. */
export const isDownloadPath = (url: string) => DOWNLOAD_PATH.test(url.split("?")[0] ?? "");

// Each download runs tar or git in a sandbox and streams through this replica: a few at a time
// here, and two per member, so one person's downloads cannot keep everyone else's out.
export const DOWNLOAD_LIMITS = { replica: 8, member: 2 } as const;
const downloadSlots = new Slots(5);

/** `attachment` with the name in both forms browsers read (RFC 6266 / 5987). */
function contentDisposition(fileName: string) {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export async function serveDownload(req: IncomingMessage, res: ServerResponse, deps: ContextDeps) {
  const url = new URL(req.url ?? "/", "http://studio");
  const [, sessionId = "", what] = DOWNLOAD_PATH.exec(url.pathname) ?? [];
  if (req.method !== "GET") return refuse(res, 405, "Use GET.", { allow: "GET" });
  let download: Download;
  let release: () => void;
  let actor: ResolvedActor["actor"];
  try {
    ({ actor } = await requestActor(req, res, deps));
    release = downloadSlots.acquire([
      {
        key: `member:${actor.userId}`,
        max: DOWNLOAD_LIMITS.member,
        message: "Your other downloads are still running. Try again when one has finished.",
      },
      {
        key: "replica",
        max: DOWNLOAD_LIMITS.replica,
        message: "The studio is busy; try again in a few seconds.",
      },
    ]);
  } catch (error) {
    return refuseWith(res, error);
  }
  try {
    if (what === "download") {
      const format = archiveFormatSchema.safeParse(url.searchParams.get("format") ?? "zip");
      const git = url.searchParams.get("git") ?? "0";
      if (!format.success || (git !== "0" && git !== "1"))
        return refuse(res, 400, "Ask for format=zip or format=tar.gz, and git=0 or git=1.");
      download = await sessionArchive(
        deps.db,
        deps.sessions.workspaces,
        actor,
        { sessionId, format: format.data, includeGit: git === "1" },
        tarGzToZip,
      );
    } else {
      download = await sessionChangesPatch(deps.db, deps.sessions.workspaces, actor, sessionId);
    }
  } catch (error) {
    release();
    return refuseWith(res, error);
  }
  res.writeHead(200, {
    "content-type": download.contentType,
    "content-disposition": contentDisposition(download.fileName),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  // A client that goes away ends the pipeline, which destroys the stream from the sandbox.
  await pipeline(download.stream, res)
    .catch((error: unknown) => {
      const clientLeft = (error as { code?: string }).code === "ERR_STREAM_PREMATURE_CLOSE";
      if (!clientLeft) deps.logger.warn({ err: error, sessionId }, "a download failed part-way");
    })
    .finally(release);
}
