export type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
export type { Authentication, Context, Logger, RequestInfo, SessionCookieWriter } from "./context.ts";
export { type AppRouter, appRouter, createCaller } from "./router.ts";
