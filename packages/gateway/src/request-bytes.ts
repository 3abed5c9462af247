// Request bodies are read whole (the model is read from them, the usage request written into them)
// and held until the call ends. Each may be up to 32 MiB, so without a limit a few sandboxes posting
// large bodies to a slow upstream (or trickling them in) could hold the studio's memory. The bytes
// held at once are capped for the whole gateway and for each account; a call over either cap is
// answered at once with a Retry-After, which the providers' SDKs (and so OpenCode) honour.
import type { IncomingMessage } from "node:http";
import { GatewayRefusal } from "./refusal.ts";

/** Prompts with long histories are large, but nothing a model takes comes near this. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

export interface RequestBytesLimits {
  /** Bytes of request bodies the gateway holds at once, across every caller. */
  total: number;
  /** Of which one account's sessions may hold. */
  perUser: number;
}

export const DEFAULT_REQUEST_BYTES: RequestBytesLimits = {
  total: 8 * MAX_REQUEST_BYTES,
  perUser: 2 * MAX_REQUEST_BYTES,
};

/** The connection is closed after these refusals, so the rest of the body is never read. */
const CLOSE = { connection: "close" };
const RETRY = { ...CLOSE, "retry-after": "1" };

export interface BodyHold {
  /** Holds `bytes` more; a refusal when that would go over a cap (nothing is held then). */
  grow(bytes: number): GatewayRefusal | null;
  /** Gives back everything held; once, however often it is called. */
  release(): void;
}

export class RequestBytes {
  private held = 0;
  private readonly heldByUser = new Map<string, number>();

  constructor(private readonly limits: RequestBytesLimits = DEFAULT_REQUEST_BYTES) {}

  /** The bytes in use now (tests, diagnostics). */
  get inUse(): number {
    return this.held;
  }

  hold(userId: string): BodyHold {
    let mine = 0;
    return {
      grow: (bytes) => {
        const user = this.heldByUser.get(userId) ?? 0;
        if (user + bytes > this.limits.perUser)
          return new GatewayRefusal(
            429,
            "This account's calls hold too much request data at once; try again shortly.",
            "rate_limit_error",
            RETRY,
          );
        if (this.held + bytes > this.limits.total)
          return new GatewayRefusal(
            503,
            "The studio's model gateway is busy; try again shortly.",
            "studio_gateway_error",
            RETRY,
          );
        mine += bytes;
        this.held += bytes;
        this.heldByUser.set(userId, user + bytes);
        return null;
      },
      release: () => {
        if (mine === 0) return;
        this.held -= mine;
        const left = (this.heldByUser.get(userId) ?? 0) - mine;
        if (left > 0) this.heldByUser.set(userId, left);
        else this.heldByUser.delete(userId);
        mine = 0;
      },
    };
  }
}

const tooLarge = () => new GatewayRefusal(413, "The request is too large.", "studio_gateway_error", CLOSE);

/**
 * The whole body, held in `hold` as it arrives (all of a declared Content-Length at once, before
 * any of it is read). Throws a GatewayRefusal when it is too large or a cap is reached.
 */
export async function readBody(req: IncomingMessage, hold: BodyHold): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  let reserved = 0;
  if (Number.isSafeInteger(declared) && declared >= 0) {
    if (declared > MAX_REQUEST_BYTES) throw tooLarge();
    const refused = hold.grow(declared);
    if (refused) throw refused;
    reserved = declared;
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      const refused =
        size > MAX_REQUEST_BYTES ? tooLarge() : size > reserved ? hold.grow(size - reserved) : null;
      if (refused) {
        req.off("data", onData);
        req.pause();
        return reject(refused);
      }
      reserved = Math.max(reserved, size);
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks, size)));
    // The caller hung up mid-body: nobody is left to answer, but the call must end as refused.
    req.on("error", () =>
      reject(new GatewayRefusal(400, "The request was cut off.", "studio_gateway_error", CLOSE)),
    );
  });
}
