import type { Role } from "./schemas.ts";

// Pure rules about who may do what to whom inside an organisation.

const rank: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

export const isManager = (role: Role) => role === "owner" || role === "admin";

/** Owners invite anyone; admins invite admins and members; members invite no one. */
export function canInvite(actor: Role, invitedRole: Role): boolean {
  return isManager(actor) && rank[invitedRole] <= rank[actor];
}

/** Changing someone's role: only managers, never someone above you, never to a role above yours. */
export function canChangeRole(actor: Role, target: Role, next: Role): boolean {
  return isManager(actor) && rank[target] <= rank[actor] && rank[next] <= rank[actor];
}

/** Removing someone else: managers, only people at or below their own rank. */
export function canRemove(actor: Role, target: Role): boolean {
  return isManager(actor) && rank[target] <= rank[actor];
}
