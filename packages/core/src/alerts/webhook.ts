// The organisation's alert webhook: one URL per organisation, and the secret its messages are
// signed with. The secret is shown once, when it is made (like an API token), and stored sealed
// with the master keyring like provider keys; nobody reads it back, the delivery worker opens it
// only to sign. Who may manage it (owners and admins) is the API's check (managerProcedure).
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { DbTx } from "@studio/db";
import { type Keyring, openSecret, type SealedSecret, sealSecret } from "../keys/keyring.ts";
import type { EndpointRules } from "../keys/provider-keys.ts";
import { specialAddressKind } from "../keys/special-addresses.ts";
import { assertTenantEndpointAllowed, type ResolveHost } from "../keys/tenant-endpoint.ts";
import { AppError, notFound } from "../shared/errors.ts";
import { randomToken } from "../shared/ids.ts";
import { type SetAlertWebhookInput, webhookUrlProblem } from "./schemas.ts";

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Additional data the secret is sealed with: it opens for this organisation's webhook only. */
const sealContext = (organizationId: string) => `alert-webhook:${organizationId}`;

/** `whsec_` and 240 random bits: recognisable in a secret store, unguessable. */
const newWebhookSecret = () => `whsec_${randomToken(30)}`;

// The table has one column for the sealed secret: nonce, tag and ciphertext, in that order.
function packSealed(sealed: SealedSecret): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.concat([sealed.nonce, sealed.authTag, sealed.ciphertext]));
}

function unpackSealed(packed: Uint8Array, keyVersion: number) {
  const bytes = Buffer.from(packed);
  return {
    nonce: bytes.subarray(0, NONCE_BYTES),
    authTag: bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES),
    ciphertext: bytes.subarray(NONCE_BYTES + TAG_BYTES),
    keyVersion,
  };
}

export interface AlertWebhookView {
  url: string;
  /** When this URL and secret were set (replacing the webhook starts it again). */
  createdAt: Date;
}

/** Set or replaced: the secret is in this answer and nowhere else, ever. */
export interface CreatedAlertWebhook {
  url: string;
  secret: string;
  createdAt: Date;
}

const isLocalKind = (address: string) => {
  const kind = specialAddressKind(address);
  return kind === "loopback" || kind === "private";
};

/**
 * Refuses (BAD_REQUEST) a webhook URL the studio must not post to. https may go to any public
 * address, and to special ones only where TENANT_PRIVATE_NETWORK allows (the same check as an
 * organisation's model endpoint). http only where it allows them, and only to a receiver on this
 * machine or its private network: alerts name people and amounts, so not in clear over the internet.
 */
export async function assertWebhookUrlAllowed(raw: string, rules: EndpointRules): Promise<void> {
  const problem = webhookUrlProblem(raw);
  if (problem) throw new AppError("BAD_REQUEST", problem);
  const url = new URL(raw);
  // Only the host matters to the address rules; the path and query are the receiver's.
  await assertTenantEndpointAllowed(`${url.protocol}//${url.host}/`, rules.privateNetwork, rules.resolve);
  if (url.protocol === "https:") return;
  const httpsOnly = "Use an https URL: http is only for a receiver on this machine or its private network.";
  if (rules.privateNetwork === "deny") throw new AppError("BAD_REQUEST", httpsOnly);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const addresses = isIP(hostname) ? [hostname] : await resolveOrNone(hostname, rules.resolve);
  if (addresses.length === 0)
    throw new AppError("BAD_REQUEST", `The webhook's host ${hostname} could not be found.`);
  if (!addresses.every(isLocalKind)) throw new AppError("BAD_REQUEST", httpsOnly);
}

async function resolveOrNone(hostname: string, resolve: ResolveHost | undefined): Promise<string[]> {
  if (resolve) return resolve(hostname).catch(() => []);
  return lookup(hostname, { all: true, verbatim: true })
    .then((entries) => entries.map((entry) => entry.address))
    .catch(() => []);
}

