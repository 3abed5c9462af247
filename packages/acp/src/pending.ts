// The client's in-flight JSON-RPC requests, keyed by id. Each response can arrive twice (POST
// body and SSE); the first settles the request and the second finds nothing to do. Timeouts and
// caller aborts settle it too, and every way of settling releases the timer and abort listener.
import { AcpRpcError, AcpTimeoutError } from "./errors.ts";
import { idKey, type JsonRpcId, type JsonRpcResponse } from "./jsonrpc.ts";

interface Entry {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface OpenOptions {
  method: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called once when the request settles, however it settles. */
  onSettled(): void;
}

export class PendingRequests {
  readonly #entries = new Map<string, Entry>();
  /** Methods sent under ids whose SSE copy has not been seen yet, to label that copy. */
  readonly #labels = new Map<string, string>();

  open(id: JsonRpcId, options: OpenOptions): Promise<unknown> {
    const key = idKey(id);
    const { method, timeoutMs, signal } = options;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new AcpTimeoutError(`${method} got no response in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onAbort = () => fail(signal?.reason ?? new DOMException("aborted", "AbortError"));
      const release = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#entries.delete(key);
        options.onSettled();
      };
      const fail = (error: unknown) => {
        release();
        reject(error);
      };
      const succeed = (value: unknown) => {
        release();
        resolve(value);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#entries.set(key, { resolve: succeed, reject: fail });
      this.#labels.set(key, method);
    });
  }

  /** Settles the request a response answers, if it is still pending. */
  settle(message: JsonRpcResponse): void {
    const entry = this.#entries.get(idKey(message.id));
    if (!entry) return;
    if (message.error)
      entry.reject(new AcpRpcError(message.error.code, message.error.message, message.error.data));
    else entry.resolve(message.result);
  }

  /** The method this client sent under `id` (once: the SSE copy is seen once), or null. */
  takeLabel(id: JsonRpcId | null): string | null {
    const key = idKey(id);
    const method = this.#labels.get(key) ?? null;
    this.#labels.delete(key);
    return method;
  }

  reject(id: JsonRpcId, error: unknown): void {
    this.#entries.get(idKey(id))?.reject(error);
  }

  rejectAll(error: unknown): void {
    for (const entry of [...this.#entries.values()]) entry.reject(error);
  }
}
