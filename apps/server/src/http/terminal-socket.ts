// The terminal socket: `GET /api/sessions/<session>/terminals/<terminal>/socket` upgraded to a
// WebSocket on the studio's own origin. The browser never reaches sandbox-agent: this replica opens
// the terminal's own socket in the sandbox (found through the session's row) and relays it.
//
//   browser → studio   text `{"type":"input","data"}`, `{"type":"resize","cols","rows"}`
//   studio → browser   text `{"type":"ready","canType"}` first, then the terminal's recent output
//                      and everything it prints as binary frames; `{"type":"exit","exitCode"}`,
//                      `{"type":"error","message"}`
//
// Who may connect and type is core's terminal rules; a cookie counts only from the studio's own
// pages (Origin), an API token from anywhere. A watcher's input is refused, not relayed.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { resolveActor, toHttpError } from "@studio/api";
import {
  AppError,
  noteTerminalActivity,
  recordTerminalExited,
  type SessionActor,
  type TerminalStream,
  terminalSocketAccess,
} from "@studio/core";
import { type WebSocket, WebSocketServer } from "ws";
import { authenticate, type ContextDeps, isSameOrigin } from "./context.ts";
import { joinReplay } from "./terminal-replay.ts";

const SOCKET_PATH = /^\/api\/sessions\/([A-Za-z0-9_-]{1,64})\/terminals\/([A-Za-z0-9_-]{1,64})\/socket$/;

/** What a reconnecting browser is shown of what it missed (the log keeps everything). */
const REPLAY_FRAMES = 400;
/** Keystrokes count as activity at most this often (one write, not one per key). */
const ACTIVITY_EVERY_MS = 30_000;
/** A browser frame is a keystroke burst or a paste; nothing legitimate is larger. */
const MAX_BROWSER_FRAME = 256 * 1024;

/** Characters per input frame to sandbox-agent: under its 64 KiB limit even at 4 bytes each. */
const INPUT_PIECE = 16 * 1024;

/**
 * sandbox-agent prints this into the stream (and its log) when the PTY closes under it: its own
 * message, not the terminal's output.
 */
function isStreamEndNoise(bytes: Uint8Array): boolean {
  return (
    bytes.length < 120 && /^\n\[process stream error: [^\]]*\]\n$/.test(Buffer.from(bytes).toString("utf8"))
  );
}

export function isTerminalSocketPath(url: string): boolean {
  return SOCKET_PATH.test(url.split("?")[0] ?? "");
}

