// What Claude Code and Codex stream beside the conversation (plans, modes, session info, commands,
// their own cost estimate), from the recorded turns in packages/acp/src/fixtures.
import { describe, expect, it } from "vitest";
import { applyEvents, reduceEvents } from "./chat-reducer.ts";
import type { ChatItem, PlanItem, StudioEvent } from "./chat-types.ts";
import { kinds, numbered, recordingEvents, turn } from "./test-events.ts";

const plans = (items: ChatItem[]) => items.filter((item): item is PlanItem => item.kind === "plan");

const entry = (content: string, status: "pending" | "in_progress" | "completed") =>
  ({ content, priority: "medium", status }) as const;

const planEvent = (...entries: ReturnType<typeof entry>[]): StudioEvent => ({ type: "plan", entries });

describe.each(["claude-turn.json", "codex-turn.json"] as const)("the recorded %s", (name) => {
  const events = numbered(turn("write a note", recordingEvents(name)));
  const state = reduceEvents(events);

  it("shows one plan for the turn: the latest list, after the work it reports on", () => {
    expect(plans(state.items)).toEqual([
      expect.objectContaining({
        entries: [entry("Write the note", "completed"), entry("Run the check", "completed")],
      }),
    ]);
    // The second list arrived after the shell command and before the closing reply: it sits there.
    const order = kinds(state.items);
    expect(order.indexOf("plan")).toBeGreaterThan(order.lastIndexOf("tool"));
    expect(order.at(-1)).toBe("assistant");
    expect(state.items.at(-1)).toMatchObject({ text: "All done." });
  });

  it("keeps the plan item's identity from the first list, and when the latest came", () => {
    const first = events.find((e) => e.type === "plan");
    const last = events.findLast((e) => e.type === "plan");
    expect(plans(state.items)[0]).toMatchObject({
      id: `plan-${first?.seq}`,
      at: first?.at,
      updatedAt: last?.at,
    });
  });

  it("never adds the agent's commands, session info or cost to the conversation", () => {
    const notices = state.items.filter((item) => item.kind === "notice").map((item) => item.code);
    expect(notices.every((code) => code === "agent_warning")).toBe(true);
    expect(state.metered).toBeNull();
  });
});

describe("plans", () => {
  it("shows the first list where it came, then moves it to the end with each new list", () => {
    const state = reduceEvents(
      numbered(
        turn("go", [
          planEvent(entry("Read", "in_progress"), entry("Write", "pending")),
          { type: "agent_message_chunk", messageId: "a", text: "Reading." },
          planEvent(entry("Read", "completed"), entry("Write", "in_progress")),
          { type: "agent_message_chunk", messageId: "b", text: "Writing." },
        ]),
      ),
    );
    expect(kinds(state.items)).toEqual(["user", "assistant", "plan", "assistant"]);
    expect(plans(state.items)[0]?.entries.map((e) => e.status)).toEqual(["completed", "in_progress"]);
    // The index follows the move: a later tool update still finds nothing stale to overwrite.
    expect(state.index.get(`id:${plans(state.items)[0]?.id}`)).toBe(2);
    expect(state.index.get("user:m-go")).toBe(0);
  });

  it("starts a new plan item in each turn, leaving the last turn's where it ended", () => {
    const state = reduceEvents(
      numbered([
        ...turn("one", [planEvent(entry("A", "in_progress"))]),
        ...turn("two", [planEvent(entry("A", "completed"), entry("B", "pending"))]),
      ]),
    );
    expect(plans(state.items).map((plan) => plan.entries.length)).toEqual([1, 2]);
    expect(plans(state.items)[0]?.entries[0]?.status).toBe("in_progress");
  });

  it("says an emptied plan was cleared, and ignores an empty one with nothing to clear", () => {
    const state = reduceEvents(
      numbered(turn("go", [planEvent(), planEvent(entry("A", "pending")), planEvent()])),
    );
    expect(plans(state.items)).toEqual([expect.objectContaining({ entries: [] })]);
    expect(reduceEvents(numbered(turn("go", [planEvent()]))).items.some((i) => i.kind === "plan")).toBe(
      false,
    );
  });

  it("ends the open text block, so the reply after a plan is a block of its own", () => {
    const state = reduceEvents(
      numbered(
        turn("go", [
          { type: "agent_message_chunk", messageId: null, text: "Let me plan." },
          planEvent(entry("A", "pending")),
          { type: "agent_message_chunk", messageId: null, text: "Done." },
        ]),
      ),
    );
    expect(kinds(state.items)).toEqual(["user", "assistant", "plan", "assistant"]);
  });

  it("applies a replayed plan once", () => {
    const events = numbered(
      turn("go", [planEvent(entry("A", "pending")), planEvent(entry("A", "completed"))]),
    );
    const state = applyEvents(applyEvents(reduceEvents(events.slice(0, 3)), events.slice(1, 4)), events);
    expect(state.items).toEqual(reduceEvents(events).items);
  });
});

describe("modes", () => {
  const mode = (modeId: string): StudioEvent => ({ type: "mode_changed", modeId });

  it("records the mode the studio started the agent in without a notice", () => {
    const state = reduceEvents(numbered(turn("write a note", recordingEvents("claude-turn.json"))));
    expect(state.mode).toBe("acceptEdits");
    expect(state.items.some((item) => item.kind === "notice" && item.code === "mode_changed")).toBe(false);
  });

  it("notes a later change quietly, by its readable name, and not a repeat", () => {
    const state = reduceEvents(
      numbered([mode("plan"), mode("plan"), mode("default"), mode("read-only"), mode("x-y")]),
    );
    expect(state.mode).toBe("x-y");
    expect(state.items).toEqual([
      expect.objectContaining({
        kind: "notice",
        level: "info",
        code: "mode_changed",
        message: "Agent mode: Default",
      }),
      expect.objectContaining({ message: "Agent mode: Read only" }),
      expect.objectContaining({ message: "Agent mode: x-y" }),
    ]);
  });
});

describe("the agent's cost estimate", () => {
  it("tracks context usage but never takes the agent's cost for the studio's metered total", () => {
    const state = reduceEvents(
      numbered([
        {
          type: "usage",
          usedTokens: 1201,
          contextSize: 1_000_000,
          cost: { amount: 0.02376, currency: "USD" },
        },
      ]),
    );
    expect(state.context).toEqual({ usedTokens: 1201, contextSize: 1_000_000 });
    expect(state.metered).toBeNull();
    expect(state.items).toEqual([]);
  });
});

describe("session info and commands", () => {
  it("adds nothing to the conversation", () => {
    const state = reduceEvents(
      numbered([
        { type: "session_info", title: "Fix the login form" },
        { type: "available_commands", commands: [{ name: "compact", description: "", hint: null }] },
      ]),
    );
    expect(state.items).toEqual([]);
    expect(state.lastSeq).toBe(2);
  });
});
