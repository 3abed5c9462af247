import { AppError, type AppErrorCode } from "@studio/core";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

// The one place where domain errors become protocol errors: the tRPC code (whose HTTP status tRPC
// derives, the same as `status` here) and the status and JSON body of a plain HTTP route.
const codeMap: Record<AppErrorCode, { trpc: TRPC_ERROR_CODE_KEY; status: number }> = {
  BAD_REQUEST: { trpc: "BAD_REQUEST", status: 400 },
  UNAUTHORIZED: { trpc: "UNAUTHORIZED", status: 401 },
  FORBIDDEN: { trpc: "FORBIDDEN", status: 403 },
  NOT_FOUND: { trpc: "NOT_FOUND", status: 404 },
  CONFLICT: { trpc: "CONFLICT", status: 409 },
  PAYMENT_REQUIRED: { trpc: "PAYMENT_REQUIRED", status: 402 },
  TOO_MANY_REQUESTS: { trpc: "TOO_MANY_REQUESTS", status: 429 },
  INTERNAL: { trpc: "INTERNAL_SERVER_ERROR", status: 500 },
};

/** What a client is told of an internal error: never its details. */
export const INTERNAL_MESSAGE = "Something went wrong on our side. Try again in a moment.";

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: codeMap[error.code].trpc, message: error.message, cause: error });
}

/** What a plain HTTP route answers for a domain error: `{ error: message }`, with `retry-after` when known. */
export function toHttpError(error: AppError): {
  status: number;
  headers: Record<string, string>;
  body: { error: string };
} {
  const headers: Record<string, string> = {};
  if (error.code === "TOO_MANY_REQUESTS") headers["retry-after"] = String(error.retryAfterSeconds ?? 5);
  const message = error.code === "INTERNAL" ? INTERNAL_MESSAGE : error.message;
  return { status: codeMap[error.code].status, headers, body: { error: message } };
}

/**
 * Headers a tRPC answer carries for its calls' errors: `retry-after` (the longest wait asked) when
 * any was throttled, as a plain HTTP route's would (see toHttpError).
 */
export function trpcErrorHeaders(errors: readonly TRPCError[]): Record<string, string> {
  let seconds = 0;
  for (const error of errors) {
    if (error.code !== "TOO_MANY_REQUESTS") continue;
    const cause = error.cause instanceof AppError ? error.cause : null;
    seconds = Math.max(seconds, cause?.retryAfterSeconds ?? 5);
  }
  return seconds > 0 ? { "retry-after": String(seconds) } : {};
}

export { AppError };
