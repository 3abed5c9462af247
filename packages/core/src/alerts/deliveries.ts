// Messages to the organisation's webhook: enqueued in the caller's transaction (so an alert and
// its message are written together or not at all), then delivered by the worker (worker.ts), and
// listed, newest first, in the delivery log.
import type { DbTx, Prisma } from "@studio/db";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import type {
  ListWebhookDeliveriesInput,
  WebhookDeliveryStatusName,
  WebhookKind,
  WebhookMessage,
  WebhookPayload,
} from "./schemas.ts";

/** NOTIFY channel: a delivery was enqueued (payload: its id), so a worker need not wait for its poll. */
export const WEBHOOK_DELIVERIES_CHANNEL = "webhook_deliveries";

/** Slack's limit for a section block's text. */
const TEXT_MAX_CHARS = 3000;

/**
 * Slack reads `<…>` as links and mentions (`<!channel>` pings everyone) and `&` as an entity; a
 * member's name in an alert must stay text.
 */
export function escapeSlackText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Details as JSON: bigints (micro-USD amounts) as decimal strings, dates as ISO strings. */
function jsonDetails(details: Record<string, unknown>): Record<string, Prisma.InputJsonValue> {
  return JSON.parse(
    JSON.stringify(details, (_key, value) => (typeof value === "bigint" ? String(value) : value)),
  );
}

export function buildWebhookPayload(kind: WebhookKind, message: WebhookMessage): WebhookPayload {
  const plain = message.text.trim().slice(0, TEXT_MAX_CHARS);
  const text = escapeSlackText(plain);
  return {
    text,
    blocks: [{ type: "section", text: { type: "mrkdwn", text } }],
    // `kind` and `text` last, so details cannot pass for another kind of message.
    studio: { ...jsonDetails(message.details), kind, text: plain },
  };
}

/**
 * Enqueues a message for the organisation's webhook and returns the delivery's id, or null when
 * the organisation has none. Takes the caller's transaction: the delivery exists (and the worker
 * is woken) only if it commits.
 */
export async function enqueueWebhookMessage(
  db: DbTx,
  organizationId: string,
  kind: WebhookKind,
  message: WebhookMessage,
): Promise<string | null> {
  const webhook = await db.alertWebhook.findUnique({
    where: { organizationId },
    select: { organizationId: true },
  });
  if (!webhook) return null;
  const id = newId();
  await db.webhookDelivery.create({
    data: {
      id,
      organizationId,
      kind,
      payload: buildWebhookPayload(kind, message) as unknown as Prisma.InputJsonValue,
      nextAttemptAt: new Date(),
    },
  });
  // Delivered by PostgreSQL at commit, to every replica's worker; one of them claims the row.
  await db.$executeRaw`SELECT pg_notify(${WEBHOOK_DELIVERIES_CHANNEL}, ${id})`;
  return id;
}

/** "Send test": a message that says where alerts will arrive; BAD_REQUEST without a webhook. */
export async function sendTestDelivery(db: DbTx, organizationId: string, actorName: string): Promise<string> {
  const organization = await db.organization.findUnique({
    where: { id: organizationId },
    select: { name: true },
  });
  const id = await enqueueWebhookMessage(db, organizationId, "test", {
    text: `Test message from Studio: budget alerts for ${organization?.name ?? "your organisation"} will arrive here. Sent by ${actorName}.`,
    details: { organizationId, organizationName: organization?.name ?? null, sentBy: actorName },
  });
  if (!id) throw new AppError("BAD_REQUEST", "Set a webhook first.");
  return id;
}

export interface WebhookDeliveryView {
  id: string;
  kind: string;
  status: WebhookDeliveryStatusName;
  /** The sentence sent, as people read it (before Slack escaping). */
  text: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  /** When the next try is due; null once delivered or failed. */
  nextAttemptAt: Date | null;
}

export interface WebhookDeliveryPage {
  deliveries: WebhookDeliveryView[];
  nextCursor: string | null;
}

function parseCursor(cursor: string): { at: Date; id: string } {
  const [time, id] = cursor.split("|");
  const at = new Date(Number(time));
  if (!id || !/^\d{1,15}$/.test(time ?? "") || Number.isNaN(at.getTime()) || !/^[a-z0-9]{1,40}$/.test(id))
    throw new AppError("BAD_REQUEST", "Invalid cursor.");
  return { at, id };
}

function textOf(payload: Prisma.JsonValue): string {
  if (payload && typeof payload === "object" && !Array.isArray(payload)) {
    const studio = payload.studio;
    if (studio && typeof studio === "object" && !Array.isArray(studio) && typeof studio.text === "string")
      return studio.text;
    if (typeof payload.text === "string") return payload.text;
  }
  return "";
}

/** The organisation's deliveries, newest first, by keyset (stable while new ones arrive). */
export async function listWebhookDeliveries(
  db: DbTx,
  organizationId: string,
  { cursor, limit = 25 }: ListWebhookDeliveriesInput,
): Promise<WebhookDeliveryPage> {
  const after = cursor ? parseCursor(cursor) : null;
  const rows = await db.webhookDelivery.findMany({
    where: {
      organizationId,
      ...(after
        ? { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: {
      id: true,
      kind: true,
      status: true,
      payload: true,
      attempts: true,
      lastStatusCode: true,
      lastError: true,
      createdAt: true,
      deliveredAt: true,
      nextAttemptAt: true,
    },
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    deliveries: page.map(({ payload, ...row }) => ({
      ...row,
      text: textOf(payload),
      nextAttemptAt: row.status === "pending" ? row.nextAttemptAt : null,
    })),
    nextCursor: rows.length > limit && last ? `${last.createdAt.getTime()}|${last.id}` : null,
  };
}
