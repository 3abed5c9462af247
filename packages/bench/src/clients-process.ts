// The benchmark's subscribers, in a process of their own (started by clients.ts): the studio's
// process then runs only the studio, as in production where browsers are elsewhere, and the
// subscribers' own work does not queue behind the work being measured. The relay's direct and
// studio subscribers share this process and one SSE reader, so they pay the same costs. Times are
// CLOCK_MONOTONIC (`now()`), the same clock in every process on the machine.
import { setMaxListeners } from "node:events";
import type { ClientReply, ClientRequest, DeliveryArrival, TextArrival } from "./clients.ts";
import { readSse, type SseMessage, studioEventsUrl } from "./sse.ts";
import { now } from "./stats.ts";

const send = (reply: ClientReply) => process.send?.(reply);

/** Follows a session's events over the studio's real SSE subscription; resolves once it is live. */
function subscribe(
  request: { url: string; token: string },
  sessionId: string,
  lastEventId: string | null,
  onData: (event: { type: string; [field: string]: unknown }) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: SseMessage) => {
      // tRPC's own events: `connected` once the procedure accepted the subscription, then pings.
      if (message.event === "connected") resolve();
      else if (message.event === undefined) onData(JSON.parse(message.data).json);
      else if (message.event === "serialized-error") reject(new Error(message.data));
    };
    const url = studioEventsUrl(request.url, sessionId, lastEventId);
    readSse(url, { authorization: `Bearer ${request.token}` }, onMessage, signal).catch(reject);
  });
}

async function relay(request: Extract<ClientRequest, { kind: "relay" }>) {
  const direct: TextArrival[] = [];
  const studio: TextArrival[] = [];
  let directLength = 0;
  let studioLength = 0;
  const abort = new AbortController();
  let end: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    end = resolve;
  });
  // A second consumer of the agent's stream, resuming after what the runner already stored.
  const directOpen = new Promise<void>((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${request.agentToken}` };
    if (request.agentCursor) headers["last-event-id"] = request.agentCursor;
    const onMessage = ({ data }: SseMessage) => {
      const message = JSON.parse(data);
      const update = message?.params?.update;
      if (message.method === "session/update" && update?.sessionUpdate === "agent_message_chunk") {
        directLength += String(update.content?.text ?? "").length;
        direct.push({ at: now(), length: directLength });
      }
    };
    readSse(request.agentUrl, headers, onMessage, abort.signal, resolve).catch(reject);
  });
  const studioOpen = subscribe(
    request,
    request.sessionId,
    request.lastEventId,
    (event) => {
      if (event.type === "agent_message_chunk") {
        studioLength += String(event.text).length;
        studio.push({ at: now(), length: studioLength });
      }
      if (event.type === "turn_ended") end();
    },
    abort.signal,
  );
  await Promise.all([directOpen, studioOpen]);
  send({ kind: "ready" });
  await ended;
  await new Promise((resolve) => setTimeout(resolve, 200)); // stragglers of the direct stream
  abort.abort();
  send({ kind: "relay", direct, studio });
}

async function fanout(request: Extract<ClientRequest, { kind: "fanout" }>) {
  const arrivals: DeliveryArrival[] = [];
  let cpu: NodeJS.CpuUsage = process.cpuUsage();
  const abort = new AbortController();
  // One signal ends every stream: a listener each, on purpose.
  setMaxListeners(request.sessionIds.length * request.subscribers + 1, abort.signal);
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const onData = (session: number) => (event: { type: string; [field: string]: unknown }) => {
    if (event.type !== "usage") return;
    arrivals.push([session, Number(event.usedTokens), now()]);
    if (arrivals.length === request.expected) finish();
  };
  await Promise.all(
    request.sessionIds.flatMap((sessionId, session) =>
      Array.from({ length: request.subscribers }, () =>
        subscribe(request, sessionId, null, onData(session), abort.signal),
      ),
    ),
  );
  send({ kind: "ready" });
  cpu = process.cpuUsage();
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, request.timeoutMs))]);
  abort.abort();
  cpu = process.cpuUsage(cpu);
  send({ kind: "fanout", arrivals, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
}

process.on("message", (request: ClientRequest) => {
  const run = request.kind === "relay" ? relay(request) : fanout(request);
  run.catch((error: Error) => send({ kind: "error", message: error.stack ?? error.message }));
});
send({ kind: "up" });
