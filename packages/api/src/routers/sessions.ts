import {
  answerQuestion,
  answerQuestionInput,
  cancelTurn,
  commitAndPush,
  commitAndPushInput,
  createSession,
  createSessionInput,
  followEvents,
  getSession,
  type Keyring,
  keepalive,
  listPendingInteractions,
  listSessions,
  listSessionsInput,
  type PrivateNetworkPolicy,
  recentRepositories,
  respondToPermission,
  respondToPermissionInput,
  resumeSession,
  type StoredEvent,
  sendMessage,
  sendMessageInput,
  sessionCatalog,
  sessionEventsInput,
  sessionIdInput,
  sourceRefs,
  sourceRefsInput,
  stopSession,
  suggestedCommitMessage,
} from "@studio/core";
import { tracked } from "@trpc/server";
import { z } from "zod";
import { subscriptionLimit, subscriptionSlots } from "../limits.ts";
import {
  catalogOutput,
  commitAndPushOutput,
  pendingInteractionOutput,
  recentRepositoryOutput,
  sessionOutput,
  sourceRefsOutput,
} from "../outputs.ts";
import { orgProcedure, router } from "../trpc.ts";

/**
 * An event as `sessions.events` sends it, made once per stored event: a live batch's stored events
 * are shared by every subscriber of the session (`followEvents`), so the SSE writer serialises each
 * one once (`session-events-sse.ts`).
 */
const eventsData = new WeakMap<StoredEvent, StoredEvent["event"] & { seq: number; at: Date }>();

function eventData(stored: StoredEvent) {
  let data = eventsData.get(stored);
  if (!data) {
    data = { ...stored.event, seq: Number(stored.seq), at: stored.createdAt };
    eventsData.set(stored, data);
  }
  return data;
}

const actorOf = (ctx: { actor: { userId: string; organizationId: string } }) => ctx.actor;
/** The keyring and network rules a session's git source is read with. */
const sourceSettingsOf = (ctx: { keys: { keyring: Keyring; privateNetwork: PrivateNetworkPolicy } }) => ({
  keyring: ctx.keys.keyring,
  rules: { privateNetwork: ctx.keys.privateNetwork },
});
const ok = z.object({ ok: z.literal(true) });

export const sessionsRouter = router({
  /**
   * Providers and models grouped by tier, each model with whether the organisation can use it now,
   * through which key, and if not, why and where to fix it (keys or credits).
   */
  catalog: orgProcedure.output(catalogOutput).query(({ ctx }) =>
    sessionCatalog(ctx.db, ctx.actor.organizationId, {
      platformProviders: ctx.sessions.runtime.platformProviders,
      endpointModels: (organizationId) => ctx.keys.endpointModels(organizationId),
    }),
  ),

  /** Answers at once with the session in `provisioning`; provisioning goes on in the background. */
  create: orgProcedure
    .input(createSessionInput)
    .output(sessionOutput)
    .mutation(({ ctx, input }) =>
      createSession(ctx.db, actorOf(ctx), input, ctx.sessions.runtime, sourceSettingsOf(ctx)),
    ),

  /** A repository's branches and tags (default branch first), read by the studio for the ref picker. */
  sourceRefs: orgProcedure
    .input(sourceRefsInput)
    .output(sourceRefsOutput)
    .query(({ ctx, input }) => sourceRefs(ctx.db, sourceSettingsOf(ctx), actorOf(ctx), input)),

  /** The organisation's git sources used before, most recent first, with the ref last used. */
  recentRepositories: orgProcedure
    .output(recentRepositoryOutput.array())
    .query(({ ctx }) => recentRepositories(ctx.db, actorOf(ctx))),

  list: orgProcedure
    .input(listSessionsInput)
    .output(z.object({ sessions: sessionOutput.array(), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => listSessions(ctx.db, actorOf(ctx), input)),

  get: orgProcedure
    .input(sessionIdInput)
    .output(sessionOutput)
    .query(({ ctx, input }) => getSession(ctx.db, actorOf(ctx), input.sessionId)),

  pendingInteractions: orgProcedure
    .input(sessionIdInput)
    .output(pendingInteractionOutput.array())
    .query(({ ctx, input }) => listPendingInteractions(ctx.db, actorOf(ctx), input.sessionId)),

  sendMessage: orgProcedure
    .input(sendMessageInput)
    .output(z.object({ messageId: z.string() }))
    .mutation(({ ctx, input }) => sendMessage(ctx.db, actorOf(ctx), input.sessionId, input.text)),

  cancel: orgProcedure
    .input(sessionIdInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await cancelTurn(ctx.db, actorOf(ctx), input.sessionId);
      return { ok: true as const };
    }),

  respondToPermission: orgProcedure
    .input(respondToPermissionInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await respondToPermission(ctx.db, actorOf(ctx), input.sessionId, input.interactionId, input.optionId);
      return { ok: true as const };
    }),

  answerQuestion: orgProcedure
    .input(answerQuestionInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await answerQuestion(ctx.db, actorOf(ctx), input.sessionId, input.interactionId, input.answers);
      return { ok: true as const };
    }),

  keepalive: orgProcedure
    .input(sessionIdInput)
    .output(z.object({ idleTimeoutSeconds: z.number().int() }))
    .mutation(({ ctx, input }) => keepalive(ctx.db, actorOf(ctx), input.sessionId)),

  stop: orgProcedure
    .input(sessionIdInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await stopSession(ctx.db, actorOf(ctx), input.sessionId);
      return { ok: true as const };
    }),

  resume: orgProcedure
    .input(sessionIdInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await resumeSession(ctx.db, actorOf(ctx), input.sessionId);
      return { ok: true as const };
    }),

  /** A commit message made from the session's title and what was asked in it, to edit before pushing. */
  suggestedCommitMessage: orgProcedure
    .input(sessionIdInput)
    .output(z.object({ message: z.string() }))
    .query(({ ctx, input }) => suggestedCommitMessage(ctx.db, actorOf(ctx), input.sessionId)),

  /** Commits everything changed on the session's branch as the caller and pushes it through the git gateway. */
  commitAndPush: orgProcedure
    .input(commitAndPushInput)
    .output(commitAndPushOutput)
    .mutation(({ ctx, input }) => commitAndPush(ctx.db, ctx.sessions.workspaces, actorOf(ctx), input)),

  /**
   * Every event of the session after `lastEventId`, then live ones, as SSE. Each is `tracked` with
   * its sequence number, so a reconnecting client resumes exactly after the last one it saw.
   */
  events: orgProcedure.input(sessionEventsInput).subscription(async ({ ctx, input, signal }) => {
    // Checked before the stream starts, so a refusal is a typed error rather than a broken stream.
    await getSession(ctx.db, actorOf(ctx), input.sessionId);
    const after = input.lastEventId ? BigInt(input.lastEventId) : 0n;
    const abort = signal ?? new AbortController().signal;
    // Each open stream holds a listener and a connection's worth of memory: a few per user.
    const release = subscriptionSlots.acquire([
      subscriptionLimit(ctx.actor.userId, ctx.limits?.subscriptionsPerUser),
    ]);
    // A stream closed before its first event never runs the generator's `finally`.
    abort.addEventListener("abort", release, { once: true });
    return (async function* () {
      try {
        for await (const stored of followEvents(ctx.db, ctx.sessions.bus, input.sessionId, after, abort)) {
          yield tracked(String(stored.seq), eventData(stored));
        }
      } finally {
        release();
      }
    })();
  }),
});
