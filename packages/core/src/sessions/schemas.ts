import { SESSION_STATUSES } from "@studio/acp/events";
import { AGENTS, ARCHIVE_FORMATS, DEFAULT_AGENT, MODEL_PROVIDERS } from "@studio/models";
import { z } from "zod";
import { repositoryUrlProblem } from "../git/remote-url.ts";

export const environmentSchema = z.enum(["development", "production"]);
export const modelProviderSchema = z.enum(MODEL_PROVIDERS);
/** The agents a new session can run (not every agent the studio knows). */
export const agentSchema = z.enum(AGENTS);
export const sessionStatusFilterSchema = z.enum(SESSION_STATUSES);

const sessionId = z.string().min(1).max(64);

/** A repository's https URL, without credentials, query or fragment. */
export const repositoryUrlSchema = z
  .string()
  .trim()
  .min(1, { error: "Enter the repository's URL." })
  .max(2000)
  .superRefine((value, ctx) => {
    const problem = repositoryUrlProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/**
 * A branch, tag or commit as git accepts it in a refspec: no spaces, `..`, `~^:?*[\`, control
 * characters, leading `-` or `/`. Full ref names (refs/heads/…, refs/tags/…) are accepted too.
 */
export const gitRefSchema = z
  .string()
  .trim()
  .min(1)
  .max(250)
  .refine(
    (value) =>
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
      !/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\/|^[-/.]|[/.]$|\.lock$/.test(value),
    { error: "That is not a branch, tag or commit name git accepts." },
  );

/** What a new session's workspace starts from. */
export const sessionSourceInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("empty") }),
  z.object({
    kind: z.literal("git"),
    url: repositoryUrlSchema,
    /** A branch, tag or commit; absent: the remote's default branch. */
    ref: gitRefSchema.optional(),
    /** Clone the whole history instead of the one commit (shallow, the default). */
    fullHistory: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal("upload"),
    /** What `POST /api/uploads` answered. */
    uploadId: z.string().min(1).max(64),
  }),
]);
export type SessionSourceInput = z.infer<typeof sessionSourceInput>;
/** A source as a client sends it (defaults not yet applied). */
export type SessionSourceRequest = z.input<typeof sessionSourceInput>;

export const createSessionInput = z.object({
  environment: environmentSchema,
  /** The coding agent; the provider's gateway route must serve a model API it speaks. */
  agent: agentSchema.default(DEFAULT_AGENT),
  provider: modelProviderSchema,
  model: z.string().trim().min(1).max(120),
  /** Optional spending cap in micro-USD (at the prices used, whoever pays); crossing it stops the session. */
  budgetMicroUsd: z
    .number()
    .int()
    .min(1_000, { error: "A budget starts at $0.001." })
    .max(1_000_000_000_000)
    .optional(),
  source: sessionSourceInput.default({ kind: "empty" }),
});
export type CreateSessionInput = z.infer<typeof createSessionInput>;

export const listSessionsInput = z.object({
  environment: environmentSchema.optional(),
  status: z.array(sessionStatusFilterSchema).max(6).optional(),
  /** Only the caller's own sessions. */
  mine: z.boolean().optional(),
  limit: z.number().int().min(1).max(100).default(30),
  cursor: z.string().max(200).nullish(),
});
export type ListSessionsInput = z.infer<typeof listSessionsInput>;

export const sessionIdInput = z.object({ sessionId });

export const sendMessageInput = z.object({
  sessionId,
  text: z.string().trim().min(1, { error: "Write a message first." }).max(100_000),
});

export const respondToPermissionInput = z.object({
  sessionId,
  interactionId: z.string().min(1).max(64),
  optionId: z.string().min(1).max(200),
});

export const answerQuestionInput = z.object({
  sessionId,
  interactionId: z.string().min(1).max(64),
  /** One list of chosen labels (or typed answers) per question; null rejects the question. */
  answers: z
    .array(z.array(z.string().max(10_000)).max(50))
    .max(20)
    .nullable(),
});

export const sessionEventsInput = z.object({
  sessionId,
  /** The last sequence number the subscriber has; tRPC fills it from `Last-Event-ID` on reconnect. */
  lastEventId: z
    .string()
    .regex(/^\d{1,19}$/)
    .nullish(),
});

/** `sessions.sourceRefs`: the branches and tags of a repository, before a session starts from it. */
export const sourceRefsInput = z.object({ url: repositoryUrlSchema });

export const commitAndPushInput = z.object({
  sessionId,
  /** The commit message; absent: one made from the session's title and turns. */
  message: z.string().trim().min(1, { error: "Write a commit message." }).max(10_000).optional(),
});

export const archiveFormatSchema = z.enum(ARCHIVE_FORMATS);
