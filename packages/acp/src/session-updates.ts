// ACP session updates about the session rather than the conversation: the plan (todo list), usage,
// slash commands, mode and title. Each one states the whole current value, so each maps to one
// event that replaces the previous one of its type. Malformed parts are dropped, never thrown on.
import type { AgentCommand, PlanEntry, StudioEvent } from "./events.ts";
import { int, isRecord, str } from "./tool-content.ts";

const PRIORITIES = new Set<string>(["high", "medium", "low"]);
const PLAN_STATUSES = new Set<string>(["pending", "in_progress", "completed"]);

/**
 * `plan`: `entries` [{content, priority, status}]. Claude Code's TodoWrite and Codex's update_plan
 * both arrive this way (always with priority "medium"). An empty list is a cleared plan.
 */
export function planEvent(update: Record<string, unknown>): StudioEvent[] {
  if (!Array.isArray(update.entries)) return [];
  const entries: PlanEntry[] = [];
  for (const entry of update.entries) {
    const content = isRecord(entry) ? str(entry.content) : undefined;
    if (!isRecord(entry) || content === undefined) continue;
    const { priority, status } = entry;
    entries.push({
      content,
      // A priority or status ACP adds later still shows as an entry, as the nearest known one.
      priority:
        typeof priority === "string" && PRIORITIES.has(priority)
          ? (priority as PlanEntry["priority"])
          : "medium",
      status:
        typeof status === "string" && PLAN_STATUSES.has(status) ? (status as PlanEntry["status"]) : "pending",
    });
  }
  return [{ type: "plan", entries }];
}

/** `usage_update`: `used` of `size` tokens, and claude-agent-acp's `cost` {amount, currency}. */
export function usageEvent(update: Record<string, unknown>): StudioEvent[] {
  const used = int(update.used);
  if (used === null) return [];
  const cost = isRecord(update.cost) ? update.cost : undefined;
  const amount = cost && typeof cost.amount === "number" && Number.isFinite(cost.amount) ? cost.amount : null;
  const currency = cost ? str(cost.currency) : undefined;
  return [
    {
      type: "usage",
      usedTokens: used,
      contextSize: int(update.size),
      ...(amount !== null && currency !== undefined ? { cost: { amount, currency } } : {}),
    },
  ];
}

/** `available_commands_update`: `availableCommands` [{name, description, input?: {hint}}]. */
export function commandsEvent(update: Record<string, unknown>): StudioEvent[] {
  if (!Array.isArray(update.availableCommands)) return [];
  const commands: AgentCommand[] = [];
  for (const command of update.availableCommands) {
    const name = isRecord(command) ? str(command.name) : undefined;
    if (!isRecord(command) || !name) continue;
    const hint = isRecord(command.input) ? str(command.input.hint) : undefined;
    commands.push({ name, description: str(command.description) ?? "", hint: hint ?? null });
  }
  return [{ type: "available_commands", commands }];
}

/** `current_mode_update`: `currentModeId`, sent when the agent itself switches mode. */
export function modeEvent(update: Record<string, unknown>): StudioEvent[] {
  const modeId = str(update.currentModeId);
  return modeId ? [{ type: "mode_changed", modeId }] : [];
}

/**
 * `config_option_update`: every option with its current value. A `session/set_mode` is answered
 * this way (claude-agent-acp, codex-acp and opencode send no `current_mode_update` for it): the
 * option of category "mode" names the mode now in force. The other options (the model, Codex's
 * reasoning effort) are the studio's own choice and say nothing new.
 */
export function configModeEvent(update: Record<string, unknown>): StudioEvent[] {
  if (!Array.isArray(update.configOptions)) return [];
  const mode = update.configOptions.find((option) => isRecord(option) && option.category === "mode");
  const modeId = isRecord(mode) ? str(mode.currentValue) : undefined;
  return modeId ? [{ type: "mode_changed", modeId }] : [];
}

/** `session_info_update`: `title` (null clears it); one without a title changes nothing shown. */
export function sessionInfoEvent(update: Record<string, unknown>): StudioEvent[] {
  if (!("title" in update)) return [];
  const title = update.title === null ? null : str(update.title);
  return title === undefined ? [] : [{ type: "session_info", title }];
}

/**
 * codex-acp streams Codex's own warnings as if the model wrote them, e.g. for a model Codex has
 * no metadata for (the studio's `gpt-5`): "Model metadata for `gpt-5` not found. Defaulting to
 * fallback metadata; this can degrade performance and cause issues." It is a notice, not a reply.
 */
const CODEX_WARNINGS = [/^Model metadata for `[^`\n]*` not found\. Defaulting to fallback metadata;/];

export function isAgentWarningText(text: string): boolean {
  return CODEX_WARNINGS.some((pattern) => pattern.test(text));
}
