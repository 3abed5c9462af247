import type {
  PermissionOption,
  PlanEntry,
  Question,
  SessionStatus,
  StudioEvent,
  ToolCallStatus,
  ToolContent,
} from "@studio/acp/events";

export type {
  PermissionOption,
  PlanEntry,
  Question,
  SessionStatus,
  StudioEvent,
  ToolCallStatus,
  ToolContent,
};

/** A `metered` event's running totals: tokens, and cost and charge in micro-USD. */
export type MeteredTotals = Extract<StudioEvent, { type: "metered" }>["totals"];

/** A stored event as the `sessions.events` subscription delivers it. */
export type LiveEvent = StudioEvent & { seq: number; at: Date };

interface ItemBase {
  /** Stable across re-renders and reconnects: derived from the event that created the item. */
  id: string;
  /** Sequence number and time of the event that created the item. */
  seq: number;
  at: Date;
}

export interface UserItem extends ItemBase {
  kind: "user";
  messageId: string;
  text: string;
  authorId: string | null;
  /** queued: waits behind the running turn; dropped: a cancel or stop ended it before it ran. */
  state: "sent" | "queued" | "dropped";
}

export interface TextItem extends ItemBase {
  kind: "assistant" | "thinking";
  messageId: string | null;
  text: string;
}

export interface ToolLocation {
  path: string;
  line?: number | null | undefined;
}

export interface ToolItem extends ItemBase {
  kind: "tool";
  toolCallId: string;
  title: string;
  toolKind: string;
  status: ToolCallStatus;
  rawInput?: unknown;
  rawOutput?: unknown;
  content: ToolContent[];
  locations: ToolLocation[];
  /** The agent's permission requests for this call (usually one), shown inside its card. */
  permissions: PermissionItem[];
}

/** A permission request: inside its tool call's item, or an item of its own when it names no known call. */
export interface PermissionItem extends ItemBase {
  kind: "permission";
  interactionId: string;
  toolCallId: string | null;
  title: string;
  toolKind: string | null;
  options: PermissionOption[];
  rawInput?: unknown;
  content: ToolContent[];
  /** null while waiting; optionId null when the turn ended before anyone answered. */
  resolution: {
    optionId: string | null;
    optionKind: PermissionOption["kind"] | null;
    answeredBy: string | null;
  } | null;
}

export interface QuestionItem extends ItemBase {
  kind: "question";
  interactionId: string;
  toolCallId: string;
  questions: Question[];
  /** undefined while waiting; null when rejected or cancelled. */
  answers: string[][] | null | undefined;
  answeredBy: string | null;
}

export interface NoticeItem extends ItemBase {
  kind: "notice";
  level: "info" | "warning" | "error";
  code: string;
  message: string;
}

/**
 * The agent's plan (its todo list) in one turn. Each plan the agent sends replaces the entries and
 * moves the item to where the conversation is, so the latest list is the one in view.
 */
export interface PlanItem extends ItemBase {
  kind: "plan";
  entries: PlanEntry[];
  /** When the latest list arrived. */
  updatedAt: Date;
}

export interface ProvisioningStep {
  step: string;
  label: string;
  state: "running" | "completed" | "failed";
  detail: string | null;
  startedAt: Date;
  endedAt: Date | null;
  /** How far a long step (a clone) is, from its latest event while it runs; null when it says nothing. */
  progress: ProvisioningProgress | null;
}

export type ProvisioningProgress = NonNullable<Extract<StudioEvent, { type: "provisioning" }>["progress"]>;

/** A push through the studio's git gateway, by the agent or a person. */
export interface GitPushedItem extends ItemBase {
  kind: "git_pushed";
  ref: string;
  oldCommit: string;
  newCommit: string;
  pullRequestUrl: string | null;
}

export interface ProvisioningItem extends ItemBase {
  kind: "provisioning";
  steps: ProvisioningStep[];
  outcome: "running" | "ready" | "failed" | "stopped";
  /** Why the attempt failed, when the status change said so. */
  reason: string | null;
  endedAt: Date | null;
}

export type ChatItem =
  | UserItem
  | TextItem
  | ToolItem
  | PermissionItem
  | QuestionItem
  | NoticeItem
  | ProvisioningItem
  | GitPushedItem
  | PlanItem;

export interface ChatState {
  /** The highest sequence number applied: the subscription resumes after it. */
  lastSeq: number;
  items: ChatItem[];
  /** Messages sent during a running turn, shown after everything until their turn starts. */
  queued: UserItem[];
  /** The session status as the log tells it; null before the first status event. */
  status: SessionStatus | null;
  turn: { turnId: string; promptMessageId: string; startedAt: Date } | null;
  /** The assistant or thinking block that the next chunk of the same kind extends. */
  openTextId: string | null;
  /** The provisioning attempt still collecting steps. */
  openProvisioningId: string | null;
  /** The current turn's plan item, which the agent's next plan replaces. */
  openPlanId: string | null;
  /** The agent's session mode as it last reported it (e.g. `acceptEdits`, `read-only`). */
  mode: string | null;
  /** Each terminal's name as the log last gave it, for the line that says it closed. */
  terminalNames: Readonly<Record<string, string>>;
  context: { usedTokens: number; contextSize: number | null } | null;
  /** Tokens the agent reported at the end of each turn, summed. */
  tokens: { input: number; output: number };
  /** The session's totals after its latest model call metered by the gateway; null before one. */
  metered: MeteredTotals | null;
  /**
   * Item position by key: `tool:<id>`, `int:<interactionId>` (the permission's own item or the tool
   * item holding it), `user:<messageId>`, `id:<item id>`, and `ptool:<toolCallId>` for a permission
   * shown on its own because its tool call has not arrived yet.
   */
  index: ReadonlyMap<string, number>;
}

export const initialChatState: ChatState = {
  lastSeq: 0,
  items: [],
  queued: [],
  status: null,
  turn: null,
  openTextId: null,
  openProvisioningId: null,
  openPlanId: null,
  mode: null,
  terminalNames: {},
  context: null,
  tokens: { input: 0, output: 0 },
  metered: null,
  index: new Map(),
};
