// What the alert webhook's procedures take and give. The URL's form is checked here (so the API
// answers BAD_REQUEST with a sentence before anything is resolved); where it may point is checked
// by setAlertWebhook, under the studio's TENANT_PRIVATE_NETWORK.
import { z } from "zod";

export const WEBHOOK_KINDS = ["budget_alert", "test"] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type WebhookDeliveryStatusName = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

const HTTPS_EXAMPLE = "Use the receiver's https URL, e.g. https://hooks.slack.com/services/….";

/** What is wrong with a webhook URL's form (before any address is looked at), or null. */
export function webhookUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return HTTPS_EXAMPLE;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return HTTPS_EXAMPLE;
  // A password in the URL would be shown to every admin and sent in clear by some proxies.
  if (url.username || url.password || /^[a-z]+:\/\/[^/]*@/i.test(raw))
    return "Put no user name or password in the webhook URL; the signature authenticates the studio.";
  if (raw.includes("#")) return "The webhook URL cannot have a fragment (#…).";
  if (!url.hostname) return HTTPS_EXAMPLE;
  return null;
}

export const webhookUrlSchema = z
  .string({ error: "Enter the webhook's URL." })
  .trim()
  .min(1, { error: "Enter the webhook's URL." })
  .max(2000, { error: "The webhook URL is too long (2,000 characters at most)." })
  .superRefine((value, ctx) => {
    const problem = webhookUrlProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const setAlertWebhookInput = z.object({ url: webhookUrlSchema });
export type SetAlertWebhookInput = z.infer<typeof setAlertWebhookInput>;

export const listWebhookDeliveriesInput = z.object({
  /** From the previous page's `nextCursor`. */
  cursor: z.string().max(80, { error: "Invalid cursor." }).nullish(),
  limit: z
    .number()
    .int({ error: "limit must be a whole number." })
    .min(1, { error: "limit must be between 1 and 100." })
    .max(100, { error: "limit must be between 1 and 100." })
    .default(25),
});
export type ListWebhookDeliveriesInput = z.input<typeof listWebhookDeliveriesInput>;

/** A message for the webhook: the sentence people read, and the facts programs read. */
export interface WebhookMessage {
  text: string;
  details: Record<string, unknown>;
}

/** The JSON body sent: Slack shows `text` (and `blocks`); `studio` carries the facts. */
export interface WebhookPayload {
  text: string;
  blocks: { type: "section"; text: { type: "mrkdwn"; text: string } }[];
  studio: { kind: WebhookKind; text: string } & Record<string, unknown>;
}
