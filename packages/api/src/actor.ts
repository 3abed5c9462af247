import { AppError, defaultOrganizationId, findMembership, setActiveOrganization } from "@studio/core";
import type { Db } from "@studio/db";
import type { Authentication } from "./context.ts";

/** The signed-in user behind a browser session or an API token. */
export function userOf(auth: Authentication) {
  return auth.kind === "session" ? auth.session.user : auth.token.user;
}

/** The organisation the caller asks to act in: the token's, or the one chosen in this browser session. */
export function wantedOrganizationId(auth: Authentication): string | null {
  return auth.kind === "session" ? auth.session.activeOrganizationId : auth.token.organizationId;
}

/**
 * Who is acting, and in which organisation with which role: the one answer for every procedure
 * (`orgProcedure`) and plain HTTP route (the ledger CSV download, and those to come). An API token
 * acts in its own organisation; a browser session in the one it chose, falling back to the first
 * the user belongs to (e.g. after removal) and remembering that choice. Throws `UNAUTHORIZED`
 * without authentication and `FORBIDDEN` when the caller is not a member.
 */
export async function resolveActor(db: Db, auth: Authentication | null) {
  if (!auth) throw new AppError("UNAUTHORIZED", "Sign in to continue.");
  const user = userOf(auth);
  let organizationId: string | null;
  if (auth.kind === "token") {
    organizationId = auth.token.organizationId;
  } else {
    organizationId = auth.session.activeOrganizationId;
    const stillMember = organizationId && (await findMembership(db, user.id, organizationId));
    if (!stillMember) {
      organizationId = await defaultOrganizationId(db, user.id);
      if (organizationId) await setActiveOrganization(db, auth.session.id, organizationId);
    }
  }
  const membership = organizationId ? await findMembership(db, user.id, organizationId) : null;
  if (!membership) throw new AppError("FORBIDDEN", "You are not a member of this organisation.");
  return {
    user,
    membership: {
      organizationId: membership.organization.id,
      organization: membership.organization,
      role: membership.role,
    },
    actor: {
      userId: user.id,
      organizationId: membership.organization.id,
      role: membership.role,
      apiTokenId: auth.kind === "token" ? auth.token.id : undefined,
    },
  };
}

export type ResolvedActor = Awaited<ReturnType<typeof resolveActor>>;
