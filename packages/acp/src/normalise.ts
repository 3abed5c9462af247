// Pure ACP → studio event mapping: no I/O, no clock, no randomness. The same message and context
// always give the same events, so replaying a recorded ACP log rebuilds the same studio log.
// Anything unknown maps to [] (the caller logs it); nothing here throws on agent input.
import {
  type PermissionOption,
  type Question,
  questionSchema,
  type StopReason,
  type StudioEvent,
  stopReasonSchema,
} from "./events.ts";
import { classify } from "./jsonrpc.ts";
import {
  commandsEvent,
  configModeEvent,
  isAgentWarningText,
  modeEvent,
  planEvent,
  sessionInfoEvent,
  usageEvent,
} from "./session-updates.ts";
import {
  blockText,
  execOutputText,
  int,
  isRecord,
  str,
  toolContent,
  toolLocations,
  toolStatus,
} from "./tool-content.ts";
import { relativiseEvent, workspaceRelativiser } from "./workspace-paths.ts";

export interface NormaliseContext {
  /**
   * The runner's interaction id for a key, the same id every time for the same key. Keys are
   * `permission:<JSON-RPC id of the agent's request>` and `question:<toolCallId>`. The agent
   * numbers its requests from 0 per process, so scope the allocator to one ACP server.
   */
  interactionIdFor(key: string): string;
  /**
   * Tool calls that already produced `question_asked`. opencode repeats the question's
   * `rawInput` on later updates; the runner adds each asked id here so it is asked once.
   */
  askedQuestionIds?: ReadonlySet<string>;
  /** SSE id of the message, used as the id of a replayed user message that has none. */
  eventId?: string;
  /**
   * The sandbox's workspace (the ACP session's cwd). Paths inside it are shown relative to it in
   * everything but message text, so nobody sees where the sandbox lives; without it paths stay as
   * the agent sent them.
   */
  workspaceDir?: string;
}

const PERMISSION_KINDS = new Set<string>(["allow_once", "allow_always", "reject_once", "reject_always"]);

export function normaliseAgentMessage(message: unknown, context: NormaliseContext): StudioEvent[] {
  const events = eventsOf(message, context);
  if (events.length === 0 || context.workspaceDir === undefined) return events;
  const relative = workspaceRelativiser(context.workspaceDir);
  return events.map((event) => relativiseEvent(event, relative));
}

function eventsOf(message: unknown, context: NormaliseContext): StudioEvent[] {
  const kind = classify(message);
  if (kind !== "notification" && kind !== "request") return []; // responses: see normalisePromptResult
  const { method, params, id } = message as { method: string; params?: unknown; id?: unknown };
  if (method === "session/update") {
    return isRecord(params) && isRecord(params.update) ? normaliseUpdate(params.update, context) : [];
  }
  if (method === "session/request_permission" && kind === "request") {
    return permissionRequested(String(id), params, context);
  }
  if (method === "_adapter/agent_exited") {
    const code = isRecord(params) ? int(params.code) : null;
    const text = code === null ? "The agent process exited." : `The agent process exited with code ${code}.`;
    return [{ type: "error", code: "agent_exited", message: text }];
  }
  if (method === "_adapter/invalid_stdout") {
    const raw = isRecord(params) ? (str(params.raw) ?? "") : "";
    const text = `The agent wrote a line that is not JSON-RPC: ${raw.slice(0, 200)}`;
    return [{ type: "notice", level: "warning", code: "agent_invalid_output", message: text }];
  }
  return [];
}

function normaliseUpdate(update: Record<string, unknown>, context: NormaliseContext): StudioEvent[] {
  const messageId = str(update.messageId) ?? null;
  switch (update.sessionUpdate) {
    case "agent_message_chunk":
    case "agent_thought_chunk": {
      const content = update.content;
      const text = isRecord(content) && content.type === "text" ? str(content.text) : undefined;
      // Empty chunks (claude-agent-acp opens every message with one) carry nothing.
      if (!text) return [];
      if (update.sessionUpdate === "agent_message_chunk" && isAgentWarningText(text)) {
        return [{ type: "notice", level: "warning", code: "agent_warning", message: text }];
      }
      const type = update.sessionUpdate === "agent_message_chunk" ? "agent_message_chunk" : "thought_chunk";
      return [{ type, messageId, text }];
    }
    case "user_message_chunk": {
      const text = blockText(update.content);
      if (text === undefined) return [];
      return [
        {
          type: "user_message",
          messageId: messageId ?? `acp-${context.eventId ?? "unknown"}`,
          text,
          authorId: null,
        },
      ];
    }
    case "tool_call":
    case "tool_call_update":
      return toolCall(update, context);
    case "usage_update":
      return usageEvent(update);
    case "plan":
      return planEvent(update);
    case "available_commands_update":
      return commandsEvent(update);
    case "current_mode_update":
      return modeEvent(update);
    case "config_option_update":
      return configModeEvent(update);
    case "session_info_update":
      return sessionInfoEvent(update);
    default:
      // Kinds not invented yet: nothing the studio log shows.
      return [];
  }
}