/**
 * Sets or replaces the organisation's webhook with a new signing secret, returned this once.
 * Replacing it (even with the same URL) ends the old secret: that is how a secret is rotated.
 */
export async function setAlertWebhook(
  db: DbTx,
  keyring: Keyring,
  organizationId: string,
  input: SetAlertWebhookInput,
  rules: EndpointRules,
): Promise<CreatedAlertWebhook> {
  const url = input.url.trim();
  await assertWebhookUrlAllowed(url, rules);
  const secret = newWebhookSecret();
  const sealed = sealSecret(keyring, secret, sealContext(organizationId));
  const fields = { url, secretSealed: packSealed(sealed), keyVersion: sealed.keyVersion };
  const row = await db.alertWebhook.upsert({
    where: { organizationId },
    create: { organizationId, ...fields },
    // A new secret is a new webhook as far as receivers go.
    update: { ...fields, createdAt: new Date() },
    select: { url: true, createdAt: true },
  });
  return { url: row.url, secret, createdAt: row.createdAt };
}

/** A new secret for the same URL; NOT_FOUND when the organisation has no webhook. */
export async function rotateAlertWebhookSecret(
  db: DbTx,
  keyring: Keyring,
  organizationId: string,
): Promise<CreatedAlertWebhook> {
  const secret = newWebhookSecret();
  const sealed = sealSecret(keyring, secret, sealContext(organizationId));
  const { count } = await db.alertWebhook.updateMany({
    where: { organizationId },
    data: { secretSealed: packSealed(sealed), keyVersion: sealed.keyVersion, createdAt: new Date() },
  });
  if (count === 0) throw notFound("Webhook");
  const row = await db.alertWebhook.findUniqueOrThrow({
    where: { organizationId },
    select: { url: true, createdAt: true },
  });
  return { url: row.url, secret, createdAt: row.createdAt };
}

/** The organisation's webhook without its secret, or null. */
export async function getAlertWebhook(db: DbTx, organizationId: string): Promise<AlertWebhookView | null> {
  return db.alertWebhook.findUnique({
    where: { organizationId },
    select: { url: true, createdAt: true },
  });
}

/**
 * Removes the webhook; NOT_FOUND when there is none. Deliveries still waiting end as failed when
 * their turn comes (the log keeps them).
 */
export async function removeAlertWebhook(db: DbTx, organizationId: string): Promise<void> {
  const { count } = await db.alertWebhook.deleteMany({ where: { organizationId } });
  if (count === 0) throw notFound("Webhook");
}

/** The webhook's URL and opened secret, for signing a delivery; null when there is none. */
export async function openAlertWebhook(
  db: DbTx,
  keyring: Keyring,
  organizationId: string,
): Promise<{ url: string; secret: string } | null> {
  const row = await db.alertWebhook.findUnique({
    where: { organizationId },
    select: { url: true, secretSealed: true, keyVersion: true },
  });
  if (!row) return null;
  const secret = openSecret(
    keyring,
    unpackSealed(row.secretSealed, row.keyVersion),
    sealContext(organizationId),
  );
  return { url: row.url, secret };
}

/**
 * Re-seals, inside the caller's transaction, every webhook secret not under the keyring's current
 * master key (for `keys:rotate`, beside provider keys and git credentials). Returns how many.
 */
export async function resealAlertWebhooksIn(tx: DbTx, keyring: Keyring): Promise<number> {
  const rows = await tx.alertWebhook.findMany({
    where: { keyVersion: { not: keyring.current } },
    select: { organizationId: true, secretSealed: true, keyVersion: true },
  });
  for (const row of rows) {
    const context = sealContext(row.organizationId);
    const secret = openSecret(keyring, unpackSealed(row.secretSealed, row.keyVersion), context);
    const sealed = sealSecret(keyring, secret, context);
    await tx.alertWebhook.update({
      where: { organizationId: row.organizationId },
      data: { secretSealed: packSealed(sealed), keyVersion: sealed.keyVersion },
    });
  }
  return rows.length;
}
