// What the agent says about its session beside the conversation: its plan (todo list) and its mode.
import { agentModeName as modeName } from "@studio/models/agents";
import { type Draft, notice, type Of, push, removeItem } from "./chat-draft.ts";
import type { PlanItem } from "./chat-types.ts";

/**
 * Each plan is the whole list: it replaces the turn's plan item and moves it to the end, so the
 * latest list sits where the conversation is (as the agents' own terminals print it again) rather
 * than changing out of sight, and a turn shows one list however often the agent ticks it.
 */
export function plan(d: Draft, e: Of<"plan">): void {
  const at = d.openPlanId === null ? undefined : d.index.get(`id:${d.openPlanId}`);
  const open = at === undefined ? undefined : d.items[at];
  // An empty plan with none shown yet says nothing; after one, it says the agent cleared it.
  if (open?.kind !== "plan" && e.entries.length === 0) return;
  d.openTextId = null;
  if (at !== undefined && open?.kind === "plan") {
    removeItem(d, at);
    push(d, null, { ...open, entries: e.entries, updatedAt: e.at });
    return;
  }
  const item: PlanItem = {
    kind: "plan",
    id: `plan-${e.seq}`,
    seq: e.seq,
    at: e.at,
    entries: e.entries,
    updatedAt: e.at,
  };
  push(d, null, item);
  d.openPlanId = item.id;
}

/**
 * The first mode is the one the studio set when the agent started: recorded, not announced. A
 * later change (the agent leaving plan mode, say) is a quiet one-line notice.
 */
export function modeChanged(d: Draft, e: Of<"mode_changed">): void {
  const before = d.mode;
  d.mode = e.modeId;
  if (before === null || before === e.modeId) return;
  notice(d, e, "info", "mode_changed", `Agent mode: ${modeName(e.modeId)}`);
}
