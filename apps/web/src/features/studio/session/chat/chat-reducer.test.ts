import { describe, expect, it } from "vitest";
import { applyEvents, reduceEvents } from "./chat-reducer.ts";
import type { ChatItem, StudioEvent, ToolItem } from "./chat-types.ts";
import { longSession } from "./fixtures/long-session.ts";
import { kinds, numbered, textOf, transcriptEvents, turn } from "./test-events.ts";

const tool = (items: ChatItem[], toolCallId: string) =>
  items.find((item): item is ToolItem => item.kind === "tool" && item.toolCallId === toolCallId);

const chunk = (type: "thought_chunk" | "agent_message_chunk", messageId: string, text: string) =>
  ({ type, messageId, text }) as StudioEvent;

describe("the recorded OpenCode transcript", () => {
  const events = numbered(transcriptEvents("acp-transcript.jsonl"));
  const state = reduceEvents(events);

  it("accumulates streamed chunks into one assistant block per message", () => {
    expect(textOf(state.items[0])).toBe(
      "Hello from the scripted LLM! This reply is streamed in several chunks.",
    );
    expect(state.lastSeq).toBe(events.length);
  });

  it("merges a tool call with its updates into one card", () => {
    const bash = state.items.find((item) => item.kind === "tool" && item.toolCallId === "call_3");
    expect(bash).toMatchObject({
      kind: "tool",
      title: "echo hi > hello.txt && cat hello.txt",
      toolKind: "execute",
      status: "completed",
      content: [{ type: "text", text: "hi\n" }],
      rawInput: { command: "echo hi > hello.txt && cat hello.txt" },
    });
    expect(state.items.filter((item) => item.kind === "tool" && item.toolCallId === "call_3")).toHaveLength(
      1,
    );
  });

  it("puts each permission request inside its tool call, and its decision with it", () => {
    // No permission is an item of its own: both name a tool call the conversation already shows.
    expect(kinds(state.items)).not.toContain("permission");
    const permissionsOf = (items: ChatItem[], toolCallId: string) =>
      tool(items, toolCallId)?.permissions.map((p) => ({
        interactionId: p.interactionId,
        kinds: p.options.map((o) => o.kind),
        resolution: p.resolution,
      }));
    const options = ["allow_once", "allow_always", "reject_once"];
    expect(permissionsOf(state.items, "call_3")).toEqual([
      { interactionId: "int-1", kinds: options, resolution: null },
    ]);
    expect(permissionsOf(state.items, "call_5")).toEqual([
      { interactionId: "int-2", kinds: options, resolution: null },
    ]);
    // The log's resolution event comes from the studio, not the agent: applying it updates the card.
    const resolved = applyEvents(
      state,
      numbered(
        [
          {
            type: "permission_resolved",
            interactionId: "int-2",
            optionId: "reject",
            optionKind: "reject_once",
            answeredBy: "u1",
          },
        ],
        state.lastSeq + 1,
      ),
    );
    expect(tool(resolved.items, "call_5")).toMatchObject({
      status: "failed",
      toolKind: "edit",
      permissions: [{ resolution: { optionId: "reject", optionKind: "reject_once", answeredBy: "u1" } }],
    });
    expect(tool(resolved.items, "call_3")?.permissions[0]?.resolution).toBeNull();
    // Only the changed card is a new object, so only its row re-renders.
    expect(tool(resolved.items, "call_3")).toBe(tool(state.items, "call_3"));
  });

  it("puts the thinking block before the answer it led to", () => {
    const thinking = state.items.findIndex((item) => item.kind === "thinking");
    expect(textOf(state.items[thinking])).toBe("Let me think about this step by step.");
    expect(textOf(state.items[thinking + 1])).toMatch(/^Thought done\. Answer: 42\./);
  });
});

