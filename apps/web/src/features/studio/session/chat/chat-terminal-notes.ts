// Terminals in the session's story: who opened, renamed and closed one, as quiet one-line notices
// (what was typed is never in the log). Names are remembered from the opening for the closing line.
import { type Draft, notice, type Of } from "./chat-draft.ts";

const who = (person: { name: string } | null) => person?.name ?? "Someone";

export function terminalOpened(d: Draft, e: Of<"terminal_opened">): void {
  d.terminalNames = { ...d.terminalNames, [e.terminalId]: e.name };
  notice(d, e, "info", "terminal_opened", `${who(e.openedBy)} opened the terminal “${e.name}”`);
}

export function terminalRenamed(d: Draft, e: Of<"terminal_renamed">): void {
  const before = d.terminalNames[e.terminalId];
  d.terminalNames = { ...d.terminalNames, [e.terminalId]: e.name };
  notice(
    d,
    e,
    "info",
    "terminal_renamed",
    before ? `The terminal “${before}” is now “${e.name}”` : `A terminal is now “${e.name}”`,
  );
}

export function terminalClosed(d: Draft, e: Of<"terminal_closed">): void {
  const name = d.terminalNames[e.terminalId];
  const terminal = name ? `the terminal “${name}”` : "a terminal";
  notice(
    d,
    e,
    "info",
    "terminal_closed",
    e.closedBy ? `${who(e.closedBy)} closed ${terminal}` : `${e.reason}: ${terminal} ended`,
  );
}
