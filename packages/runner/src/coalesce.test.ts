import type { StudioEvent } from "@studio/acp/events";
import { describe, expect, it } from "vitest";
import { coalesceChunks } from "./coalesce.ts";

const text = (messageId: string | null, value: string): StudioEvent => ({
  type: "agent_message_chunk",
  messageId,
  text: value,
});
const thought = (messageId: string | null, value: string): StudioEvent => ({
  type: "thought_chunk",
  messageId,
  text: value,
});

describe("coalesceChunks", () => {
  it("merges consecutive chunks of one message", () => {
    expect(coalesceChunks([text("m1", "Hel"), text("m1", "lo"), text("m1", "!")])).toEqual([
      text("m1", "Hello!"),
    ]);
  });

  it("keeps thinking and message runs apart and in order", () => {
    const events = [
      thought("t1", "Let me "),
      thought("t1", "think"),
      text("m1", "Answer"),
      thought("t2", "More"),
    ];
    expect(coalesceChunks(events)).toEqual([
      thought("t1", "Let me think"),
      text("m1", "Answer"),
      thought("t2", "More"),
    ]);
  });

  it("never merges across another event or another message", () => {
    const tool: StudioEvent = { type: "tool_call_update", toolCallId: "c1", status: "completed" };
    expect(coalesceChunks([text("m1", "a"), tool, text("m1", "b"), text("m2", "c")])).toEqual([
      text("m1", "a"),
      tool,
      text("m1", "b"),
      text("m2", "c"),
    ]);
  });
});
