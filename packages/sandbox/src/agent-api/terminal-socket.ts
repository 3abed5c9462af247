// The terminal's WebSocket (`/v1/processes/{id}/terminal/ws`), opened by the studio server, for
// both ways it reaches sandbox-agent: a URL with the token in the query (E2B, a local sandbox on
// the host's network), or the local sandbox's private Unix socket (`ws+unix:`, which `ws` dials
// like a TCP address). Verified against 0.4.2: the server sends one JSON text frame
// `{type:"ready", processId}` on connect, the PTY's output as binary frames, `{type:"error",
// message}` for a frame it cannot use (the socket stays open), and `{type:"exit", exitCode}` (null
// when killed by a signal) before it closes. It replays nothing to a socket that joins late; every
// open socket gets all output from then on, and input from any of them reaches the same PTY.
import WebSocket from "ws";
import type { SandboxHandle } from "../types.ts";
import { assertProcessId, assertTerminalSize } from "./terminals.ts";

export type TerminalSocketTarget = Pick<SandboxHandle, "agentUrl" | "agentToken" | "agentSocketPath">;

/** Opens (connects) a WebSocket to a terminal of the sandbox; use `attachTerminal` to drive it. */
export function openTerminalSocket(target: TerminalSocketTarget, processId: string): WebSocket {
  assertProcessId(processId);
  const path = `/v1/processes/${encodeURIComponent(processId)}/terminal/ws`;
  if (target.agentSocketPath) return new WebSocket(`ws+unix://${target.agentSocketPath}:${path}`);
  const url = new URL(target.agentUrl.replace(/\/+$/, "") + path);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  // Browsers cannot set headers on a WebSocket, so sandbox-agent takes the token in the query.
  if (target.agentToken) url.searchParams.set("access_token", target.agentToken);
  return new WebSocket(url);
}

export interface TerminalCallbacks {
  /** The server accepted the socket; input sent from now on reaches the PTY. */
  ready?: () => void;
  /** Bytes the PTY printed (raw: escape sequences, any encoding the program used). */
  output?: (bytes: Buffer) => void;
  /** The shell ended; null when it was killed by a signal. The socket closes right after. */
  exit?: (exitCode: number | null) => void;
  /** sandbox-agent refused a frame or the connection failed (refused token, unknown terminal…). */
  error?: (message: string) => void;
  /** The socket is closed, for whatever reason (after `exit`, `close()`, a dropped connection). */
  closed?: () => void;
}

export interface TerminalConnection {
  readonly socket: WebSocket;
  /** Typed text (sent as UTF-8) or raw bytes (sent base64). Dropped unless the socket is open. */
  input(data: string | Uint8Array): void;
  resize(cols: number, rows: number): void;
  /** Leaves the terminal running: only this socket ends. */
  close(): void;
}

/** Turns sandbox-agent's frames into callbacks, and input and resizes into its frames. */
export function attachTerminal(socket: WebSocket, callbacks: TerminalCallbacks): TerminalConnection {
  socket.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      callbacks.output?.(bytes);
      return;
    }
    let frame: { type?: unknown; exitCode?: unknown; message?: unknown };
    try {
      frame = JSON.parse(bytes.toString("utf8"));
    } catch {
      callbacks.error?.("The terminal sent a frame that is not JSON");
      return;
    }
    if (frame.type === "ready") callbacks.ready?.();
    else if (frame.type === "exit")
      callbacks.exit?.(typeof frame.exitCode === "number" ? frame.exitCode : null);
    else if (frame.type === "error")
      callbacks.error?.(typeof frame.message === "string" ? frame.message : "Terminal error");
  });
  // A refused upgrade is reported once, with its reason, not again as the abort that follows.
  let refused = false;
  socket.on("unexpected-response", (_request, response) => {
    refused = true;
    response.resume();
    callbacks.error?.(
      response.statusCode === 404
        ? "No such terminal"
        : `The terminal refused the connection (HTTP ${response.statusCode})`,
    );
    socket.terminate();
  });
  socket.on("error", (error: Error) => {
    if (!refused) callbacks.error?.(`Terminal connection failed: ${error.message}`);
  });
  let closeTimer: NodeJS.Timeout | undefined;
  socket.on("close", () => {
    clearTimeout(closeTimer);
    callbacks.closed?.();
  });

  const send = (frame: object) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  };
  return {
    socket,
    input(data) {
      if (typeof data === "string") send({ type: "input", data });
      else send({ type: "input", data: Buffer.from(data).toString("base64"), encoding: "base64" });
    },
    resize(cols, rows) {
      assertTerminalSize(cols, rows);
      send({ type: "resize", cols, rows });
    },
    close() {
      // sandbox-agent closes on `{type:"close"}` (it answers a plain close frame with none); the
      // timer covers a server that does not.
      if (socket.readyState === WebSocket.OPEN) {
        send({ type: "close" });
        closeTimer = setTimeout(() => socket.terminate(), 2_000);
        closeTimer.unref();
      } else if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
    },
  };
}
