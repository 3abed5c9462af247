import type { StudioEvent } from "@studio/acp/events";
import { describe, expect, it } from "vitest";
import { REBUILT_CONVERSATION_MAX_CHARS, rebuiltConversationPrompt } from "./conversation-rebuild.ts";

const person = (text: string): StudioEvent => ({
  type: "user_message",
  messageId: text,
  text,
  authorId: null,
});
const chunk = (messageId: string | null, text: string): StudioEvent => ({
  type: "agent_message_chunk",
  messageId,
  text,
});

describe("rebuiltConversationPrompt", () => {
  it("is null before anything was said", () => {
    expect(rebuiltConversationPrompt([])).toBeNull();
  });

  it("joins each message's chunks, takes settled text, and names tool calls at their last status", () => {
    const prompt = rebuiltConversationPrompt([
      person("remember PINEAPPLE"),
      chunk("m1", "I will "),
      chunk("m1", "remember it."),
      { type: "agent_message_settled", messageId: "m1", text: "I will remember PINEAPPLE." },
      {
        type: "tool_call",
        toolCallId: "t1",
        title: "Run ls",
        kind: "execute",
        status: "pending",
        content: [],
        locations: [],
      },
      { type: "tool_call_update", toolCallId: "t1", status: "completed" },
      chunk(null, "Done"),
      chunk(null, "."),
      person("what was the word?"),
    ])!;
    const conversation = prompt.slice(prompt.indexOf("<conversation>"));
    expect(conversation).toBe(
      [
        "<conversation>",
        "Person: remember PINEAPPLE",
        "",
        "You: I will remember PINEAPPLE.",
        "",
        "(You used a tool: Run ls — completed)",
        "",
        "You: Done.",
        "",
        "Person: what was the word?",
        "</conversation>",
      ].join("\n"),
    );
    expect(prompt).toMatch(/memory of it could not be restored/);
  });

  it("keeps the newest part of a long conversation and says the rest is left out", () => {
    const long = "x".repeat(REBUILT_CONVERSATION_MAX_CHARS / 4);
    const events = Array.from({ length: 8 }, (_, i) => person(`${i} ${long}`));
    const prompt = rebuiltConversationPrompt(events)!;
    expect(prompt).toContain("Earlier parts of the conversation are left out.");
    expect(prompt).toContain(`Person: 7 ${long}`);
    expect(prompt).not.toContain(`Person: 0 ${long}`);
    expect(prompt.length).toBeLessThan(REBUILT_CONVERSATION_MAX_CHARS + 1000);
  });
});