function toolCall(update: Record<string, unknown>, context: NormaliseContext): StudioEvent[] {
  const toolCallId = str(update.toolCallId);
  if (toolCallId === undefined) return [];
  const events: StudioEvent[] = [];
  // Codex's shell output is only in rawOutput: as text content it shows like any agent's output.
  const output = Array.isArray(update.content) ? undefined : execOutputText(update.rawOutput);
  const content =
    output === undefined ? update.content : [{ type: "content", content: { type: "text", text: output } }];
  if (update.sessionUpdate === "tool_call") {
    events.push({
      type: "tool_call",
      toolCallId,
      title: str(update.title) ?? "",
      kind: str(update.kind) ?? "other",
      status: toolStatus(update.status) ?? "pending",
      ...("rawInput" in update ? { rawInput: update.rawInput } : {}),
      ...("rawOutput" in update ? { rawOutput: update.rawOutput } : {}),
      content: toolContent(content),
      locations: toolLocations(update.locations),
    });
  } else {
    // Only what the agent sent: the runner merges updates into the tool call it already has.
    const status = toolStatus(update.status);
    events.push({
      type: "tool_call_update",
      toolCallId,
      ...(typeof update.title === "string" ? { title: update.title } : {}),
      ...(typeof update.kind === "string" ? { kind: update.kind } : {}),
      ...(status ? { status } : {}),
      ...("rawInput" in update ? { rawInput: update.rawInput } : {}),
      ...("rawOutput" in update ? { rawOutput: update.rawOutput } : {}),
      ...(Array.isArray(content) ? { content: toolContent(content) } : {}),
      ...(Array.isArray(update.locations) ? { locations: toolLocations(update.locations) } : {}),
    });
  }
  const questions = pendingQuestions(update);
  if (questions && !context.askedQuestionIds?.has(toolCallId)) {
    const interactionId = context.interactionIdFor(`question:${toolCallId}`);
    events.push({ type: "question_asked", interactionId, toolCallId, questions });
  }
  return events;
}

/**
 * opencode's `question` tool while it waits for an answer: title `question` and
 * `rawInput.questions`. A finished one (retitled "Asked 1 question", or replayed by session/load
 * as completed) is not a question any more.
 */
function pendingQuestions(update: Record<string, unknown>): Question[] | null {
  if (update.title !== "question" || !isRecord(update.rawInput)) return null;
  if (update.status === "completed" || update.status === "failed") return null;
  const raw = update.rawInput.questions;
  if (!Array.isArray(raw)) return null;
  const questions = raw.flatMap((q) => {
    const parsed = questionSchema.safeParse(q);
    return parsed.success ? [parsed.data] : [];
  });
  return questions.length > 0 ? questions : null;
}

function permissionRequested(requestId: string, params: unknown, context: NormaliseContext): StudioEvent[] {
  if (!isRecord(params)) return [];
  const tool = isRecord(params.toolCall) ? params.toolCall : {};
  const options: PermissionOption[] = [];
  for (const option of Array.isArray(params.options) ? params.options : []) {
    if (!isRecord(option)) continue;
    const { optionId, name, kind } = option;
    // An option kind outside ACP's four has no meaning the UI could show: leave it out.
    if (typeof optionId !== "string" || typeof kind !== "string" || !PERMISSION_KINDS.has(kind)) continue;
    options.push({ optionId, name: str(name) ?? optionId, kind: kind as PermissionOption["kind"] });
  }
  return [
    {
      type: "permission_requested",
      interactionId: context.interactionIdFor(`permission:${requestId}`),
      toolCallId: str(tool.toolCallId) ?? null,
      title: str(tool.title) ?? "",
      kind: str(tool.kind) ?? null,
      options,
      ...("rawInput" in tool ? { rawInput: tool.rawInput } : {}),
      content: toolContent(tool.content),
    },
  ];
}

export interface NormalisedPromptResult {
  stopReason: StopReason;
  inputTokens: number | null;
  outputTokens: number | null;
}

/** A `session/prompt` result → the fields of `turn_ended`. */
export function normalisePromptResult(result: unknown): NormalisedPromptResult {
  const r = isRecord(result) ? result : {};
  const parsed = stopReasonSchema.safeParse(r.stopReason);
  const usage = isRecord(r.usage) ? r.usage : {};
  return {
    // A reason ACP has not defined yet still means the turn is over; it did not fail.
    stopReason: parsed.success ? parsed.data : "end_turn",
    inputTokens: int(usage.inputTokens),
    outputTokens: int(usage.outputTokens),
  };
}
