// Events → chat items: a pure function of the session's event log. It is fed batches of events in
// sequence order; an event whose seq it has already applied is skipped, so a reconnect that replays
// a few events (or a second subscription) can never duplicate an item.
import { readableAgentError } from "./agent-error.ts";
import { modeChanged, plan } from "./chat-agent-updates.ts";
import { type Draft, notice, type Of, patch, push, removeItem } from "./chat-draft.ts";
import { terminalClosed, terminalOpened, terminalRenamed } from "./chat-terminal-notes.ts";
import {
  type ChatState,
  initialChatState,
  type LiveEvent,
  type PermissionItem,
  type ProvisioningItem,
  type TextItem,
  type ToolItem,
  type UserItem,
} from "./chat-types.ts";

/** Applies a batch of events; returns the same state object when none of them is new. */
export function applyEvents(state: ChatState, events: readonly LiveEvent[]): ChatState {
  if (!events.some((event) => event.seq > state.lastSeq)) return state;
  const draft: Draft = {
    ...state,
    items: [...state.items],
    queued: [...state.queued],
    index: new Map(state.index),
  };
  for (const event of events) {
    if (event.seq <= draft.lastSeq) continue;
    draft.lastSeq = event.seq;
    apply(draft, event);
  }
  return draft;
}

export function reduceEvents(events: readonly LiveEvent[]): ChatState {
  return applyEvents(initialChatState, events);
}

function apply(d: Draft, e: LiveEvent) {
  switch (e.type) {
    case "user_message":
      return userMessage(d, e);
    case "agent_message_chunk":
      return chunk(d, e, "assistant");
    case "thought_chunk":
      return chunk(d, e, "thinking");
    case "agent_message_settled":
      return settleMessage(d, e);
    case "tool_call":
    case "tool_call_update":
      return toolCall(d, e);
    case "permission_requested":
      return permissionRequested(d, e);
    case "permission_resolved":
      return permissionResolved(d, e);
    case "question_asked":
      d.openTextId = null;
      push(d, `int:${e.interactionId}`, {
        kind: "question",
        id: `question-${e.interactionId}`,
        seq: e.seq,
        at: e.at,
        interactionId: e.interactionId,
        toolCallId: e.toolCallId,
        questions: e.questions,
        answers: undefined,
        answeredBy: null,
      });
      return;
    case "question_answered":
      return patch(d, `int:${e.interactionId}`, "question", {
        answers: e.answers,
        answeredBy: e.answeredBy,
      });
    case "usage":
      // `cost` is the agent's own estimate from its price list, not what the studio charges (that
      // is `metered`), so it is left out rather than shown beside the real figure.
      d.context = { usedTokens: e.usedTokens, contextSize: e.contextSize };
      return;
    case "plan":
      return plan(d, e);
    case "mode_changed":
      return modeChanged(d, e);
    case "terminal_opened":
      return terminalOpened(d, e);
    case "terminal_renamed":
      return terminalRenamed(d, e);
    case "terminal_closed":
      return terminalClosed(d, e);
    // The session's title is the studio's own; the agent's command list has no place in the chat yet.
    case "session_info":
    case "available_commands":
      return;
    case "metered":
      d.metered = e.totals;
      return;
    case "turn_started":
      return turnStarted(d, e);
    case "turn_ended":
      return turnEnded(d, e);
    case "status_changed":
      return statusChanged(d, e);
    case "provisioning":
      return provisioning(d, e);
    case "error":
      return notice(d, e, "error", e.code, readableAgentError(e.message));
    case "notice":
      return notice(d, e, e.level, e.code, e.message);
    case "git_pushed":
      d.openTextId = null;
      push(d, null, {
        kind: "git_pushed",
        id: `git-pushed-${e.seq}`,
        seq: e.seq,
        at: e.at,
        ref: e.ref,
        oldCommit: e.oldCommit,
        newCommit: e.newCommit,
        pullRequestUrl: e.pullRequestUrl,
      });
      return;
    case "session_ended":
      flushQueued(d);
      return notice(d, e, "info", "session_ended", `Session stopped: ${e.reason}`);
  }
}

function userMessage(d: Draft, e: Of<"user_message">): void {
  if (d.index.has(`user:${e.messageId}`) || d.queued.some((q) => q.messageId === e.messageId)) return;
  const item: UserItem = {
    kind: "user",
    id: `user-${e.messageId}`,
    seq: e.seq,
    at: e.at,
    messageId: e.messageId,
    text: e.text,
    authorId: e.authorId,
    state: d.turn ? "queued" : "sent",
  };
  if (d.turn) {
    d.queued.push(item);
    return;
  }
  d.openTextId = null;
  push(d, `user:${e.messageId}`, item);
}

