// One SSE `data:` payload → the typed item the consumer receives. Classification follows
// sandbox-agent's own rule (see jsonrpc.ts); `_adapter/agent_exited` is sandbox-agent's own
// notification that the agent process ended, lifted into its own item type.
import { classify, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse } from "./jsonrpc.ts";
import type { AcpInbound } from "./types.ts";

/** null when the payload is not JSON-RPC (the caller logs it). Responses get `method: null`. */
export function parseInbound(eventId: string, data: string): AcpInbound | null {
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return null;
  }
  switch (classify(message)) {
    case "response": {
      const response = message as JsonRpcResponse;
      const { id, result, error } = response;
      return { type: "response", eventId, id, method: null, result, error, message: response };
    }
    case "request": {
      const request = message as JsonRpcRequest;
      const { id, method, params } = request;
      return { type: "request", eventId, id, method, params, message: request };
    }
    case "notification": {
      const notification = message as JsonRpcNotification;
      const { method, params } = notification;
      if (method === "_adapter/agent_exited") {
        const p = (typeof params === "object" && params !== null ? params : {}) as Record<string, unknown>;
        const exitCode = typeof p.code === "number" ? p.code : null;
        return {
          type: "agent_exited",
          eventId,
          exitCode,
          success: p.success === true,
          message: notification,
        };
      }
      return { type: "notification", eventId, method, params, message: notification };
    }
    default:
      return null;
  }
}
