// An organisation's own provider keys. Only owners and admins manage them; nobody reads one back:
// listings carry the last four characters, and the sealed key is opened only to call the provider.
import type { DbTx } from "@studio/db";
import { isManager } from "../orgs/roles.ts";
import type { Role } from "../orgs/schemas.ts";
import { forbidden, notFound } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import { type Keyring, openSecret, sealSecret } from "./keyring.ts";
import type { KeyProvider, SetProviderKeyInput } from "./schemas.ts";
import type { PrivateNetworkPolicy } from "./special-addresses.ts";
import { assertTenantEndpointAllowed, type ResolveHost } from "./tenant-endpoint.ts";

export interface KeyManager {
  userId: string;
  organizationId: string;
  role: Role;
}

/** Writing last-used on every model call would add a write per call; a minute's precision is enough. */
const LAST_USED_PRECISION_MS = 60_000;

export function assertCanManageKeys(actor: KeyManager): void {
  if (!isManager(actor.role)) throw forbidden("Only owners and admins manage provider keys.");
}

/** Additional data the key is sealed with: it belongs to this organisation and provider only. */
const sealContext = (organizationId: string, provider: KeyProvider) =>
  `provider-key:${organizationId}:${provider}`;

const summarySelect = {
  provider: true,
  lastFour: true,
  baseUrl: true,
  createdAt: true,
  updatedAt: true,
  lastUsedAt: true,
  createdBy: { select: { name: true, email: true } },
} as const;

export async function listProviderKeys(db: DbTx, actor: KeyManager) {
  assertCanManageKeys(actor);
  return db.providerKey.findMany({
    where: { organizationId: actor.organizationId },
    select: summarySelect,
    orderBy: { provider: "asc" },
  });
}

export interface EndpointRules {
  /** The studio's TENANT_PRIVATE_NETWORK. */
  privateNetwork: PrivateNetworkPolicy;
  /** Tests resolve names without DNS. */
  resolve?: ResolveHost;
}

/**
 * Sets or replaces the organisation's key for one provider. A custom endpoint's URL is always
 * checked for its form; its address only when `endpoint` rules are given (the API always gives
 * them; the gateway checks every connection regardless).
 */
export async function setProviderKey(
  db: DbTx,
  keyring: Keyring,
  actor: KeyManager,
  input: SetProviderKeyInput,
  endpoint: EndpointRules = { privateNetwork: "allow" },
) {
  assertCanManageKeys(actor);
  if (input.provider === "custom")
    await assertTenantEndpointAllowed(input.baseUrl, endpoint.privateNetwork, endpoint.resolve);
  const secret = input.apiKey ?? "";
  const sealed = sealSecret(keyring, secret, sealContext(actor.organizationId, input.provider));
  const fields = {
    ...sealed,
    lastFour: secret.slice(-4),
    baseUrl: input.provider === "custom" ? input.baseUrl.replace(/\/+$/, "") : null,
    createdById: actor.userId,
    lastUsedAt: null,
  };
  return db.providerKey.upsert({
    where: { organizationId_provider: { organizationId: actor.organizationId, provider: input.provider } },
    create: { id: newId(), organizationId: actor.organizationId, provider: input.provider, ...fields },
    update: fields,
    select: summarySelect,
  });
}

export async function deleteProviderKey(db: DbTx, actor: KeyManager, provider: KeyProvider) {
  assertCanManageKeys(actor);
  const { count } = await db.providerKey.deleteMany({
    where: { organizationId: actor.organizationId, provider },
  });
  if (count === 0) throw notFound("Key");
}

export interface OpenedKey {
  /** Empty for a custom endpoint that needs no key. */
  apiKey: string;
  baseUrl: string | null;
}

/** The organisation's key for a provider, opened for a call to that provider; null when it has none. */
export async function openProviderKey(
  db: DbTx,
  keyring: Keyring,
  organizationId: string,
  provider: KeyProvider,
): Promise<OpenedKey | null> {
  const row = await db.providerKey.findUnique({
    where: { organizationId_provider: { organizationId, provider } },
    select: { ciphertext: true, nonce: true, authTag: true, keyVersion: true, baseUrl: true },
  });
  if (!row) return null;
  return { apiKey: openSecret(keyring, row, sealContext(organizationId, provider)), baseUrl: row.baseUrl };
}

/** The providers the organisation holds a key (or, for custom, an endpoint) for. */
export async function providersWithKeys(db: DbTx, organizationId: string): Promise<Set<KeyProvider>> {
  const rows = await db.providerKey.findMany({ where: { organizationId }, select: { provider: true } });
  return new Set(rows.map((row) => row.provider));
}

export async function markProviderKeyUsed(
  db: DbTx,
  organizationId: string,
  provider: KeyProvider,
  now = new Date(),
) {
  await db.providerKey.updateMany({
    where: {
      organizationId,
      provider,
      OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_PRECISION_MS) } }],
    },
    data: { lastUsedAt: now },
  });
}

/**
 * Re-seals every stored key not yet under the keyring's current master key, in one transaction:
 * either all of them move to the new version or none do. Returns how many rows were re-sealed.
 * `keys:rotate` uses resealAllSecrets (reseal.ts), which does this and the git credentials together.
 */
export async function resealAllProviderKeys(
  db: { $transaction<T>(fn: (tx: DbTx) => Promise<T>, options?: { timeout?: number }): Promise<T> },
  keyring: Keyring,
): Promise<number> {
  return db.$transaction((tx) => resealProviderKeysIn(tx, keyring), { timeout: 120_000 });
}

/** Re-seals, inside the caller's transaction, every provider key not under the current master key. */
export async function resealProviderKeysIn(tx: DbTx, keyring: Keyring): Promise<number> {
  // Rows already under the current key stay as they are, so a second pass re-seals only the
  // keys a running studio saved under the old one meanwhile.
  const rows = await tx.providerKey.findMany({
    where: { keyVersion: { not: keyring.current } },
    select: {
      id: true,
      organizationId: true,
      provider: true,
      ciphertext: true,
      nonce: true,
      authTag: true,
      keyVersion: true,
    },
  });
  for (const row of rows) {
    const context = sealContext(row.organizationId, row.provider);
    const sealed = sealSecret(keyring, openSecret(keyring, row, context), context);
    await tx.providerKey.update({ where: { id: row.id }, data: sealed });
  }
  return rows.length;
}
