export * from "./deliveries.ts";
export * from "./schemas.ts";
export * from "./signing.ts";
export {
  DELIVERY_TIMEOUT_MS,
  type PostWebhookOptions,
  postWebhook,
  type SendWebhook,
  type WebhookRequest,
  type WebhookResponse,
} from "./transport.ts";
export * from "./webhook.ts";
export * from "./worker.ts";
