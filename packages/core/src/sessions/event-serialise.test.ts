import type { StudioEvent } from "@studio/acp/events";
import { describe, expect, it } from "vitest";
import { serialiseEvent } from "./event-log.ts";

const chunk = (text: string): StudioEvent => ({ type: "agent_message_chunk", messageId: "m", text });

describe("serialiseEvent", () => {
  it("writes what PostgreSQL's jsonb refuses (NUL, unpaired surrogates) as U+FFFD", () => {
    const stored = JSON.parse(serialiseEvent(chunk("a\u0000b \uD83D end \uDE00 x"))) as { text: string };
    expect(stored.text).toBe("a\uFFFDb \uFFFD end \uFFFD x");
  });

  it("leaves everything else as JSON.stringify writes it, pairs and typed escapes included", () => {
    for (const text of [
      "plain",
      "emoji 😀 ok",
      "typed \\u0000 and \\ud83d by hand",
      'quote " and \\ backslash',
    ]) {
      expect(serialiseEvent(chunk(text))).toBe(JSON.stringify(chunk(text)));
    }
  });
});
