import { describe, expect, it } from "vitest";
import { type ChatItem, type ChatState, initialChatState } from "../../chat/chat-types.ts";
import { terminalsVersion } from "./terminals-live.ts";

const notice = (seq: number, code: string): ChatItem => ({
  kind: "notice",
  id: `notice-${seq}`,
  seq,
  at: new Date(0),
  level: "info",
  code,
  message: code,
});

const state = (items: ChatItem[], status: ChatState["status"] = "ready"): ChatState => ({
  ...initialChatState,
  items,
  status,
});

describe("when the terminal list goes stale", () => {
  it("changes with each terminal notice and each status, and only then", () => {
    expect(terminalsVersion(initialChatState)).toBe("");
    const opened = terminalsVersion(state([notice(3, "terminal_opened")]));
    const other = terminalsVersion(state([notice(3, "terminal_opened"), notice(4, "idle_warning")]));
    expect(other).toBe(opened);
    const renamed = terminalsVersion(state([notice(3, "terminal_opened"), notice(5, "terminal_renamed")]));
    expect(renamed).not.toBe(opened);
    const closed = terminalsVersion(state([notice(3, "terminal_opened"), notice(6, "terminal_closed")]));
    expect(closed).not.toBe(renamed);
    expect(terminalsVersion(state([notice(3, "terminal_opened")], "stopped"))).not.toBe(opened);
  });
});
