// JSON-RPC 2.0 shapes as ACP uses them, and the classification rule sandbox-agent itself applies:
// a message with `method` is a request (with `id`) or a notification (without); a message with
// `id` and no `method` is a response. The agent numbers its own requests 0, 1, ... so an id alone
// never says whose message it is.

export type JsonRpcId = number | string;

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: JsonRpcId;
  method: string;
  params?: unknown;
}

export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: unknown;
}

export interface JsonRpcResponse {
  jsonrpc: "2.0";
  id: JsonRpcId | null;
  result?: unknown;
  error?: JsonRpcErrorObject;
}

export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export type MessageKind = "request" | "notification" | "response" | "invalid";

export function classify(message: unknown): MessageKind {
  if (typeof message !== "object" || message === null || Array.isArray(message)) return "invalid";
  const m = message as Record<string, unknown>;
  if (typeof m.method === "string") return "id" in m && m.id !== undefined ? "request" : "notification";
  if ("id" in m && ("result" in m || "error" in m)) return "response";
  return "invalid";
}

/** Map key for an id: 1 and "1" are different JSON-RPC ids, as they are to sandbox-agent. */
export function idKey(id: JsonRpcId | null): string {
  return JSON.stringify(id);
}