/**
 * A chunk extends the open block of its kind when nothing came between and the agent's message id
 * did not change; otherwise it starts a new block. So thinking → message → thinking → message
 * gives four blocks, in order.
 */
function chunk(d: Draft, e: Of<"agent_message_chunk" | "thought_chunk">, kind: TextItem["kind"]): void {
  const at = d.openTextId === null ? undefined : d.index.get(`id:${d.openTextId}`);
  const open = at === undefined ? undefined : d.items[at];
  if (
    at !== undefined &&
    at === d.items.length - 1 &&
    open?.kind === kind &&
    (open.messageId === null || e.messageId === null || open.messageId === e.messageId)
  ) {
    d.items[at] = { ...open, text: open.text + e.text };
    return;
  }
  const item: TextItem = {
    kind,
    id: `${kind}-${e.seq}`,
    seq: e.seq,
    at: e.at,
    messageId: e.messageId,
    text: e.text,
  };
  push(d, null, item);
  d.openTextId = item.id;
}

/**
 * What the agent kept of a message replaces what streamed (a model call cut and retried streamed
 * the answer twice): the message's last block takes the text, its earlier blocks go.
 */
function settleMessage(d: Draft, e: Of<"agent_message_settled">): void {
  const blocks = d.items.flatMap((item, at) =>
    item.kind === "assistant" && item.messageId === e.messageId ? [at] : [],
  );
  d.openTextId = null;
  const last = blocks.pop();
  if (last === undefined) {
    if (e.text)
      push(d, null, {
        kind: "assistant",
        id: `assistant-${e.seq}`,
        seq: e.seq,
        at: e.at,
        messageId: e.messageId,
        text: e.text,
      });
    return;
  }
  d.items[last] = { ...(d.items[last] as TextItem), text: e.text };
  for (const at of blocks.reverse()) removeItem(d, at);
}

function toolCall(d: Draft, e: Of<"tool_call" | "tool_call_update">): void {
  const key = `tool:${e.toolCallId}`;
  const at = d.index.get(key);
  const existing = at === undefined ? undefined : d.items[at];
  if (existing?.kind === "tool" && at !== undefined) {
    const next: ToolItem = { ...existing };
    if (e.title !== undefined && e.title !== "") next.title = e.title;
    if (e.kind !== undefined) next.toolKind = e.kind;
    if (e.status !== undefined) next.status = e.status;
    if (e.rawInput !== undefined) next.rawInput = e.rawInput;
    if (e.rawOutput !== undefined) next.rawOutput = e.rawOutput;
    if (e.content !== undefined) next.content = e.content;
    if (e.locations !== undefined) next.locations = e.locations;
    d.items[at] = next;
    return;
  }
  d.openTextId = null;
  const item: ToolItem = {
    kind: "tool",
    id: `tool-${e.toolCallId}`,
    seq: e.seq,
    at: e.at,
    toolCallId: e.toolCallId,
    title: e.title || "Tool call",
    toolKind: e.kind ?? "other",
    status: e.status ?? "pending",
    rawInput: e.rawInput,
    rawOutput: e.rawOutput,
    content: e.content ?? [],
    locations: e.locations ?? [],
    permissions: [],
  };
  // A permission that arrived before its tool call was shown on its own: the tool call takes its
  // place in the list and holds it from now on.
  const waiting = d.index.get(`ptool:${e.toolCallId}`);
  const orphan = waiting === undefined ? undefined : d.items[waiting];
  if (waiting !== undefined && orphan?.kind === "permission") {
    d.items[waiting] = { ...item, permissions: [orphan] };
    d.index.delete(`ptool:${e.toolCallId}`);
    d.index.delete(`id:${orphan.id}`);
    d.index.set(key, waiting);
    d.index.set(`id:${item.id}`, waiting);
    return;
  }
  push(d, key, item);
}

/** A permission request joins its tool call's item; one naming no known call is an item of its own. */
function permissionRequested(d: Draft, e: Of<"permission_requested">): void {
  const permission: PermissionItem = {
    kind: "permission",
    id: `permission-${e.interactionId}`,
    seq: e.seq,
    at: e.at,
    interactionId: e.interactionId,
    toolCallId: e.toolCallId,
    title: e.title,
    toolKind: e.kind,
    options: e.options,
    rawInput: e.rawInput,
    content: e.content ?? [],
    resolution: null,
  };
  const at = e.toolCallId === null ? undefined : d.index.get(`tool:${e.toolCallId}`);
  const tool = at === undefined ? undefined : d.items[at];
  if (at !== undefined && tool?.kind === "tool") {
    d.items[at] = { ...tool, permissions: [...tool.permissions, permission] };
    d.index.set(`int:${e.interactionId}`, at);
    return;
  }
  d.openTextId = null;
  push(d, `int:${e.interactionId}`, permission);
  if (e.toolCallId !== null) d.index.set(`ptool:${e.toolCallId}`, d.items.length - 1);
}

