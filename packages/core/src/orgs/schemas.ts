import { z } from "zod";
import { emailSchema } from "../auth/schemas.ts";

export const roleSchema = z.enum(["owner", "admin", "member"]);
export type Role = z.infer<typeof roleSchema>;

export const organizationNameSchema = z
  .string()
  .trim()
  .min(2, { error: "Use at least 2 characters." })
  .max(80, { error: "Use at most 80 characters." });

const id = z.string().min(1).max(64);

export const createOrganizationInput = z.object({ name: organizationNameSchema });
export const switchOrganizationInput = z.object({ organizationId: id });
export const updateOrganizationInput = z.object({
  name: organizationNameSchema.optional(),
  idleTimeoutMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  toolPermissions: z.enum(["ask", "allow"]).optional(),
});
export const changeRoleInput = z.object({ userId: id, role: roleSchema });
export const removeMemberInput = z.object({ userId: id });
export const createInvitationInput = z.object({ email: emailSchema, role: roleSchema.default("member") });
export const invitationIdInput = z.object({ invitationId: id });
export const invitationTokenInput = z.object({
  token: z.string().regex(/^[a-z2-7]{32}$/, "Invalid invitation link."),
});
