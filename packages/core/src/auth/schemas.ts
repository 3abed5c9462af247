import { z } from "zod";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "Enter a valid email address." }).max(254));

export const passwordSchema = z
  .string()
  .min(10, { error: "Use at least 10 characters." })
  .max(200, { error: "Use at most 200 characters." });

export const personNameSchema = z
  .string()
  .trim()
  .min(1, { error: "Enter your name." })
  .max(100, { error: "Use at most 100 characters." });

/** The secret in an invitation link (`/invite/<token>`). */
export const invitationTokenSchema = z
  .string()
  .regex(/^[a-z2-7]{32}$/, { error: "This invitation link is not valid." });

export const signUpInput = z.object({
  name: personNameSchema,
  email: emailSchema,
  password: passwordSchema,
  /** Under SIGN_UPS=invitation, the token of an invitation sent to this address. */
  invitationToken: invitationTokenSchema.optional(),
});
export type SignUpInput = z.infer<typeof signUpInput>;

export const signInInput = z.object({ email: emailSchema, password: z.string().min(1).max(200) });
export type SignInInput = z.infer<typeof signInInput>;

export const updateProfileInput = z.object({ name: personNameSchema });

export const changePasswordInput = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: passwordSchema,
  /** Also revoke every API token of the account (a leaked password may have minted some). */
  revokeApiTokens: z.boolean().default(false),
});

export const signOutEverywhereInput = z
  .object({ revokeApiTokens: z.boolean().default(false) })
  .default({ revokeApiTokens: false });

export const createApiTokenInput = z.object({
  name: z.string().trim().min(1, { error: "Name the token." }).max(80),
  expiresInDays: z.number().int().min(1).max(365).nullable().default(null),
});

export const apiTokenIdInput = z.object({ tokenId: z.string().min(1).max(64) });
