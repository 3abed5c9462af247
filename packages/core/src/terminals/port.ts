// The session's sandbox terminals as the server's binding runs them (packages/sandbox's terminal
// client, through sandbox-agent's PTY processes). Core decides who may do what; the binding only
// starts and ends PTYs in a running sandbox.

export interface TerminalSize {
  cols: number;
  rows: number;
}

export interface TerminalSandbox {
  id: string;
  sandboxId: string;
}

export interface SessionTerminalsPort extends SessionTerminalStreams {
  /** Starts a login shell on a PTY in the session's workspace: sandbox-agent's process id. */
  start(session: TerminalSandbox, size: TerminalSize): Promise<{ processId: string }>;
  /** Ends the PTY; one already gone is fine. */
  end(session: TerminalSandbox, processId: string): Promise<void>;
}

/** What a terminal's live stream tells its one reader (the terminal socket's relay). */
export interface TerminalStreamEvents {
  ready(): void;
  /** Bytes the PTY printed, as printed. */
  output(bytes: Uint8Array): void;
  /** The shell ended (null: by a signal). */
  exit(exitCode: number | null): void;
  error(message: string): void;
  /** The stream is over, for whatever reason. */
  closed(): void;
}

export interface TerminalStream {
  input(data: string): void;
  resize(cols: number, rows: number): void;
  /** Ends this stream only; the terminal runs on. */
  close(): void;
}

/** The live side of terminals, for the terminal socket (apps/server binds it like the rest). */
export interface SessionTerminalStreams {
  attach(session: TerminalSandbox, processId: string, events: TerminalStreamEvents): Promise<TerminalStream>;
  /** The terminal's last `frames` pieces of output, oldest first: what a reconnecting screen missed. */
  recentOutput(session: TerminalSandbox, processId: string, frames: number): Promise<Uint8Array[]>;
}
