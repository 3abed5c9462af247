import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "./trpc.ts";

export type FieldErrors = Partial<Record<string, string[]>>;

export interface ErrorInfo {
  code: string | null;
  /** The sentence to show in an alert; null when field errors already explain the problem. */
  message: string | null;
  fieldErrors: FieldErrors;
}

function isAppError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError;
}

/** What a form or page should show for a failed request. */
export function describeError(error: unknown, shownFields: readonly string[] = []): ErrorInfo {
  if (!error) return { code: null, message: null, fieldErrors: {} };
  if (!isAppError(error)) return { code: null, message: "Something went wrong. Try again.", fieldErrors: {} };
  const data = error.data;
  if (!data) {
    // No tRPC envelope: the request never reached the studio, or a proxy answered instead.
    return {
      code: null,
      message: "Can't reach the studio. Check your connection and try again.",
      fieldErrors: {},
    };
  }
  const zod = data.zodError;
  if (zod) {
    const fieldErrors: FieldErrors = zod.fieldErrors ?? {};
    const unshown = Object.keys(fieldErrors).filter((field) => !shownFields.includes(field));
    const formErrors = zod.formErrors ?? [];
    if (unshown.length === 0 && formErrors.length === 0)
      return { code: data.code, message: null, fieldErrors };
    return { code: data.code, message: formErrors[0] ?? error.message, fieldErrors };
  }
  return { code: data.code, message: error.message, fieldErrors: {} };
}

export function errorCode(error: unknown): string | null {
  return isAppError(error) ? (error.data?.code ?? null) : null;
}

export function firstError(errors: FieldErrors, field: string): string | undefined {
  return errors[field]?.[0];
}
