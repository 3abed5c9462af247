import { GIT_HOST_KINDS } from "@studio/models";
import { z } from "zod";
import { normaliseGitHost } from "./host.ts";
import { repositoryUrlProblem } from "./remote-url.ts";

/** A git host, normalised: `github.com`, `git.example.com:8443`. */
export const gitHostSchema = z
  .string()
  .max(300)
  .transform((value, ctx) => {
    const result = normaliseGitHost(value);
    if (result.ok) return result.host;
    ctx.addIssue({ code: "custom", message: result.problem });
    return z.NEVER;
  });

const token = z
  .string()
  .trim()
  .min(8, { error: "That does not look like an access token." })
  .max(500, { error: "That token is too long (500 characters at most)." })
  .regex(/^[\x21-\x7e]+$/, { error: "An access token has no spaces or unusual characters." });

const username = z
  .string()
  .trim()
  .max(100)
  .regex(/^[\x21-\x39\x3b-\x7e]*$/, { error: "A user name has no spaces, colons or unusual characters." })
  .transform((value) => (value === "" ? null : value));

export const setGitCredentialInput = z.object({
  host: gitHostSchema,
  token,
  /** Optional: most hosts take a token with any user name. */
  username: username.nullish().transform((value) => value ?? null),
  /** What a self-hosted host runs, for its pull-request links; null: known by name, or none. */
  hostKind: z
    .enum(GIT_HOST_KINDS)
    .nullish()
    .transform((value) => value ?? null),
});
export type SetGitCredentialInput = z.infer<typeof setGitCredentialInput>;

export const gitCredentialHostInput = z.object({ host: gitHostSchema });

export const testGitCredentialInput = z.object({
  host: gitHostSchema,
  /** A repository on that host, e.g. https://github.com/acme/widgets.git. */
  repositoryUrl: z
    .string()
    .trim()
    .max(2000)
    .superRefine((value, ctx) => {
      const problem = repositoryUrlProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
});
export type TestGitCredentialInput = z.infer<typeof testGitCredentialInput>;
