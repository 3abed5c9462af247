// When the terminal list goes stale, read from the chat state the page reduces from the session's
// events: each terminal_opened, terminal_renamed and terminal_closed is a notice there, and a change
// of status may have ended them all.
import type { ChatState } from "../../chat/chat-types.ts";

const TERMINAL_NOTICES = new Set(["terminal_opened", "terminal_renamed", "terminal_closed"]);

/**
 * A key that changes whenever the terminal list may have: the latest terminal notice's sequence
 * number and the session's status. Empty before the log has said anything.
 */
export function terminalsVersion(state: ChatState): string {
  let latest = 0;
  for (let i = state.items.length - 1; i >= 0; i--) {
    const item = state.items[i];
    if (item?.kind === "notice" && TERMINAL_NOTICES.has(item.code)) {
      latest = item.seq;
      break;
    }
  }
  if (latest === 0 && state.status === null) return "";
  return `${latest}:${state.status ?? ""}`;
}
