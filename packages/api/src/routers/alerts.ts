import {
  getAlertWebhook,
  listWebhookDeliveries,
  listWebhookDeliveriesInput,
  removeAlertWebhook,
  sendTestDelivery,
  setAlertWebhook,
  setAlertWebhookInput,
  WEBHOOK_DELIVERY_STATUSES,
} from "@studio/core";
import { z } from "zod";
import { managerProcedure, router } from "../trpc.ts";

const webhookOutput = z.object({ url: z.string(), createdAt: z.date() });

const deliveryOutput = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  text: z.string(),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.date(),
  deliveredAt: z.date().nullable(),
  nextAttemptAt: z.date().nullable(),
});

/**
 * The organisation's alert webhook and its delivery log; owners and admins only. The signing
 * secret comes out once, in setWebhook's answer; the URL is never logged (Slack's carry a token).
 */
export const alertsRouter = router({
  webhook: managerProcedure
    .output(webhookOutput.nullable())
    .query(({ ctx }) => getAlertWebhook(ctx.db, ctx.actor.organizationId)),

  /** Sets or replaces the webhook with a new signing secret, shown in this answer only. */
  setWebhook: managerProcedure
    .input(setAlertWebhookInput)
    .output(webhookOutput.extend({ secret: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const created = await setAlertWebhook(ctx.db, ctx.keys.keyring, ctx.actor.organizationId, input, {
        privateNetwork: ctx.keys.privateNetwork,
      });
      ctx.logger.info(
        { organizationId: ctx.actor.organizationId, userId: ctx.actor.userId },
        "alert webhook set",
      );
      return created;
    }),

  removeWebhook: managerProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
    await removeAlertWebhook(ctx.db, ctx.actor.organizationId);
    ctx.logger.info(
      { organizationId: ctx.actor.organizationId, userId: ctx.actor.userId },
      "alert webhook removed",
    );
    return { ok: true as const };
  }),

  /** Enqueues a test message; its outcome shows in the delivery log. */
  testWebhook: managerProcedure.output(z.object({ deliveryId: z.string() })).mutation(async ({ ctx }) => ({
    deliveryId: await sendTestDelivery(ctx.db, ctx.actor.organizationId, ctx.user.name),
  })),

  deliveries: managerProcedure
    .input(listWebhookDeliveriesInput)
    .output(z.object({ deliveries: deliveryOutput.array(), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => listWebhookDeliveries(ctx.db, ctx.actor.organizationId, input)),
});
