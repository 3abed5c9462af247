// The benchmark's clients (subscribers, and the sandbox's side of model calls), in a process of their
// own (started by clients.ts): the studio's process then runs only the studio, as in production
// where browsers and sandboxes are elsewhere, and the clients' own work does not queue behind the
// work being measured. The relay's direct and studio subscribers share this process and one SSE
// reader, so they pay the same costs. Times are
// CLOCK_MONOTONIC (`now()`), the same clock in every process on the machine.
import { setMaxListeners } from "node:events";
import type {
  CallTiming,
  ClientReply,
  ClientRequest,
  DeliveryArrival,
  GatewayRound,
  TextArrival,
} from "./clients.ts";
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

/** A direct consumer of the agent's stream (resuming after what the runner already stored). */
function followAgentText(
  request: Extract<ClientRequest, { kind: "relay" }>,
  arrivals: TextArrival[],
  signal: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const headers: Record<string, string> = request.agentToken
      ? { authorization: `Bearer ${request.agentToken}` }
      : {};
    if (request.agentCursor) headers["last-event-id"] = request.agentCursor;
    let length = 0;
    const onMessage = ({ data }: SseMessage) => {
      const message = JSON.parse(data);
      const update = message?.params?.update;
      if (message.method === "session/update" && update?.sessionUpdate === "agent_message_chunk") {
        length += String(update.content?.text ?? "").length;
        arrivals.push({ at: now(), length });
      }
    };
    readSse(request.agentUrl, headers, onMessage, signal, resolve, request.agentSocket ?? undefined).catch(
      reject,
    );
  });
}

async function relay(request: Extract<ClientRequest, { kind: "relay" }>) {
  const direct: TextArrival[] = [];
  const secondDirect: TextArrival[] = [];
  const studio: TextArrival[] = [];
  let studioLength = 0;
  const abort = new AbortController();
  let end: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    end = resolve;
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
  await Promise.all([
    followAgentText(request, direct, abort.signal),
    // An identical second one: how far apart sandbox-agent's own connections are is the floor of
    // what this comparison can resolve.
    followAgentText(request, secondDirect, abort.signal),
    studioOpen,
  ]);
  send({ kind: "ready" });
  await ended;
  await new Promise((resolve) => setTimeout(resolve, 200)); // stragglers of the direct streams
  abort.abort();
  send({ kind: "relay", direct, secondDirect, studio });
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
  // An event's number: a `usage` event's `usedTokens`, or the `#<n>` a text chunk starts with.
  const onData = (session: number) => (event: { type: string; [field: string]: unknown }) => {
    const index =
      event.type === "usage"
        ? Number(event.usedTokens)
        : event.type === "agent_message_chunk"
          ? Number.parseInt(String(event.text).slice(1), 10)
          : Number.NaN;
    if (Number.isNaN(index)) return;
    arrivals.push([session, index, now()]);
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

/**
 * A body the size and shape of OpenCode's turn calls (about 26 KB in the recorded transcripts: a
 * long system prompt, a dozen tool schemas, the conversation), so the gateway's reading of it costs
 * what it costs in use.
 */
const CALL_BODY = JSON.stringify({
  model: "scripted-1",
  max_tokens: 32000,
  stream: true,
  stream_options: { include_usage: true },
  messages: [
    { role: "system", content: "You are a coding agent working in the user's workspace. ".repeat(160) },
    { role: "user", content: "Add a test for the parser and run it." },
  ],
  tools: Array.from({ length: 12 }, (_, index) => ({
    type: "function",
    function: {
      name: `tool_${index}`,
      description: "Runs one of the agent's operations on the workspace and reports the outcome. ".repeat(12),
      parameters: {
        type: "object",
        properties: {
          path: { type: "string", description: "A path inside the workspace." },
          content: { type: "string", description: "What to write, or the command to run." },
          timeout: { type: "number", description: "Milliseconds before giving up." },
        },
        required: ["path"],
      },
    },
  })),
  tool_choice: "auto",
});

/** A streamed chat-completions call, as OpenCode makes them, read to the end. */
async function timedCall(url: string, token: string): Promise<CallTiming> {
  const started = now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: CALL_BODY,
  });
  const reader = response.body!.getReader();
  let firstByte = Number.NaN;
  for (;;) {
    const { done } = await reader.read();
    if (Number.isNaN(firstByte)) firstByte = now() - started;
    if (done) break;
  }
  if (response.status !== 200) throw new Error(`call failed with ${response.status}`);
  return { ttfb: firstByte, total: now() - started };
}

async function callsPerSecond(total: number, concurrency: number, call: () => Promise<unknown>) {
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        await call();
      }
    }),
  );
  return total / ((now() - started) / 1000);
}

/** The three ways of making the same call. */
const CALL_PATHS = ["direct", "bareProxy", "gateway"] as const;

/** The paths in a random order (Fisher–Yates). */
function shuffledPaths() {
  const order = [...CALL_PATHS];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * Rounds of one call each way, in a random order each round: drift, and whatever a call leaves
 * behind in the studio for the next one (its metering, its ledger write), fall on every path alike.
 * Then sustained calls each way.
 */
async function gateway(request: Extract<ClientRequest, { kind: "gateway" }>) {
  send({ kind: "ready" });
  const { token } = request;
  const urls = { direct: request.directUrl, bareProxy: request.bareProxyUrl, gateway: request.gatewayUrl };
  const round = async () => {
    const timings: Partial<GatewayRound> = {};
    for (const path of shuffledPaths()) timings[path] = await timedCall(urls[path], token);
    return timings as GatewayRound;
  };
  for (let i = 0; i < request.warmupRounds; i++) await round();
  const rounds: GatewayRound[] = [];
  for (let i = 0; i < request.rounds; i++) rounds.push(await round());
  const { sustainedCalls, concurrency } = request;
  const directCallsPerSecond = await callsPerSecond(sustainedCalls, concurrency, () =>
    timedCall(urls.direct, token),
  );
  const gatewayCallsPerSecond = await callsPerSecond(sustainedCalls, concurrency, () =>
    timedCall(urls.gateway, token),
  );
  send({ kind: "gateway", rounds, directCallsPerSecond, gatewayCallsPerSecond });
}

process.on("message", (request: ClientRequest) => {
  const run =
    request.kind === "relay"
      ? relay(request)
      : request.kind === "fanout"
        ? fanout(request)
        : gateway(request);
  run.catch((error: Error) => send({ kind: "error", message: error.stack ?? error.message }));
});
send({ kind: "up" });
