// Studio events: what a session's durable log holds and what every subscriber (the SPA, Node
// clients) receives. One discriminated union, validated with zod at the edges. The ACP normaliser
// produces most of them; the session runner produces lifecycle ones (status, provisioning, turns).
import { LIVE_STATUSES, type LiveStatus, SESSION_STATUSES, type SessionStatus } from "@studio/models/lists";
import { z } from "zod";

export const toolCallStatusSchema = z.enum(["pending", "in_progress", "completed", "failed"]);
export type ToolCallStatus = z.infer<typeof toolCallStatusSchema>;

/** ACP tool kinds (read, edit, delete, move, search, execute, think, fetch, switch_mode, other). */
export const toolKindSchema = z.string();

export const toolLocationSchema = z.object({
  path: z.string(),
  line: z.number().int().nullable().optional(),
});

/** What a tool call shows: text output, a file diff, or a terminal reference. */
export const toolContentSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), text: z.string() }),
  z.object({
    type: z.literal("diff"),
    path: z.string(),
    oldText: z.string().nullable(),
    newText: z.string(),
  }),
  z.object({ type: z.literal("terminal"), terminalId: z.string() }),
]);
export type ToolContent = z.infer<typeof toolContentSchema>;

export const permissionOptionSchema = z.object({
  optionId: z.string(),
  name: z.string(),
  kind: z.enum(["allow_once", "allow_always", "reject_once", "reject_always"]),
});
export type PermissionOption = z.infer<typeof permissionOptionSchema>;

export const questionSchema = z.object({
  question: z.string(),
  header: z.string().optional(),
  multiple: z.boolean().optional(),
  options: z.array(z.object({ label: z.string(), description: z.string().optional() })),
});
export type Question = z.infer<typeof questionSchema>;

/** One item of an agent's plan (its todo list), as ACP's `plan` update carries it. */
export const planEntrySchema = z.object({
  content: z.string(),
  priority: z.enum(["high", "medium", "low"]),
  status: z.enum(["pending", "in_progress", "completed"]),
});
export type PlanEntry = z.infer<typeof planEntrySchema>;

/** A slash command the agent accepts in a prompt (`/name hint`). */
export const agentCommandSchema = z.object({
  name: z.string(),
  description: z.string(),
  /** What to type after the name, when the command takes input. */
  hint: z.string().nullable(),
});
export type AgentCommand = z.infer<typeof agentCommandSchema>;

export { LIVE_STATUSES, type LiveStatus, SESSION_STATUSES, type SessionStatus };
export const sessionStatusSchema = z.enum(SESSION_STATUSES);

export const stopReasonSchema = z.enum([
  "end_turn",
  "max_tokens",
  "max_turn_requests",
  "refusal",
  "cancelled",
  "error",
]);
export type StopReason = z.infer<typeof stopReasonSchema>;

const toolCallFields = {
  toolCallId: z.string(),
  title: z.string(),
  kind: toolKindSchema,
  status: toolCallStatusSchema,
  rawInput: z.unknown().optional(),
  rawOutput: z.unknown().optional(),
  content: z.array(toolContentSchema).default([]),
  locations: z.array(toolLocationSchema).default([]),
};

