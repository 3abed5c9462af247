import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createScriptControl, type ScriptControl } from "./control.ts";
import { playReply, sendJson } from "./driver.ts";
import { anthropic } from "./formats/anthropic.ts";
import { chatCompletions } from "./formats/chat-completions.ts";
import type { FormatHandler, JsonObject } from "./formats/common.ts";
import { google } from "./formats/google.ts";
import { responses } from "./formats/responses.ts";
import { answerListing, DEFAULT_MODELS, isListingRequest } from "./models-listing.ts";
import { planReply } from "./script.ts";
import { isTitleRequest } from "./title.ts";
import type {
  RecordedRequest,
  ScriptedModelServer,
  ScriptedModelServerOptions,
  ScriptedReply,
} from "./types.ts";

const DEFAULT_REPLY: ScriptedReply = [{ text: "Scripted reply." }];
const DEFAULT_TITLE = "Scripted Title";

// Matched on the end of the path so that any gateway prefix in front works.
function routeFor(path: string): FormatHandler | undefined {
  if (path.endsWith("/chat/completions")) return chatCompletions;
  if (path.endsWith("/responses")) return responses;
  if (path.endsWith("/messages")) return anthropic;
  if (/\/models\/[^/]+:(stream)?[gG]enerateContent$/.test(path)) return google;
  return undefined;
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function presentedKeys(headers: Record<string, string>, url: URL): string[] {
  const keys: string[] = [];
  const auth = headers.authorization;
  if (auth && /^bearer\s+/i.test(auth)) keys.push(auth.replace(/^bearer\s+/i, "").trim());
  for (const name of ["x-api-key", "x-goog-api-key"]) {
    const value = headers[name];
    if (value) keys.push(value);
  }
  const queryKey = url.searchParams.get("key");
  if (queryKey) keys.push(queryKey);
  return keys;
}

function accepts(expected: string | readonly string[] | undefined, presented: string[]): boolean {
  if (expected === undefined) return true;
  const allowed = typeof expected === "string" ? [expected] : expected;
  return presented.some((key) => allowed.includes(key));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export async function startScriptedModelServer(
  options: ScriptedModelServerOptions = {},
): Promise<ScriptedModelServer> {
  const queue: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let mainCount = 0;
  let noteTitle = () => {};
  const titleSeen = new Promise<void>((resolve) => {
    noteTitle = resolve;
  });
  let control: ScriptControl | undefined;
  /** Model calls whose response has not ended yet. */
  let answering = 0;

  const noteMainRequest = () => {
    mainCount += 1;
    for (const waiter of [...waiters]) {
      if (mainCount >= waiter.n) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const headers = flattenHeaders(req);
    const rawBody = await readBody(req);
    if (control?.handle(req, res, url, rawBody)) return;
    const parsed = parseJson(rawBody);
    const handler = req.method === "POST" ? routeFor(url.pathname) : undefined;
    const body =
      parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as JsonObject) : undefined;
    const isTitle = !!handler && !!body && isTitleRequest(handler.format, body);
    const keys = presentedKeys(headers, url);
    const record: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: parsed,
      rawBody,
      format: handler?.format ?? "unknown",
      model: handler && body ? handler.model(body, url) : undefined,
      stream: !!handler && !!body && handler.isStream(body, url),
      isTitle,
      authorized: accepts(server.expectedKey, keys),
      aborted: false,
    };
    requests.push(record);
    if (handler && !isTitle) noteMainRequest();
    if (isTitle) noteTitle();

    // What a "test key" button calls, and where a custom endpoint's models are read.
    if (!handler && isListingRequest(req.method, url.pathname))
      return answerListing(req, res, url.pathname, headers, record.authorized, server.models);
    if (!handler) {
      return sendJson(res, 404, {
        error: { message: `No scripted model route for ${req.method} ${url.pathname}` },
      });
    }
    if (!body) return sendJson(res, 400, handler.errorBody(400, "Request body is not a JSON object"));
    if (!record.authorized) return sendJson(res, 401, handler.errorBody(401, "Invalid API key provided."));

    const picked = isTitle ? undefined : (control?.pick(record) ?? options.replyFor?.(record));
    const queued = isTitle || picked ? undefined : queue.shift();
    const abort = new AbortController();
    answering += 1;
    res.on("close", () => {
      answering -= 1;
      if (res.writableFinished) return;
      record.aborted = true;
      abort.abort();
    });
    const reply = isTitle
      ? [{ text: options.title ?? DEFAULT_TITLE }]
      : (picked ?? queued ?? options.defaultReply ?? DEFAULT_REPLY);
    const plan = planReply(reply, Buffer.byteLength(rawBody));
    const ctx = { body, url, model: record.model ?? "scripted", options };
    await playReply(res, abort.signal, handler, ctx, plan, record.stream, titleSeen);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error) } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = http.address() as AddressInfo;

  const server: ScriptedModelServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    expectedKey: options.expectedKey,
    models: options.models ?? DEFAULT_MODELS,
    get queued() {
      return queue.length;
    },
    get answering() {
      return answering;
    },
    enqueue(...replies) {
      queue.push(...replies);
    },
    waitForRequests(n) {
      if (mainCount >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    close() {
      return new Promise((resolve, reject) => {
        http.close((error) => (error ? reject(error) : resolve()));
        // Hanging streams and keep-alive sockets would otherwise hold close() open forever.
        http.closeAllConnections();
      });
    },
  };
  if (options.control) {
    control = createScriptControl({
      enqueue: server.enqueue,
      get queued() {
        return queue.length;
      },
      requests,
      clearQueue: () => queue.splice(0),
    });
  }
  return server;
}
