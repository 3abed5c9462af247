import { SESSION_STATUSES } from "@studio/acp/events";
import { MODEL_PROVIDERS } from "@studio/models";
import { z } from "zod";

export const environmentSchema = z.enum(["development", "production"]);
export const modelProviderSchema = z.enum(MODEL_PROVIDERS);
export const sessionStatusFilterSchema = z.enum(SESSION_STATUSES);

const sessionId = z.string().min(1).max(64);

export const createSessionInput = z.object({
  environment: environmentSchema,
  provider: modelProviderSchema,
  model: z.string().trim().min(1).max(120),
  /** Optional spending cap in micro-USD (at the prices used, whoever pays); crossing it stops the session. */
  budgetMicroUsd: z
    .number()
    .int()
    .min(1_000, { error: "A budget starts at $0.001." })
    .max(1_000_000_000_000)
    .optional(),
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