export const studioEventSchema = z.discriminatedUnion("type", [
  /** A prompt the person sent (or, on session/load, one replayed from the agent's history). */
  z.object({
    type: z.literal("user_message"),
    messageId: z.string(),
    text: z.string(),
    authorId: z.string().nullable(),
  }),
  z.object({ type: z.literal("agent_message_chunk"), messageId: z.string().nullable(), text: z.string() }),
  z.object({ type: z.literal("thought_chunk"), messageId: z.string().nullable(), text: z.string() }),
  /**
   * A message's text as the agent settled it, when that differs from what streamed: a model call
   * cut and retried streams the answer again into the same message. It replaces the message's text.
   */
  z.object({ type: z.literal("agent_message_settled"), messageId: z.string(), text: z.string() }),
  z.object({ type: z.literal("tool_call"), ...toolCallFields }),
  /** Only the fields the agent sent change; `content` and `locations` replace the previous ones when present. */
  z.object({
    type: z.literal("tool_call_update"),
    toolCallId: z.string(),
    title: z.string().optional(),
    kind: toolKindSchema.optional(),
    status: toolCallStatusSchema.optional(),
    rawInput: z.unknown().optional(),
    rawOutput: z.unknown().optional(),
    content: z.array(toolContentSchema).optional(),
    locations: z.array(toolLocationSchema).optional(),
  }),
  z.object({
    type: z.literal("permission_requested"),
    interactionId: z.string(),
    toolCallId: z.string().nullable(),
    title: z.string(),
    kind: toolKindSchema.nullable(),
    options: z.array(permissionOptionSchema),
    rawInput: z.unknown().optional(),
    content: z.array(toolContentSchema).default([]),
  }),
  z.object({
    type: z.literal("permission_resolved"),
    interactionId: z.string(),
    /** The chosen option, or null when the turn was cancelled before anyone answered. */
    optionId: z.string().nullable(),
    optionKind: permissionOptionSchema.shape.kind.nullable(),
    answeredBy: z.string().nullable(),
  }),
  z.object({
    type: z.literal("question_asked"),
    interactionId: z.string(),
    toolCallId: z.string(),
    questions: z.array(questionSchema),
  }),
  z.object({
    type: z.literal("question_answered"),
    interactionId: z.string(),
    /** One list of chosen labels (or free text) per question; null when rejected or cancelled. */
    answers: z.array(z.array(z.string())).nullable(),
    answeredBy: z.string().nullable(),
  }),
  /**
   * Context-window usage as the agent reports it (tokens used of the window size). `cost` is the
   * session's cost so far as the agent computes it from its own price list (claude-agent-acp sends
   * it), not what the studio meters: see `metered` for that.
   */
  z.object({
    type: z.literal("usage"),
    usedTokens: z.number().int(),
    contextSize: z.number().int().nullable(),
    cost: z.object({ amount: z.number(), currency: z.string() }).optional(),
  }),
  /**
   * The agent's plan (todo list) as a whole: each one replaces the one before. Claude Code's
   * TodoWrite and Codex's update_plan arrive this way, not as tool calls.
   */
  z.object({ type: z.literal("plan"), entries: z.array(planEntrySchema) }),
  /** The slash commands the agent accepts now; each list replaces the one before. */
  z.object({ type: z.literal("available_commands"), commands: z.array(agentCommandSchema) }),
  /** The agent switched its session mode (e.g. Claude Code's `plan`, `acceptEdits`; Codex's `read-only`). */
  z.object({ type: z.literal("mode_changed"), modeId: z.string() }),
  /** The agent named (or renamed) its session. */
  z.object({ type: z.literal("session_info"), title: z.string().nullable() }),
  z.object({ type: z.literal("turn_started"), turnId: z.string(), promptMessageId: z.string() }),
  z.object({
    type: z.literal("turn_ended"),
    turnId: z.string(),
    stopReason: stopReasonSchema,
    inputTokens: z.number().int().nullable(),
    outputTokens: z.number().int().nullable(),
  }),
  z.object({
    type: z.literal("status_changed"),
    from: sessionStatusSchema,
    to: sessionStatusSchema,
    reason: z.string().nullable(),
  }),
  /** One event per provisioning step as it starts, completes or fails. */
  z.object({
    type: z.literal("provisioning"),
    step: z.string(),
    label: z.string(),
    state: z.enum(["started", "completed", "failed"]),
    detail: z.string().nullable(),
    /** How far a long step is (a clone: objects and bytes received), while it runs. */
    progress: z
      .object({
        percent: z.number().min(0).max(100).nullable(),
        done: z.number().int().nullable(),
        total: z.number().int().nullable(),
        bytes: z.number().int().nullable(),
      })
      .optional(),
  }),
  /** A push through the studio's git gateway reached the remote (by the agent or a person). */
  z.object({
    type: z.literal("git_pushed"),
    ref: z.string(),
    oldCommit: z.string(),
    newCommit: z.string(),
    /** The host's compare page for the pushed branch, when the host's format is known. */
    pullRequestUrl: z.string().nullable(),
  }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
  z.object({
    type: z.literal("notice"),
    level: z.enum(["info", "warning"]),
    code: z.string(),
    message: z.string(),
  }),
  z.object({ type: z.literal("session_ended"), reason: z.string() }),
  /** A terminal opened from the session page, and by whom (null: an account since deleted). */
  z.object({
    type: z.literal("terminal_opened"),
    terminalId: z.string(),
    name: z.string(),
    openedBy: z.object({ userId: z.string(), name: z.string() }).nullable(),
  }),
  z.object({ type: z.literal("terminal_renamed"), terminalId: z.string(), name: z.string() }),
  /** Closed by a person (who), or ended with the session or its shell (by null). */
  z.object({
    type: z.literal("terminal_closed"),
    terminalId: z.string(),
    closedBy: z.object({ userId: z.string(), name: z.string() }).nullable(),
    reason: z.string(),
  }),
  /**
   * One model call metered by the gateway: its tokens and cost (micro-USD), what the credit balance
   * was charged (zero on the organisation's own keys), and the session's totals after it.
   */
  z.object({
    type: z.literal("metered"),
    model: z.string(),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    cachedTokens: z.number().int(),
    reasoningTokens: z.number().int(),
    /** True when the provider reported nothing (a call cut off) and the tokens are estimated. */
    estimated: z.boolean(),
    costMicroUsd: z.number().int(),
    chargedMicroUsd: z.number().int(),
    totals: z.object({
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
      cachedTokens: z.number().int(),
      costMicroUsd: z.number().int(),
      chargedMicroUsd: z.number().int(),
    }),
  }),
  /** The session's budget was crossed; it is being stopped. */
  z.object({
    type: z.literal("budget_exceeded"),
    budgetMicroUsd: z.number().int(),
    spentMicroUsd: z.number().int(),
  }),
]);

export type StudioEvent = z.infer<typeof studioEventSchema>;
export type StudioEventType = StudioEvent["type"];
export type StudioEventOf<T extends StudioEventType> = Extract<StudioEvent, { type: T }>;
