/** What went wrong, in words a client can branch on. Mapped to HTTP/tRPC codes in one place (api). */
export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYMENT_REQUIRED"
  | "TOO_MANY_REQUESTS"
  | "INTERNAL";

export interface AppErrorOptions {
  /** Seconds until a throttled caller may try again. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** The only error type services throw on purpose; anything else is a bug and reported as INTERNAL. */
export class AppError extends Error {
  override name = "AppError";
  readonly code: AppErrorCode;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: AppErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found.`);
export const forbidden = (message = "You do not have permission to do that.") =>
  new AppError("FORBIDDEN", message);
export const conflict = (message: string) => new AppError("CONFLICT", message);
