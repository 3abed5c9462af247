import { describe, expect, it } from "vitest";
import { reduceEvents } from "./chat-reducer.ts";
import type { ChatItem } from "./chat-types.ts";
import { numbered } from "./test-events.ts";

const notices = (items: ChatItem[]) =>
  items.flatMap((item) => (item.kind === "notice" ? [(item as { message: string }).message] : []));

describe("terminals in the chat", () => {
  it("tells who opened, renamed and closed each terminal, by its name at the time", () => {
    const alex = { userId: "u1", name: "Alex" };
    const state = reduceEvents(
      numbered([
        { type: "terminal_opened", terminalId: "t1", name: "Terminal 1", openedBy: alex },
        { type: "terminal_renamed", terminalId: "t1", name: "Tests" },
        { type: "terminal_opened", terminalId: "t2", name: "Logs", openedBy: null },
        { type: "terminal_closed", terminalId: "t1", closedBy: alex, reason: "Closed" },
        { type: "terminal_closed", terminalId: "t2", closedBy: null, reason: "The session stopped" },
      ]),
    );
    expect(notices(state.items)).toEqual([
      "Alex opened the terminal “Terminal 1”",
      "The terminal “Terminal 1” is now “Tests”",
      "Someone opened the terminal “Logs”",
      "Alex closed the terminal “Tests”",
      "The session stopped: the terminal “Logs” ended",
    ]);
  });
});
