// A small HTTP control surface for the scripted model server, for tests that run in another
// process than the server (Playwright workers): queue replies, read what arrived, start over.
//
//   POST /_control/enqueue  {"replies": ScriptedReply[], "match"?: string}
//   GET  /_control/requests  every recorded main and title request (rawBody left out);
//                            ?match=<marker>: only those whose body carries it (one test's own)
//   GET  /_control/state     {"queued": n, "keyed": {"<match>": n}}
//   POST /_control/reset     empties every queue and the request log
//
// Replies given a `match` string answer only requests whose body contains it (e.g. a marker in the
// prompt), so tests in parallel never take each other's replies. OpenCode resends the whole
// conversation on each call, so when several markers appear the one written last wins.
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./driver.ts";
import type { RecordedRequest, ScriptedReply } from "./types.ts";

export const CONTROL_PREFIX = "/_control/";

export interface ControlTarget {
  enqueue(...replies: ScriptedReply[]): void;
  readonly queued: number;
  requests: RecordedRequest[];
  /** Drops the replies queued with `enqueue`. */
  clearQueue(): void;
}

export interface ScriptControl {
  /** Answers a control request; false when the path is not a control path. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, rawBody: string): boolean;
  /** The keyed reply for a main request, if one of the queued markers is in its body. */
  pick(record: RecordedRequest): ScriptedReply | undefined;
}

const isReply = (value: unknown): value is ScriptedReply =>
  Array.isArray(value) ||
  (!!value && typeof value === "object" && Array.isArray((value as { steps?: unknown }).steps));

function parseEnqueue(raw: string): { replies: ScriptedReply[]; match: string | undefined } | string {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return "The body is not JSON.";
  }
  if (!body || typeof body !== "object") return "The body must be an object.";
  const { replies, match } = body as { replies?: unknown; match?: unknown };
  if (!Array.isArray(replies) || replies.length === 0 || !replies.every(isReply)) {
    return "`replies` must be a non-empty list of scripted replies.";
  }
  if (match !== undefined && (typeof match !== "string" || match === "")) {
    return "`match` must be a non-empty string.";
  }
  return { replies, match };
}

const summary = ({ rawBody: _raw, body: _body, ...rest }: RecordedRequest) => rest;

export function createScriptControl(target: ControlTarget): ScriptControl {
  const keyed = new Map<string, ScriptedReply[]>();

  return {
    handle(req, res, url, rawBody) {
      if (!url.pathname.startsWith(CONTROL_PREFIX)) return false;
      const action = `${req.method} ${url.pathname.slice(CONTROL_PREFIX.length)}`;
      switch (action) {
        case "POST enqueue": {
          const parsed = parseEnqueue(rawBody);
          if (typeof parsed === "string") {
            sendJson(res, 400, { error: parsed });
            return true;
          }
          if (parsed.match === undefined) target.enqueue(...parsed.replies);
          else keyed.set(parsed.match, [...(keyed.get(parsed.match) ?? []), ...parsed.replies]);
          sendJson(res, 200, { ok: true });
          return true;
        }
        case "GET requests": {
          const match = url.searchParams.get("match");
          const requests = match ? target.requests.filter((r) => r.rawBody.includes(match)) : target.requests;
          sendJson(res, 200, requests.map(summary));
          return true;
        }
        case "GET state":
          sendJson(res, 200, {
            queued: target.queued,
            keyed: Object.fromEntries([...keyed].map(([match, list]) => [match, list.length])),
          });
          return true;
        case "POST reset":
          keyed.clear();
          target.clearQueue();
          target.requests.length = 0;
          sendJson(res, 200, { ok: true });
          return true;
        default:
          sendJson(res, 404, { error: `No control action ${action}` });
          return true;
      }
    },

    pick(record) {
      let best: { match: string; at: number } | undefined;
      for (const [match, list] of keyed) {
        if (list.length === 0) continue;
        const at = record.rawBody.lastIndexOf(match);
        if (at >= 0 && (!best || at > best.at)) best = { match, at };
      }
      if (!best) return undefined;
      const list = keyed.get(best.match) ?? [];
      const reply = list.shift();
      if (list.length === 0) keyed.delete(best.match);
      return reply;
    },
  };
}
