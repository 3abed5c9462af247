// The parent's side of the clients' process (clients-process.ts): starts it, asks it to subscribe
// (or to call the model gateway), waits until it is ready, then collects what it saw.
import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";

/** When a subscriber had `length` characters of the reply (CLOCK_MONOTONIC ms). */
export interface TextArrival {
  at: number;
  length: number;
}

/** One model call's time to first byte and total time (ms). */
export interface CallTiming {
  ttfb: number;
  total: number;
}

/** One call each way: to the provider directly, through a bare proxy, through the gateway. */
export interface GatewayRound {
  direct: CallTiming;
  bareProxy: CallTiming;
  gateway: CallTiming;
}

/** [index of the session, the event's `usedTokens` (its number), when it arrived]. */
export type DeliveryArrival = [number, number, number];

interface Studio {
  url: string;
  token: string;
}

export type ClientRequest =
  | (Studio & {
      kind: "relay";
      sessionId: string;
      lastEventId: string;
      agentUrl: string;
      /** Null when sandbox-agent is reached through its private socket (`agentSocket`). */
      agentToken: string | null;
      agentSocket: string | null;
      agentCursor: string | null;
    })
  | (Studio & {
      kind: "gateway";
      directUrl: string;
      /** A pass-through proxy in the studio's process with nothing of the gateway but its transport. */
      bareProxyUrl: string;
      gatewayUrl: string;
      warmupRounds: number;
      rounds: number;
      sustainedCalls: number;
      concurrency: number;
    })
  | (Studio & {
      kind: "fanout";
      sessionIds: string[];
      subscribers: number;
      expected: number;
      timeoutMs: number;
    });

export type ClientReply =
  | { kind: "up" }
  | { kind: "ready" }
  | { kind: "relay"; direct: TextArrival[]; secondDirect: TextArrival[]; studio: TextArrival[] }
  | { kind: "fanout"; arrivals: DeliveryArrival[]; cpuSeconds: number }
  | {
      kind: "gateway";
      rounds: GatewayRound[];
      directCallsPerSecond: number;
      gatewayCallsPerSecond: number;
    }
  | { kind: "error"; message: string };

export interface ClientsProcess {
  /** Sends the request; resolves once every stream is open, with a promise of the results. */
  start<K extends ClientRequest["kind"]>(
    request: Extract<ClientRequest, { kind: K }>,
  ): Promise<{ results: Promise<Extract<ClientReply, { kind: K }>> }>;
  close(): void;
}

export async function startClientsProcess(): Promise<ClientsProcess> {
  const child: ChildProcess = fork(path.join(import.meta.dirname, "clients-process.ts"), {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = (): Promise<ClientReply> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the clients' process exited (${code})`));
      child.once("exit", onExit);
      child.once("message", (reply: ClientReply) => {
        child.off("exit", onExit);
        if (reply.kind === "error") reject(new Error(reply.message));
        else resolve(reply);
      });
    });
  await next(); // up
  return {
    async start(request) {
      const ready = next();
      child.send(request);
      await ready;
      return { results: next() as Promise<never> };
    },
    close: () => child.kill(),
  };
}
