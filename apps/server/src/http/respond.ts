// What every HTTP route outside tRPC (downloads, uploads, the ledger export, the git gateway) shares
// with the procedures: who is acting (`resolveActor`, the procedures' own resolver) and how a domain
// error becomes a response (`toHttpError`, the procedures' own mapping), so a route can neither
// check membership differently nor answer an error in another shape.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type ResolvedActor, resolveActor, toHttpError } from "@studio/api";
import { AppError } from "@studio/core";
import { authenticate, type ContextDeps } from "./context.ts";

/** A JSON error answer, never cached. */
export function refuse(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { ...headers, "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify({ error: message }));
}

/** A domain error answered the way every route answers it; anything else is rethrown (a bug). */
export function refuseWith(res: ServerResponse, error: unknown, extraHeaders: Record<string, string> = {}) {
  if (!(error instanceof AppError)) throw error;
  const { status, headers, body } = toHttpError(error);
  return refuse(res, status, body.error, { ...headers, ...extraHeaders });
}

/** The caller (cookie or API token) and the organisation it acts in, or throws an AppError. */
export async function requestActor(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ContextDeps,
): Promise<ResolvedActor> {
  return resolveActor(deps.db, await authenticate(req, res, deps));
}