describe("thinking and message alternation (seed bug 6)", () => {
  it("gives each run its own block, in order", () => {
    const state = reduceEvents(
      numbered(
        turn("go", [
          chunk("thought_chunk", "p1", "First I "),
          chunk("thought_chunk", "p1", "think."),
          chunk("agent_message_chunk", "m1", "Then I say."),
          chunk("thought_chunk", "p2", "Think again."),
          chunk("agent_message_chunk", "m2", "And answer "),
          chunk("agent_message_chunk", "m2", "fully."),
        ]),
      ),
    );
    expect(kinds(state.items)).toEqual(["user", "thinking", "assistant", "thinking", "assistant"]);
    expect(state.items.map(textOf).filter(Boolean)).toEqual([
      "First I think.",
      "Then I say.",
      "Think again.",
      "And answer fully.",
    ]);
  });

  it("starts a new block after a tool call, and when the agent's message id changes", () => {
    const state = reduceEvents(
      numbered(
        turn("go", [
          chunk("agent_message_chunk", "m1", "Let me look."),
          {
            type: "tool_call",
            toolCallId: "c1",
            title: "ls",
            kind: "execute",
            status: "pending",
            content: [],
            locations: [],
          },
          chunk("agent_message_chunk", "m1", "Found it."),
          chunk("agent_message_chunk", "m2", "Next message."),
        ]),
      ),
    );
    expect(kinds(state.items).slice(1)).toEqual(["assistant", "tool", "assistant", "assistant"]);
  });

  it("joins chunks without message ids (claude-agent-acp) into one block", () => {
    const state = reduceEvents(numbered(transcriptEvents("claude-agent-acp-transcript.jsonl")));
    expect(textOf(state.items[0])).toBe("Hello from the scripted LLM via the Anthropic Messages API!");
    expect(state.items.find((item) => item.kind === "tool")).toMatchObject({
      status: "completed",
      title: "echo hi > hello.txt && cat hello.txt",
      permissions: [{ interactionId: "int-1", toolCallId: "toolu_fake_5", resolution: null }],
    });
    expect(kinds(state.items)).not.toContain("permission");
  });
});

describe("a message the agent settled (a model call cut and retried)", () => {
  const cutTool: StudioEvent = {
    type: "tool_call",
    toolCallId: "c1",
    title: "bash",
    kind: "execute",
    status: "pending",
    content: [],
    locations: [],
  };

  it("shows the settled text once, in the message's last block, and keeps what came between", () => {
    const state = reduceEvents(
      numbered(
        turn("go", [
          chunk("agent_message_chunk", "m1", "first0 first1 "),
          cutTool,
          chunk("agent_message_chunk", "m1", "second0 second1"),
          { type: "tool_call_update", toolCallId: "c1", status: "failed" },
          { type: "agent_message_settled", messageId: "m1", text: "second0 second1" },
        ]),
      ),
    );
    expect(kinds(state.items).slice(1)).toEqual(["tool", "assistant"]);
    expect(textOf(state.items[2])).toBe("second0 second1");
    expect(tool(state.items, "c1")?.status).toBe("failed");
    // The index still finds each item where it now is: a later update lands on the tool card.
    const later = applyEvents(
      state,
      numbered([{ type: "tool_call_update", toolCallId: "c1", title: "echo" }], 99),
    );
    expect(tool(later.items, "c1")?.title).toBe("echo");
    expect(later.items).toHaveLength(state.items.length);
  });

  it("replaces the text of a single block, and adds one for a message whose chunks never came", () => {
    const state = reduceEvents(
      numbered(
        turn("go", [
          chunk("agent_message_chunk", "m1", "chunk0 chunk1 chunk0 chunk1 chunk2"),
          { type: "agent_message_settled", messageId: "m1", text: "chunk0 chunk1 chunk2" },
          { type: "agent_message_settled", messageId: "m2", text: "never streamed" },
        ]),
      ),
    );
    expect(kinds(state.items).slice(1)).toEqual(["assistant", "assistant"]);
    expect(state.items.slice(1).map(textOf)).toEqual(["chunk0 chunk1 chunk2", "never streamed"]);
  });
});

