import type { Role } from "./format.ts";

// Mirrors the server's rules only to decide what to offer; the server still decides what is allowed.
const rank: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

export const ROLES: readonly Role[] = ["owner", "admin", "member"];

export const isManager = (role: Role) => role === "owner" || role === "admin";

/** Roles an actor may hand out (invitations and role changes). */
export const assignableRoles = (actor: Role): Role[] => ROLES.filter((role) => rank[role] <= rank[actor]);

export const canManage = (actor: Role, target: Role) => isManager(actor) && rank[target] <= rank[actor];
