// An organisation's git credentials: a personal access token per git host (and an optional user
// name), sealed with the keyring exactly as provider keys are. Members see which hosts have one
// (masked: the last four characters); owners and admins set, replace, remove and test them. Nobody
// reads one back: the sealed token is opened only to run git against that host.
import type { DbTx } from "@studio/db";
import { type Keyring, openSecret, sealSecret } from "../keys/keyring.ts";
import type { PrivateNetworkPolicy } from "../keys/special-addresses.ts";
import type { ResolveHost } from "../keys/tenant-endpoint.ts";
import { isManager } from "../orgs/roles.ts";
import type { Role } from "../orgs/schemas.ts";
import { AppError, forbidden, notFound } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import { type GitRemoteCredential, type LsRemoteResult, lsRemote } from "./remote.ts";
import { prepareRemote } from "./remote-url.ts";
import type { SetGitCredentialInput, TestGitCredentialInput } from "./schemas.ts";

export interface GitCredentialActor {
  userId: string;
  organizationId: string;
  role: Role;
}

/** What `setGitCredential` takes: the parsed input, where the optional fields may be left out. */
export type SetGitCredentialArgs = Omit<SetGitCredentialInput, "hostKind"> & {
  hostKind?: SetGitCredentialInput["hostKind"];
};

export function assertCanManageGitCredentials(actor: GitCredentialActor): void {
  if (!isManager(actor.role)) throw forbidden("Only owners and admins manage git credentials.");
}

/** Additional data the token is sealed with: it belongs to this organisation and host only. */
const sealContext = (organizationId: string, host: string) => `git-credential:${organizationId}:${host}`;

const summarySelect = {
  host: true,
  username: true,
  lastFour: true,
  hostKind: true,
  createdAt: true,
  updatedAt: true,
  createdBy: { select: { name: true, email: true } },
} as const;

/** Every member may see which hosts have a credential (masked): it explains what a session can reach. */
export async function listGitCredentials(db: DbTx, actor: GitCredentialActor) {
  return db.gitCredential.findMany({
    where: { organizationId: actor.organizationId },
    select: summarySelect,
    orderBy: { host: "asc" },
  });
}

/** Sets or replaces the organisation's credential for one host. */
export async function setGitCredential(
  db: DbTx,
  keyring: Keyring,
  actor: GitCredentialActor,
  input: SetGitCredentialArgs,
) {
  assertCanManageGitCredentials(actor);
  const sealed = sealSecret(keyring, input.token, sealContext(actor.organizationId, input.host));
  const fields = {
    ...sealed,
    username: input.username,
    hostKind: input.hostKind ?? null,
    lastFour: input.token.slice(-4),
    createdById: actor.userId,
  };
  return db.gitCredential.upsert({
    where: { organizationId_host: { organizationId: actor.organizationId, host: input.host } },
    create: { id: newId(), organizationId: actor.organizationId, host: input.host, ...fields },
    update: fields,
    select: summarySelect,
  });
}

export async function deleteGitCredential(db: DbTx, actor: GitCredentialActor, host: string) {
  assertCanManageGitCredentials(actor);
  const { count } = await db.gitCredential.deleteMany({
    where: { organizationId: actor.organizationId, host },
  });
  if (count === 0) throw notFound("Git credential");
}

/** The organisation's credential for a host, opened to run git against it; null when it has none. */
export async function openGitCredential(
  db: DbTx,
  keyring: Keyring,
  organizationId: string,
  host: string,
): Promise<GitRemoteCredential | null> {
  const row = await db.gitCredential.findUnique({
    where: { organizationId_host: { organizationId, host } },
    select: { ciphertext: true, nonce: true, authTag: true, keyVersion: true, username: true },
  });
  if (!row) return null;
  return { username: row.username, token: openSecret(keyring, row, sealContext(organizationId, host)) };
}

/** What software an organisation named for a git host (Settings → Git hosts), for pull-request links. */
export async function gitHostKind(db: DbTx, organizationId: string, host: string) {
  const row = await db.gitCredential.findUnique({
    where: { organizationId_host: { organizationId, host } },
    select: { hostKind: true },
  });
  return row?.hostKind ?? null;
}

export interface GitRemoteRules {
  /** The studio's TENANT_PRIVATE_NETWORK. */
  privateNetwork: PrivateNetworkPolicy;
  /** Tests resolve names without DNS. */
  resolve?: ResolveHost;
  timeoutMs?: number;
}

/** Tests run git on the studio's machine: a few at a time per replica, however many people click. */
const MAX_TESTS_AT_ONCE = 4;
let testsRunning = 0;

/**
 * `git ls-remote` of a repository on the credential's host, with the stored credential: whether it
 * opens the repository, and how many refs it lists. The URL must be on that host (see remote-url.ts).
 */
export async function testGitCredential(
  db: DbTx,
  keyring: Keyring,
  actor: GitCredentialActor,
  input: TestGitCredentialInput,
  rules: GitRemoteRules,
): Promise<LsRemoteResult> {
  assertCanManageGitCredentials(actor);
  const credential = await openGitCredential(db, keyring, actor.organizationId, input.host);
  if (!credential) throw notFound("Git credential");
  const prepared = await prepareRemote(input.repositoryUrl, input.host, rules.privateNetwork, rules.resolve);
  if (!prepared.ok) return { outcome: prepared.outcome, message: prepared.message, refCount: null };
  if (testsRunning >= MAX_TESTS_AT_ONCE)
    throw new AppError("TOO_MANY_REQUESTS", "Other tests are running; try again in a few seconds.", {
      retryAfterSeconds: 5,
    });
  testsRunning += 1;
  try {
    return await lsRemote(prepared.target, credential, { timeoutMs: rules.timeoutMs });
  } finally {
    testsRunning -= 1;
  }
}

/**
 * Re-seals, inside the caller's transaction, every git credential not yet under the keyring's
 * current master key. Returns how many rows were re-sealed. `keys:rotate` runs it beside the
 * provider keys' (resealAllSecrets), so every secret moves in the same transaction.
 */
export async function resealGitCredentialsIn(tx: DbTx, keyring: Keyring): Promise<number> {
  const rows = await tx.gitCredential.findMany({
    where: { keyVersion: { not: keyring.current } },
    select: {
      id: true,
      organizationId: true,
      host: true,
      ciphertext: true,
      nonce: true,
      authTag: true,
      keyVersion: true,
    },
  });
  for (const row of rows) {
    const context = sealContext(row.organizationId, row.host);
    const sealed = sealSecret(keyring, openSecret(keyring, row, context), context);
    await tx.gitCredential.update({ where: { id: row.id }, data: sealed });
  }
  return rows.length;
}