describe("permission requests without a tool call to sit in", () => {
  const request = (interactionId: string, toolCallId: string | null): StudioEvent => ({
    type: "permission_requested",
    interactionId,
    toolCallId,
    title: "rm -rf build",
    kind: "execute",
    options: [
      { optionId: "once", name: "Allow once", kind: "allow_once" },
      { optionId: "reject", name: "Reject", kind: "reject_once" },
    ],
    rawInput: { command: "rm -rf build" },
    content: [],
  });
  const resolve = (interactionId: string): StudioEvent => ({
    type: "permission_resolved",
    interactionId,
    optionId: "once",
    optionKind: "allow_once",
    answeredBy: "u1",
  });

  it("shows a request naming no tool call as a card of its own, with its decision", () => {
    const state = reduceEvents(numbered(turn("go", [request("int-1", null), resolve("int-1")])));
    expect(kinds(state.items)).toEqual(["user", "permission"]);
    expect(state.items[1]).toMatchObject({
      interactionId: "int-1",
      resolution: { optionId: "once", optionKind: "allow_once", answeredBy: "u1" },
    });
  });

  it("moves a request that came before its tool call into that call's card, in the request's place", () => {
    const events = numbered(
      turn("go", [
        request("int-1", "c9"),
        { type: "agent_message_chunk", messageId: "m1", text: "Waiting for you." },
        {
          type: "tool_call",
          toolCallId: "c9",
          title: "rm -rf build",
          kind: "execute",
          status: "pending",
          content: [],
          locations: [],
        },
      ]),
    );
    const before = reduceEvents(events.slice(0, 3));
    expect(kinds(before.items)).toEqual(["user", "permission"]);
    const state = applyEvents(
      before,
      events.slice(3).concat(numbered([resolve("int-1")], events.length + 1)),
    );
    expect(kinds(state.items)).toEqual(["user", "tool", "assistant"]);
    expect(state.items[1]).toMatchObject({
      id: "tool-c9",
      permissions: [{ interactionId: "int-1", resolution: { optionId: "once" } }],
    });
    // Later updates still find the call where the request was.
    const updated = applyEvents(
      state,
      numbered([{ type: "tool_call_update", toolCallId: "c9", status: "completed" }], state.lastSeq + 1),
    );
    expect(updated.items[1]).toMatchObject({ kind: "tool", status: "completed" });
    expect(updated.items.filter((item) => item.kind === "tool")).toHaveLength(1);
  });
});

describe("questions", () => {
  it("shows the question with its answer once answered", () => {
    const asked = reduceEvents(numbered(transcriptEvents("opencode-question-flow.sample.json")));
    const question = asked.items.find((item) => item.kind === "question");
    expect(question).toMatchObject({ interactionId: "int-1", answers: undefined });
    const answered = applyEvents(
      asked,
      numbered(
        [{ type: "question_answered", interactionId: "int-1", answers: [["Red"]], answeredBy: "u1" }],
        asked.lastSeq + 1,
      ),
    );
    expect(answered.items.find((item) => item.kind === "question")).toMatchObject({ answers: [["Red"]] });
  });
});

describe("idempotence", () => {
  const events = numbered([
    ...turn("one", transcriptEvents("acp-transcript.jsonl")),
    ...turn("two", transcriptEvents("opencode-question-flow.sample.json")),
  ]);
  const whole = reduceEvents(events);

  it("returns the same state when every event was seen already", () => {
    expect(applyEvents(whole, events)).toBe(whole);
    expect(applyEvents(whole, events.slice(10, 20))).toBe(whole);
  });

  it("gives the same items however the stream is split, with overlapping replays", () => {
    let state = reduceEvents([]);
    for (let start = 0; start < events.length; start += 7) {
      // Each batch replays the three events before it, as a reconnect with an older lastEventId would.
      state = applyEvents(state, events.slice(Math.max(0, start - 3), start + 7));
      state = applyEvents(state, [events[start] as (typeof events)[number]]);
    }
    expect(state.items).toEqual(whole.items);
    expect(state.lastSeq).toBe(whole.lastSeq);
  });
});

describe("the long session the list checks use (fixtures/long-session.ts)", () => {
  const session = longSession(5000, "u1");
  const events = numbered(session.events);
  const state = reduceEvents(events);

  it("is 5,000 events of whole turns: five items a turn, permissions inside their tool calls", () => {
    expect(events).toHaveLength(5000);
    expect(state.lastSeq).toBe(5000);
    expect(state.turn).toBeNull();
    expect(state.items).toHaveLength(session.turns * 5);
    expect(kinds(state.items.slice(0, 5))).toEqual(["user", "thinking", "assistant", "tool", "assistant"]);
    expect(kinds(state.items)).not.toContain("permission");
    const asked = state.items.filter((item) => item.kind === "tool" && item.permissions.length > 0);
    expect(asked).toHaveLength(Math.floor(session.turns / 3));
    expect(state.items[0]).toMatchObject({ kind: "user", text: session.firstPrompt });
    expect(textOf(state.items.at(-1))).toMatch(new RegExp(`^${session.lastReply}`));
  });

  it("gives the same items when applied in the page's small batches", () => {
    let batched = reduceEvents([]);
    for (let start = 0; start < events.length; start += 37) {
      batched = applyEvents(batched, events.slice(start, start + 37));
    }
    expect(batched.items).toEqual(state.items);
  });
});
