import { Plus, RotateCw, X } from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";
import { Button } from "../../../../../components/ui/Button.tsx";
import { Spinner } from "../../../../../components/ui/Spinner.tsx";
import {
  inputFrame,
  MAX_RECONNECTS,
  parseServerMessage,
  reconnectDelay,
  resizeFrame,
  terminalSocketUrl,
} from "./terminal-protocol.ts";
import type { TerminalScreen } from "./xterm-screen.ts";

export type PaneStatus =
  | "loading"
  | "connecting"
  | "live"
  | "reconnecting"
  | "disconnected"
  | "exited"
  | "broken";

export interface TerminalPaneProps {
  sessionId: string;
  terminalId: string;
  name: string;
  /** The session is running: a dropped socket is worth reconnecting. */
  live: boolean;
  /** Focus the screen once it is ready (a terminal just opened). */
  autoFocus: boolean;
  /** The shell ended; the tab stays, saying so, until it is dismissed. */
  onExited: (exitCode: number | null) => void;
  onNewTerminal: (() => void) | null;
  opening: boolean;
  onDismiss: () => void;
}

/**
 * One terminal: xterm (loaded on first use) on the studio's terminal socket. A dropped socket is
 * reopened with backoff while the session runs; the server then replays the recent output, so the
 * screen is reset first rather than showing it twice.
 */
export function TerminalPane(props: TerminalPaneProps) {
  const { sessionId, terminalId, name, live } = props;
  const host = useRef<HTMLElement>(null);
  const hintId = useId();
  const [status, setStatus] = useState<PaneStatus>("loading");
  const [exitCode, setExitCode] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  // The latest props, for the socket's callbacks without reconnecting on each render.
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    let disposed = false;
    let screen: TerminalScreen | null = null;
    let socket: WebSocket | null = null;
    let ready = false;
    // A watcher sends nothing, not even its size: the server refuses every frame from one, and the
    // PTY keeps the size of the person typing.
    let canType = false;
    let exited = false;
    let failures = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const send = (frame: string | null) => {
      if (frame && ready && canType && socket?.readyState === WebSocket.OPEN) socket.send(frame);
    };

    const connect = () => {
      if (disposed) return;
      ready = false;
      const current = new WebSocket(terminalSocketUrl(window.location, sessionId, terminalId));
      current.binaryType = "arraybuffer";
      socket = current;
      current.onmessage = (event) => {
        if (socket !== current || !screen) return;
        if (typeof event.data !== "string") {
          screen.write(new Uint8Array(event.data as ArrayBuffer));
          return;
        }
        const message = parseServerMessage(event.data);
        if (message?.type === "ready") {
          ready = true;
          canType = message.canType;
          failures = 0;
          // What follows is the recent output again: start from a clean screen.
          screen.reset();
          screen.setReadOnly(!message.canType);
          setNotice(null);
          setStatus("live");
          const { cols, rows } = screen.size();
          send(resizeFrame(cols, rows));
          if (latest.current.autoFocus && message.canType) screen.focus();
        } else if (message?.type === "exit") {
          exited = true;
          setExitCode(message.exitCode);
          setStatus("exited");
          latest.current.onExited(message.exitCode);
        } else if (message?.type === "error") {
          setNotice(message.message);
        }
      };
      current.onclose = () => {
        if (socket !== current) return;
        socket = null;
        ready = false;
        if (disposed || exited) return;
        failures++;
        if (!latest.current.live || failures > MAX_RECONNECTS) {
          setStatus("disconnected");
          return;
        }
        setStatus("reconnecting");
        timer = setTimeout(connect, reconnectDelay(failures));
      };
    };

    setStatus("loading");
    import("./xterm-screen.ts")
      .then(({ createTerminalScreen }) => {
        if (disposed || !host.current) return;
        screen = createTerminalScreen(host.current, {
          readOnly: true,
          hintId,
          onInput: (data) => send(inputFrame(data)),
          onResize: (cols, rows) => send(resizeFrame(cols, rows)),
        });
        setStatus("connecting");
        connect();
      })
      .catch(() => {
        if (!disposed) setStatus("broken");
      });

    return () => {
      disposed = true;
      clearTimeout(timer);
      socket?.close(1000);
      socket = null;
      screen?.dispose();
    };
    // `attempt` starts over after the automatic reconnects gave up.
  }, [sessionId, terminalId, attempt, hintId]);

  return (
    <div className="terminal-pane relative flex min-h-0 flex-1 flex-col" data-status={status}>
      <section
        ref={host}
        aria-label={`Terminal ${name}`}
        aria-busy={status === "loading" || status === "connecting" || undefined}
        className="terminal-screen min-h-0 flex-1 overflow-hidden bg-surface py-1.5 pl-2"
      />
      <p id={hintId} className="sr-only">
        Press Escape, then Tab, to move out of the terminal.
      </p>
      <StatusBar
        status={status}
        exitCode={exitCode}
        notice={notice}
        live={live}
        onRetry={() => setAttempt((n) => n + 1)}
        onNewTerminal={props.onNewTerminal}
        opening={props.opening}
        onDismiss={props.onDismiss}
      />
    </div>
  );
}

function StatusBar({
  status,
  exitCode,
  notice,
  live,
  onRetry,
  onNewTerminal,
  opening,
  onDismiss,
}: {
  status: PaneStatus;
  exitCode: number | null;
  notice: string | null;
  live: boolean;
  onRetry: () => void;
  onNewTerminal: (() => void) | null;
  opening: boolean;
  onDismiss: () => void;
}) {
  const bar =
    "terminal-status flex flex-wrap items-center gap-2 border-t border-line bg-surface-muted px-3 py-1.5 text-[13px]";
  if (status === "exited") {
    return (
      <div className={bar} role="status">
        <p className="min-w-0 flex-1 text-fg">
          The shell exited{exitCode !== null ? ` with code ${exitCode}` : ""}.
        </p>
        {onNewTerminal ? (
          <Button size="sm" variant="secondary" icon={<Plus />} pending={opening} onClick={onNewTerminal}>
            New terminal
          </Button>
        ) : null}
        <Button size="sm" variant="ghost" icon={<X />} onClick={onDismiss}>
          Close tab
        </Button>
      </div>
    );
  }
  if (status === "disconnected" || status === "broken") {
    return (
      <div className={bar} role="status">
        <p className="min-w-0 flex-1 text-fg">
          {status === "broken"
            ? "The terminal couldn't load. Reload the page to try again."
            : live
              ? "Disconnected from the terminal."
              : "The session is stopped. Resume the session to use a terminal."}
        </p>
        {status === "disconnected" && live ? (
          <Button size="sm" variant="secondary" icon={<RotateCw />} onClick={onRetry}>
            Reconnect
          </Button>
        ) : null}
      </div>
    );
  }
  if (status === "reconnecting" || status === "connecting" || status === "loading") {
    return (
      <div className={bar} role="status">
        <Spinner />
        <p className="min-w-0 flex-1 text-fg-muted">
          {status === "reconnecting" ? "Reconnecting…" : "Connecting…"}
        </p>
      </div>
    );
  }
  // Live: only a refusal from the server (typing while watching, say) is worth a line.
  return notice ? (
    <div className={bar} role="status">
      <p className="min-w-0 flex-1 text-fg-muted">{notice}</p>
    </div>
  ) : null;
}
