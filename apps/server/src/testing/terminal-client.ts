// Test support: a terminal socket as a browser or a program opens it, collecting what it is sent.
import WebSocket from "ws";

export interface TerminalClient {
  /** The terminal's output so far, decoded. */
  output(): string;
  /** Control frames (`ready`, `exit`, `error`) so far. */
  readonly controls: Array<{ type: string; [key: string]: unknown }>;
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  waitForControl(type: string, timeoutMs?: number): Promise<{ type: string; [key: string]: unknown }>;
  /** Resolves once the socket is closed. */
  readonly closed: Promise<number>;
  type(text: string): void;
  resize(cols: number, rows: number): void;
  close(): void;
}

export function terminalSocketUrl(studioUrl: string, sessionId: string, terminalId: string): string {
  return `${studioUrl.replace(/^http/, "ws")}/api/sessions/${sessionId}/terminals/${terminalId}/socket`;
}

/** Opens the socket; rejects with the HTTP status and body when the upgrade is refused. */
export function connectTerminal(url: string, headers: Record<string, string>): Promise<TerminalClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    const chunks: Buffer[] = [];
    const controls: TerminalClient["controls"] = [];
    const closed = new Promise<number>((done) => socket.on("close", (code) => done(code)));
    socket.on("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on("end", () => reject(Object.assign(new Error(body), { status: response.statusCode })));
    });
    socket.on("error", reject);
    socket.on("message", (data, isBinary) => {
      const bytes = Buffer.from(data as Buffer);
      if (isBinary) chunks.push(bytes);
      else controls.push(JSON.parse(bytes.toString()));
    });
    const until = async <T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = check();
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
        await new Promise((wake) => setTimeout(wake, 50));
      }
    };
    const output = () => Buffer.concat(chunks).toString("utf8");
    socket.on("open", () =>
      resolve({
        output,
        controls,
        closed,
        waitForOutput: (text, timeoutMs = 15_000) =>
          until(
            () => (output().includes(text) ? true : undefined),
            `"${text}" in the output`,
            timeoutMs,
          ).then(() => {}),
        waitForControl: (type, timeoutMs = 15_000) =>
          until(() => controls.find((frame) => frame.type === type), `${type} frame`, timeoutMs),
        type: (text) => socket.send(JSON.stringify({ type: "input", data: text })),
        resize: (cols, rows) => socket.send(JSON.stringify({ type: "resize", cols, rows })),
        close: () => socket.close(),
      }),
    );
  });
}