/** Answers a refused upgrade with the same JSON error every route gives, then hangs up. */
function refuseUpgrade(socket: Duplex, status: number, message: string) {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : "Refused"}\r\n` +
      "content-type: application/json\r\ncache-control: no-store\r\nconnection: close\r\n" +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function createTerminalSockets() {
  const server = new WebSocketServer({ noServer: true, maxPayload: MAX_BROWSER_FRAME });
  const open = new Set<WebSocket>();

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, deps: ContextDeps) {
    const match = SOCKET_PATH.exec((req.url ?? "").split("?")[0] ?? "");
    if (!match) return refuseUpgrade(socket, 404, "Not found");
    const [, sessionId, terminalId] = match as unknown as [string, string, string];
    let access: Awaited<ReturnType<typeof terminalSocketAccess>>;
    let actor: SessionActor;
    try {
      const auth = await authenticate(req, null, deps);
      // A cookie rides along on any page's request: only the studio's own pages may use it here.
      if (auth?.kind === "session" && !isSameOrigin(req, deps.origins))
        throw new AppError("FORBIDDEN", "This terminal opens only from the studio's own pages.");
      ({ actor } = await resolveActor(deps.db, auth));
      access = await terminalSocketAccess(deps.db, actor, { sessionId, terminalId });
    } catch (error) {
      if (!(error instanceof AppError)) {
        deps.logger.error({ err: (error as Error).message }, "terminal socket refused");
        return refuseUpgrade(socket, 500, "Something went wrong.");
      }
      const { status, body } = toHttpError(error);
      return refuseUpgrade(socket, status, body.error);
    }
    server.handleUpgrade(req, socket, head, (browser) => {
      // Without a listener, a frame over the size limit would be an unhandled error (a crash).
      browser.on("error", () => browser.terminate());
      open.add(browser);
      browser.once("close", () => open.delete(browser));
      void relay(browser, deps, sessionId, terminalId, access);
    });
  }

  async function relay(
    browser: WebSocket,
    deps: ContextDeps,
    sessionId: string,
    terminalId: string,
    access: Awaited<ReturnType<typeof terminalSocketAccess>>,
  ) {
    const sendJson = (frame: object) => {
      if (browser.readyState === browser.OPEN) browser.send(JSON.stringify(frame));
    };
    const terminals = deps.sessions.terminals;
    const { sandbox, processId } = access;
    // Live output waits until what came before it has been replayed, so it arrives in order.
    let pending: Uint8Array[] | null = [];
    const send = (bytes: Uint8Array) => {
      if (browser.readyState === browser.OPEN && !isStreamEndNoise(bytes)) browser.send(bytes);
    };
    // Keystrokes sent before the terminal's own socket is ready wait here, not on the floor.
    let upstream: TerminalStream | undefined;
    let upstreamReady = false;
    const early: Array<[Buffer, boolean]> = [];
    const handleFrame = (data: Buffer, isBinary: boolean) => browserFrame(data, isBinary);
    browser.on("message", (data: Buffer, isBinary: boolean) => {
      if (upstream && upstreamReady) handleFrame(data, isBinary);
      else early.push([data, isBinary]);
    });
    const flushEarly = () => {
      if (!upstream) return void setImmediate(flushEarly);
      for (const [data, isBinary] of early.splice(0)) handleFrame(data, isBinary);
    };
    try {
      upstream = await terminals.attach(sandbox, processId, {
        ready: () => {
          upstreamReady = true;
          flushEarly();
          sendJson({ type: "ready", canType: access.canType });
          void terminals
            .recentOutput(sandbox, processId, REPLAY_FRAMES)
            .catch(() => [])
            .then((frames) => {
              for (const bytes of joinReplay(frames, pending ?? [])) send(bytes);
              pending = null;
            });
        },
        output: (bytes) => {
          if (pending) pending.push(bytes);
          else send(bytes);
        },
        exit: (exitCode) => {
          sendJson({ type: "exit", exitCode });
          void recordTerminalExited(deps.db, sessionId, terminalId)
            .then(() => terminals.end(sandbox, processId))
            .catch((error: Error) =>
              deps.logger.warn({ sessionId, err: error.message }, "an exited terminal was not cleaned up"),
            );
        },
        error: (message) => sendJson({ type: "error", message }),
        closed: () => browser.close(1000),
      });
    } catch {
      sendJson({ type: "error", message: "The session's sandbox cannot be reached." });
      browser.close(1011);
      return;
    }
    // The browser left while the terminal's stream was being opened.
    if (browser.readyState !== browser.OPEN) return upstream.close();

    let lastActivity = 0;
    function browserFrame(data: Buffer, isBinary: boolean) {
      if (!upstream) return;
      if (isBinary) return sendJson({ type: "error", message: "Send input as text frames." });
      let frame: { type?: unknown; data?: unknown; cols?: unknown; rows?: unknown };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return sendJson({ type: "error", message: "A frame must be JSON." });
      }
      if (!access.canType)
        return sendJson({ type: "error", message: "You can watch this terminal, not type in it." });
      if (frame.type === "input" && typeof frame.data === "string") {
        // sandbox-agent takes at most 64 KiB per input; a paste may be larger.
        for (let at = 0; at < frame.data.length; at += INPUT_PIECE)
          upstream.input(frame.data.slice(at, at + INPUT_PIECE));
        if (Date.now() - lastActivity > ACTIVITY_EVERY_MS) {
          lastActivity = Date.now();
          void noteTerminalActivity(deps.db, sessionId).catch(() => {});
        }
      } else if (
        frame.type === "resize" &&
        Number.isInteger(frame.cols) &&
        Number.isInteger(frame.rows) &&
        (frame.cols as number) >= 2 &&
        (frame.cols as number) <= 500 &&
        (frame.rows as number) >= 2 &&
        (frame.rows as number) <= 300
      ) {
        upstream.resize(frame.cols as number, frame.rows as number);
      } else sendJson({ type: "error", message: "Unknown frame." });
    }
    // The browser went (a reload, a dropped connection): the terminal keeps running for the next one.
    browser.on("close", () => upstream?.close());
  }

  return {
    upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, deps: ContextDeps) => {
      upgrade(req, socket, head, deps).catch((error: Error) => {
        deps.logger.error({ err: error.message }, "terminal socket failed");
        socket.destroy();
      });
    },
    /** Every terminal socket ends with the server (they are not the HTTP server's connections). */
    closeAll() {
      for (const socket of open) socket.terminate();
    },
  };
}
