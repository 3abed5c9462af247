import { describe, expect, it } from "vitest";
import { loadTranscript, sseMessages, type TranscriptName, transcriptNames } from "../test/fixtures.ts";
import { type StudioEvent, studioEventSchema } from "./events.ts";
import { type NormaliseContext, normaliseAgentMessage, normalisePromptResult } from "./normalise.ts";

/** A runner-like allocator: one id per key, stable across calls. */
function context(extra: Partial<NormaliseContext> = {}): NormaliseContext & { keys: string[] } {
  const ids = new Map<string, string>();
  const keys: string[] = [];
  return {
    keys,
    interactionIdFor(key) {
      if (!ids.has(key)) {
        keys.push(key);
        ids.set(key, `int-${ids.size + 1}`);
      }
      return ids.get(key)!;
    },
    ...extra,
  };
}

function normaliseAll(name: TranscriptName, ctx = context()): StudioEvent[] {
  return sseMessages(name).flatMap(({ sseId, message }) =>
    normaliseAgentMessage(message, { ...ctx, eventId: sseId }),
  );
}

function updateOf(name: TranscriptName, sseId: string): unknown {
  return sseMessages(name).find((m) => m.sseId === sseId)!.message;
}

describe("normaliseAgentMessage over the recorded transcripts", () => {
  it.each(transcriptNames)("every message of %s normalises to valid studio events", (name) => {
    let produced = 0;
    for (const row of loadTranscript(name)) {
      // Every row, sent or received: what the client sent and POST replies must map to [] safely.
      for (const event of normaliseAgentMessage(row.json, context())) {
        expect(studioEventSchema.safeParse(event).error).toBeUndefined();
        produced++;
      }
    }
    expect(produced).toBeGreaterThan(0);
  });

  it("concatenates agent message chunks into the streamed reply", () => {
    const events = normaliseAll("acp-transcript.jsonl");
    const reply = events
      .filter((e) => e.type === "agent_message_chunk" && e.messageId === "msg_204f4f167001Qv3WB56hWaalNC")
      .map((e) => (e as { text: string }).text)
      .join("");
    expect(reply).toBe("Hello from the scripted LLM! This reply is streamed in several chunks.");
  });

  it("maps thought chunks to thought_chunk", () => {
    const thoughts = normaliseAll("acp-transcript.jsonl").filter((e) => e.type === "thought_chunk");
    expect(thoughts.map((e) => e.text).join("")).toBe("Let me think about this step by step.");
    expect(new Set(thoughts.map((e) => e.messageId))).toEqual(new Set(["prt_204f501dd001saExV2vefxC6cA"]));
  });

  it("maps a bash permission request with its options and tool call", () => {
    const ctx = context();
    const [event] = normaliseAgentMessage(updateOf("acp-transcript.jsonl", "12"), ctx);
    expect(event).toEqual({
      type: "permission_requested",
      interactionId: "int-1",
      toolCallId: "call_3",
      title: "echo hi > hello.txt && cat hello.txt",
      kind: "execute",
      options: [
        { optionId: "once", name: "Allow once", kind: "allow_once" },
        { optionId: "always", name: "Always allow", kind: "allow_always" },
        { optionId: "reject", name: "Reject", kind: "reject_once" },
      ],
      rawInput: { command: "echo hi > hello.txt && cat hello.txt" },
      content: [],
    });
    expect(ctx.keys).toEqual(["permission:0"]);
  });

  it("carries the write tool's diff in its permission request", () => {
    const [event] = normaliseAgentMessage(updateOf("acp-transcript.jsonl", "21"), context());
    expect(event).toMatchObject({
      type: "permission_requested",
      toolCallId: "call_5",
      kind: "edit",
      content: [
        { type: "diff", path: "/sandbox/ws/note.txt", oldText: "", newText: "written by scripted LLM\n" },
      ],
    });
  });

  it("follows a tool call from pending to completed with its output", () => {
    const events = normaliseAll("acp-transcript.jsonl").filter(
      (e) => (e.type === "tool_call" || e.type === "tool_call_update") && e.toolCallId === "call_3",
    );
    expect(events[0]).toEqual({
      type: "tool_call",
      toolCallId: "call_3",
      title: "bash",
      kind: "execute",
      status: "pending",
      rawInput: { cwd: "/sandbox/ws" },
      content: [],
      locations: [{ path: "/sandbox/ws" }],
    });
    expect(events.at(-1)).toEqual({
      type: "tool_call_update",
      toolCallId: "call_3",
      title: "echo hi > hello.txt && cat hello.txt",
      status: "completed",
      rawOutput: { metadata: { exit: 0, output: "hi\n", truncated: false }, output: "hi\n" },
      content: [{ type: "text", text: "hi\n" }],
    });
  });

  it("ends a rejected write as failed", () => {
    const [event] = normaliseAgentMessage(updateOf("acp-transcript.jsonl", "22"), context());
    expect(event).toMatchObject({ type: "tool_call_update", toolCallId: "call_5", status: "failed" });
  });

  it("maps usage_update, the slash commands and the mode a config option update names", () => {
    expect(normaliseAgentMessage(updateOf("acp-transcript.jsonl", "8"), context())).toEqual([
      { type: "usage", usedTokens: 100, contextSize: 128000, cost: { amount: 0, currency: "USD" } },
    ]);
    const [commands] = normaliseAgentMessage(updateOf("acp-transcript.jsonl", "3"), context());
    expect(commands).toMatchObject({ type: "available_commands" });
    expect(commands?.type === "available_commands" && commands.commands.map((c) => c.name)).toContain("init");
    expect(normaliseAgentMessage(updateOf("acp-transcript.jsonl", "38"), context())).toEqual([
      { type: "mode_changed", modeId: "plan" },
    ]);
  });

  it("replays user messages from session/load as user_message", () => {
    const users = normaliseAll("acp-edge-transcript.jsonl").filter((e) => e.type === "user_message");
    expect(users).toEqual([
      {
        type: "user_message",
        messageId: "msg_204f21765001pbz5qMF5M1Oowt",
        text: "USE_TODO make a plan",
        authorId: null,
      },
      {
        type: "user_message",
        messageId: "msg_204f21dac001X6q8eg71PNR3KD",
        text: "SLOW please",
        authorId: null,
      },
    ]);
  });

  it("turns _adapter/agent_exited into an agent_exited error", () => {
    const exited = sseMessages("acp-edge-transcript.jsonl").find(
      (m) => (m.message as any).method === "_adapter/agent_exited",
    );
    expect(normaliseAgentMessage(exited!.message, context())).toEqual([
      { type: "error", code: "agent_exited", message: "The agent process exited." },
    ]);
  });

  it("asks opencode's question once, with the questions from rawInput", () => {
    const ctx = context();
    const events = normaliseAll("opencode-question-flow.sample.json", ctx);
    const asked = events.filter((e) => e.type === "question_asked");
    expect(asked).toEqual([
      {
        type: "question_asked",
        interactionId: "int-1",
        toolCallId: "call_11",
        questions: [
          {
            question: "Which colour should the button be?",
            header: "Colour",
            multiple: false,
            options: [
              { label: "Red", description: "A warm colour" },
              { label: "Blue", description: "A cool colour" },
            ],
          },
        ],
      },
    ]);
    expect(ctx.keys).toEqual(["question:call_11"]);
    // The question's tool call itself is still reported, and ends completed with the answer.
    expect(events.filter((e) => e.type === "tool_call_update").at(-1)).toMatchObject({
      status: "completed",
      title: "Asked 1 question",
      rawOutput: { metadata: { answers: [["Red"]] } },
    });
  });

  it("does not ask a question again once the runner recorded it", () => {
    const events = normaliseAll(
      "opencode-question-flow.sample.json",
      context({ askedQuestionIds: new Set(["call_11"]) }),
    );
    expect(events.some((e) => e.type === "question_asked")).toBe(false);
  });

  it("handles claude-agent-acp's empty chunks and _meta-only tool updates", () => {
    const events = normaliseAll("claude-agent-acp-transcript.jsonl");
    expect(events.some((e) => e.type === "agent_message_chunk" && e.text === "")).toBe(false);
    expect(events).toContainEqual({ type: "tool_call_update", toolCallId: "toolu_fake_5" });
    expect(events.find((e) => e.type === "permission_requested")).toMatchObject({
      toolCallId: "toolu_fake_5",
      content: [{ type: "text", text: "Write hello.txt" }],
    });
  });

  it("returns [] for unknown kinds and malformed input instead of throwing", () => {
    const update = (u: unknown) => ({
      jsonrpc: "2.0",
      method: "session/update",
      params: { sessionId: "s", update: u },
    });
    for (const message of [
      null,
      "text",
      42,
      {},
      { jsonrpc: "2.0", method: "x/unknown", params: {} },
      { jsonrpc: "2.0", id: 3, method: "fs/read_text_file", params: {} },
      update({ sessionUpdate: "plan" }),
      update({ sessionUpdate: "brand_new_kind" }),
      update({ sessionUpdate: "tool_call" }),
      update({
        sessionUpdate: "agent_message_chunk",
        content: { type: "image", data: "", mimeType: "image/png" },
      }),
      update(null),
      { jsonrpc: "2.0", id: 1, method: "session/request_permission", params: null },
    ]) {
      expect(normaliseAgentMessage(message, context())).toEqual([]);
    }
  });

  it("is deterministic", () => {
    expect(normaliseAll("acp-transcript.jsonl")).toEqual(normaliseAll("acp-transcript.jsonl"));
  });
});

describe("normalisePromptResult", () => {
  it("reads the stop reason and token usage of session/prompt results", () => {
    const results = loadTranscript("acp-transcript.jsonl")
      .filter((row) => row.dir === "←POST" && (row.json as any)?.result?.stopReason)
      .map((row) => normalisePromptResult((row.json as any).result));
    expect(results[0]).toEqual({ stopReason: "end_turn", inputTokens: 100, outputTokens: 20 });
    expect(results.at(-1)).toEqual({ stopReason: "cancelled", inputTokens: 0, outputTokens: 0 });
  });

  it("tolerates a missing usage and an unknown stop reason", () => {
    expect(normalisePromptResult({ stopReason: "refusal" })).toEqual({
      stopReason: "refusal",
      inputTokens: null,
      outputTokens: null,
    });
    expect(normalisePromptResult({ stopReason: "something_new" }).stopReason).toBe("end_turn");
    expect(normalisePromptResult(null).stopReason).toBe("end_turn");
  });
});