function permissionResolved(d: Draft, e: Of<"permission_resolved">): void {
  const resolution = { optionId: e.optionId, optionKind: e.optionKind, answeredBy: e.answeredBy };
  const at = d.index.get(`int:${e.interactionId}`);
  const item = at === undefined ? undefined : d.items[at];
  if (at === undefined || !item) return;
  if (item.kind === "permission") d.items[at] = { ...item, resolution };
  if (item.kind === "tool") {
    const permissions = item.permissions.map((permission) =>
      permission.interactionId === e.interactionId ? { ...permission, resolution } : permission,
    );
    d.items[at] = { ...item, permissions };
  }
}

function turnStarted(d: Draft, e: Of<"turn_started">): void {
  d.turn = { turnId: e.turnId, promptMessageId: e.promptMessageId, startedAt: e.at };
  d.openTextId = null;
  // Each turn shows its own plan; the one before keeps the state it reached.
  d.openPlanId = null;
  // The prompt and anything queued before it join the conversation in the order they were sent.
  const position = d.queued.findIndex((q) => q.messageId === e.promptMessageId);
  for (const item of d.queued.splice(0, position + 1)) {
    push(d, `user:${item.messageId}`, { ...item, state: "sent" });
  }
  patch(d, `user:${e.promptMessageId}`, "user", { state: "sent" });
}

const endNotices: Partial<Record<Of<"turn_ended">["stopReason"], [string, "info" | "warning"]>> = {
  cancelled: ["Turn cancelled.", "info"],
  max_tokens: ["The reply reached the model's output limit.", "warning"],
  max_turn_requests: ["The turn reached its limit of model requests.", "warning"],
  refusal: ["The model declined to continue.", "warning"],
};

function turnEnded(d: Draft, e: Of<"turn_ended">): void {
  d.turn = null;
  d.tokens = {
    input: d.tokens.input + (e.inputTokens ?? 0),
    output: d.tokens.output + (e.outputTokens ?? 0),
  };
  d.openTextId = null;
  const ending = endNotices[e.stopReason];
  if (e.stopReason === "cancelled") flushQueued(d);
  if (ending) notice(d, e, ending[1], `turn_${e.stopReason}`, ending[0]);
}

/** Queued messages that will not run (the turn was cancelled or the session stopped). */
function flushQueued(d: Draft): void {
  for (const item of d.queued.splice(0)) push(d, `user:${item.messageId}`, { ...item, state: "dropped" });
}

function statusChanged(d: Draft, e: Of<"status_changed">): void {
  const resumed = (e.from === "stopped" || e.from === "error") && e.to === "provisioning";
  d.status = e.to;
  if (e.to !== "active" && e.to !== "provisioning") d.turn = null;
  if (resumed) notice(d, e, "info", "resumed", "Session resumed.");
  const open = d.openProvisioningId;
  if (open === null || e.to === "provisioning") return;
  const outcome: ProvisioningItem["outcome"] =
    e.to === "error" ? "failed" : e.to === "stopped" ? "stopped" : "ready";
  patch(d, `id:${open}`, "provisioning", { outcome, reason: e.reason, endedAt: e.at });
  d.openProvisioningId = null;
}

function provisioning(d: Draft, e: Of<"provisioning">): void {
  if (d.openProvisioningId === null) {
    const item: ProvisioningItem = {
      kind: "provisioning",
      id: `provisioning-${e.seq}`,
      seq: e.seq,
      at: e.at,
      steps: [],
      outcome: "running",
      reason: null,
      endedAt: null,
    };
    d.openTextId = null;
    push(d, null, item);
    d.openProvisioningId = item.id;
  }
  const at = d.index.get(`id:${d.openProvisioningId}`);
  const item = at === undefined ? undefined : d.items[at];
  if (at === undefined || item?.kind !== "provisioning") return;
  const steps = [...item.steps];
  const found = steps.findIndex((step) => step.step === e.step);
  const before = found >= 0 ? steps[found] : undefined;
  const state = e.state === "started" ? "running" : e.state;
  const step = {
    step: e.step,
    label: e.label,
    state,
    detail: e.detail ?? before?.detail ?? null,
    startedAt: before?.startedAt ?? e.at,
    endedAt: state === "running" ? null : e.at,
    // Progress belongs to a running step: a finished one shows its check mark, not a stale bar.
    progress: state === "running" ? (e.progress ?? before?.progress ?? null) : null,
  } as const;
  if (found >= 0) steps[found] = step;
  else steps.push(step);
  d.items[at] = { ...item, steps, outcome: state === "failed" ? "failed" : item.outcome };
}
