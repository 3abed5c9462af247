// The terminal socket's protocol as the browser speaks it (the server's side is
// apps/server/src/http/terminal-socket.ts), and the reconnect schedule. Pure, so it is tested alone.

/** What the server says in text frames; its output arrives as binary frames, not through here. */
export type ServerMessage =
  | { type: "ready"; canType: boolean }
  | { type: "exit"; exitCode: number | null }
  | { type: "error"; message: string };

/** Reads one text frame from the server; null for anything this page does not understand. */
export function parseServerMessage(text: string): ServerMessage | null {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof frame !== "object" || frame === null) return null;
  const { type } = frame as { type?: unknown };
  if (type === "ready") return { type, canType: (frame as { canType?: unknown }).canType === true };
  if (type === "exit") {
    const code = (frame as { exitCode?: unknown }).exitCode;
    return { type, exitCode: typeof code === "number" && Number.isFinite(code) ? code : null };
  }
  if (type === "error") {
    const message = (frame as { message?: unknown }).message;
    return { type, message: typeof message === "string" ? message : "The terminal reported an error." };
  }
  return null;
}

export function inputFrame(data: string): string {
  return JSON.stringify({ type: "input", data });
}

/** The server accepts 2–500 columns and 2–300 rows; a pane being laid out may measure less. */
export function resizeFrame(cols: number, rows: number): string | null {
  if (!Number.isInteger(cols) || !Number.isInteger(rows)) return null;
  if (cols < 2 || rows < 2) return null;
  return JSON.stringify({ type: "resize", cols: Math.min(cols, 500), rows: Math.min(rows, 300) });
}

/** The socket on the page's own origin, so the studio's cookie goes along. */
export function terminalSocketUrl(
  location: Pick<Location, "protocol" | "host">,
  sessionId: string,
  terminalId: string,
) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/api/sessions/${encodeURIComponent(sessionId)}/terminals/${encodeURIComponent(terminalId)}/socket`;
}

/** Tries before the pane stops reconnecting by itself and offers a button instead. */
export const MAX_RECONNECTS = 8;

/**
 * The wait before reconnect number `attempt` (1, 2, …): doubling from half a second up to ten, with
 * some jitter so several tabs dropped at once do not come back in step. `random` is in [0, 1).
 */
export function reconnectDelay(attempt: number, random: number = Math.random()): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random));
}
