export type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
export { type ResolvedActor, resolveActor, userOf, wantedOrganizationId } from "./actor.ts";
export type { Authentication, Context, RequestInfo, SessionCookieWriter } from "./context.ts";
export { INTERNAL_MESSAGE, toHttpError, toTRPCError, trpcErrorHeaders } from "./errors.ts";
export { MAX_SUBSCRIPTIONS_PER_USER, type SlotLimit, Slots, subscriptionSlots } from "./limits.ts";
export { type AppRouter, appRouter, createCaller } from "./router.ts";
export { SESSION_EVENTS_PATH, serveSessionEvents } from "./session-events-sse.ts";
