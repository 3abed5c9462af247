import { AppError } from "@studio/core";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { resolveActor, userOf } from "./actor.ts";
import type { Context } from "./context.ts";
import { INTERNAL_MESSAGE, toTRPCError } from "./errors.ts";

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  sse: {
    ping: { enabled: true, intervalMs: 10_000 },
    client: { reconnectAfterInactivityMs: 25_000 },
  },
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      message: publicMessage(error.code, shape.message, cause),
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
        retryAfterSeconds: cause instanceof AppError ? (cause.retryAfterSeconds ?? null) : null,
      },
    };
  },
});

/** The sentence a client may show: validation problems in words, never an internal error's details. */
function publicMessage(code: string, message: string, cause: unknown): string {
  if (cause instanceof ZodError) {
    const problems = cause.issues.map((issue) =>
      issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
    );
    return `Invalid input. ${problems.join("; ")}`;
  }
  if (code === "INTERNAL_SERVER_ERROR") return INTERNAL_MESSAGE;
  return message;
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Domain errors become typed tRPC errors; everything else is logged and reported as internal. */
const errorMapping = t.middleware(async ({ next, ctx, path, type }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof AppError) return { ...result, error: toTRPCError(cause) };
  if (result.error.code === "INTERNAL_SERVER_ERROR") {
    ctx.logger.error({ err: cause ?? result.error, path, type }, "procedure failed");
  }
  return result;
});

/** A browser form on another site must not act with the visitor's cookie. Tokens are not sent by browsers. */
const sameOriginMutations = t.middleware(({ ctx, type, next }) => {
  if (type === "mutation" && ctx.auth?.kind !== "token" && !ctx.request.sameOrigin) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Cross-site request refused." });
  }
  return next();
});

export const publicProcedure = t.procedure.use(errorMapping).use(sameOriginMutations);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.auth) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  const auth = ctx.auth;
  return next({ ctx: { auth, user: userOf(auth) } });
});

/**
 * The caller's membership in the organisation they act in: the token's organisation, or the one
 * chosen in this browser session (falling back to the first they belong to, e.g. after removal).
 */
export const orgProcedure = authedProcedure.use(async ({ ctx, next }) => {
  const { membership, actor } = await resolveActor(ctx.db, ctx.auth);
  return next({ ctx: { membership, actor } });
});

/** Owners and admins. */
export const managerProcedure = orgProcedure.use(({ ctx, next }) => {
  if (ctx.membership.role === "member") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only owners and admins can do that." });
  }
  return next();
});

/** Browser sessions only: an API token cannot mint tokens, switch organisations or end sessions. */
const requireBrowserSession = t.middleware(({ ctx, next }) => {
  if (ctx.auth?.kind !== "session") {
    throw new TRPCError({ code: "FORBIDDEN", message: "This action needs a signed-in browser session." });
  }
  return next({ ctx: { session: ctx.auth.session } });
});

export const browserSessionProcedure = authedProcedure.use(requireBrowserSession);
export const orgBrowserSessionProcedure = orgProcedure.use(requireBrowserSession);

/**
 * Platform admins, in a browser session: they act across organisations, on the platform's money, so
 * an API token (made for one organisation) cannot carry that power.
 */
export const platformProcedure = browserSessionProcedure.use(({ ctx, next }) => {
  if (!ctx.user.platformAdmin) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only the studio's platform admins can do that." });
  }
  return next({ ctx: { platformActor: { userId: ctx.user.id, platformAdmin: true } } });
});
