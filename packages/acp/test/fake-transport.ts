// A scriptable stand-in for sandbox-agent's HTTP *transport* only (POST / SSE GET / DELETE), for
// the protocol edge cases the real server cannot be made to produce on demand. It knows nothing
// about agents: each test scripts what the POSTs answer and what the stream carries.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface PostedMessage {
  jsonrpc: string;
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

export interface RecordedPost {
  url: string;
  body: PostedMessage;
  headers: IncomingMessage["headers"];
  res: ServerResponse;
}

export interface SseConnection {
  lastEventId: string | undefined;
  headers: IncomingMessage["headers"];
  res: ServerResponse;
}

export class FakeTransport {
  readonly posts: RecordedPost[] = [];
  readonly streams: SseConnection[] = [];
  readonly deletes: ServerResponse[] = [];
  /** Answers each POST; the default accepts with 202. Leave `res` open to simulate a hung POST. */
  onPost: (post: RecordedPost) => void = (post) => post.res.writeHead(202).end();
  /** Answers each SSE GET; the default opens the stream and keeps it open. */
  onStream: (connection: SseConnection) => void = (connection) => openStream(connection.res);
  /** Answers each DELETE; the default never does, like sandbox-agent 0.4.2 while the agent lives. */
  onDelete: (res: ServerResponse) => void = () => {};
  #server: Server;
  #waiters: (() => void)[] = [];

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<FakeTransport> {
    const fake: FakeTransport = new FakeTransport(createServer((req, res) => fake.#handle(req, res)));
    await new Promise<void>((resolve) => fake.#server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Resolves once the predicate holds (checked after every request the fake receives). */
  async until(predicate: () => boolean): Promise<void> {
    while (!predicate()) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === "GET") {
      const connection = {
        lastEventId: req.headers["last-event-id"] as string | undefined,
        headers: req.headers,
        res,
      };
      this.streams.push(connection);
      this.onStream(connection);
      this.#wake();
      return;
    }
    if (req.method === "DELETE") {
      this.deletes.push(res);
      this.onDelete(res);
      this.#wake();
      return;
    }
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      const post = { url: req.url ?? "", body: JSON.parse(text), headers: req.headers, res };
      this.posts.push(post);
      this.onPost(post);
      this.#wake();
    });
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}

export function openStream(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.flushHeaders();
}

export function sendEvent(res: ServerResponse, id: number, message: unknown): void {
  res.write(`event: message\nid: ${id}\ndata: ${JSON.stringify(message)}\n\n`);
}

export function answerJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  type = "application/json",
): void {
  res.writeHead(status, { "content-type": type }).end(JSON.stringify(body));
}

export function problem(res: ServerResponse, status: number, code: string, detail: string): void {
  const body = { type: `urn:sandbox-agent:error:${code}`, title: code, status, detail };
  answerJson(res, status, body, "application/problem+json");
}

export const update = (text: string) => ({
  jsonrpc: "2.0",
  method: "session/update",
  params: {
    sessionId: "ses_1",
    update: { sessionUpdate: "agent_message_chunk", content: { type: "text", text } },
  },
});
