import { TRPCError } from "@trpc/server";
import { expect } from "vitest";

/** The TRPCError a call fails with (the test fails if it succeeds or fails otherwise). */
export async function caught(promise: Promise<unknown>, message?: string): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, message).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}
