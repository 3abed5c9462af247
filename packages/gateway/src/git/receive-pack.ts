// The head of a push (`POST …/git-receive-pack`, protocol v0/v1; v2 has no push): the ref updates
// the client asks for, read before anything is forwarded so the gateway can refuse them. Only the
// pkt-lines up to the first flush are read (the pack that follows may be large and is never looked
// at), and what was read is handed back in front of the untouched rest, so the remote receives the
// exact bytes the client sent. Framing: gitprotocol-common(5) "pkt-line Format" and
// gitprotocol-pack(5) "Reference Update Request and Packfile Transfer".
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

/** What may be read (after gzip) before the flush that ends the ref updates. */
export const MAX_PUSH_HEAD_BYTES = 1024 * 1024;

/** pkt-len counts its own 4 bytes; git never sends more than this (LARGE_PACKET_MAX). */
const MAX_PKT_LEN = 65520;

export interface PushCommand {
  oldOid: string;
  newOid: string;
  /** As sent, e.g. `refs/heads/studio/x`; not yet checked against git's ref-name rules. */
  ref: string;
}

export interface PushHead {
  /** In the order sent; empty for git's probe (a body of just `0000`, sent before a large push). */
  commands: PushCommand[];
  /** From the first command, e.g. `report-status`, `side-band-64k`, `agent=git/2.39.5`. */
  capabilities: string[];
  /** `shallow <oid>` lines: the pusher's shallow boundary, which receive-pack checks itself. */
  shallow: string[];
  /** The whole request body as received (still gzip-encoded if it was), from its first byte. */
  body: Readable;
}

export type ReceivePackErrorCode =
  | "malformed"
  | "too-large"
  | "truncated"
  | "push-cert"
  | "unsupported-encoding"
  | "bad-gzip";

/** A push the reader will not pass on; `message` is fit to show to whoever pushed. */
export class ReceivePackError extends Error {
  override name = "ReceivePackError";
  /** The client's capabilities, or null if the error came before they were read. */
  capabilities: string[] | null = null;
  constructor(
    readonly code: ReceivePackErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ReadPushOptions {
  /** The request's `Content-Encoding` header: absent/identity, or gzip (git's own word for it). */
  contentEncoding?: string | string[] | undefined;
  maxBytes?: number;
}

// Lower-case hex only: git writes it so, and one spelling per id keeps the zero-id test exact.
const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
// Fatal: a ref name that is not UTF-8 is refused rather than compared in a lossy decoding.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads the ref updates at the head of a receive-pack body, leaving `source` paused after them.
 * Throws a ReceivePackError for bodies git would not send (or the limit); `source` is then left
 * paused with its data unread, for the caller to drain or destroy. Either way the reader's own
 * 'error' listener is gone: the caller's (or the replay's, once read) must take over.
 */
export async function readPushHead(source: Readable, options: ReadPushOptions = {}): Promise<PushHead> {
  const gzip = isGzip(options.contentEncoding);
  const parser = new HeadParser(options.maxBytes ?? MAX_PUSH_HEAD_BYTES);
  const consumed: Buffer[] = [];

  await new Promise<void>((resolve, reject) => {
    const gunzip = gzip ? createGunzip() : null;
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      source.pause();
      source.off("data", onData);
      source.off("end", onEnd);
      source.off("error", onError);
      if (gunzip) {
        gunzip.off("data", onDecoded);
        gunzip.on("error", () => {});
        gunzip.destroy();
      }
      if (error === undefined) return resolve();
      if (error instanceof ReceivePackError) error.capabilities = parser.capabilitiesRead();
      reject(error);
    };
    const onDecoded = (chunk: Buffer) => {
      try {
        if (parser.push(chunk)) finish();
      } catch (error) {
        finish(error);
      }
    };
    const onData = (chunk: Buffer) => {
      consumed.push(chunk);
      // Backpressure: no more is read than gunzip has taken, so what is held stays near the bound.
      if (gunzip) {
        if (!gunzip.write(chunk)) {
          source.pause();
          gunzip.once("drain", () => settled || source.resume());
        }
      } else onDecoded(chunk);
    };
    const truncated = () =>
      finish(new ReceivePackError("truncated", "The push ended before its list of ref updates did."));
    const onEnd = () => (gunzip ? gunzip.end() : truncated());
    const onError = (error: unknown) => finish(error);
    if (gunzip) {
      gunzip.on("data", onDecoded);
      gunzip.on("end", truncated);
      gunzip.on("error", () => finish(new ReceivePackError("bad-gzip", "The push body is not valid gzip.")));
    }
    source.on("data", onData);
    source.on("end", onEnd);
    source.on("error", onError);
    source.resume();
  });

  return { ...parser.result(), body: replay(consumed, source) };
}

function isGzip(header: string | string[] | undefined): boolean {
  const value = (Array.isArray(header) ? header.join(",") : (header ?? "")).trim().toLowerCase();
  if (value === "" || value === "identity") return false;
  // git-http-backend takes exactly these two; anything stacked or else is not from git.
  if (value === "gzip" || value === "x-gzip") return true;
  throw new ReceivePackError("unsupported-encoding", `Unsupported Content-Encoding for a push: ${value}`);
}

/** The bytes already read, then the rest of `source` as it comes (with its backpressure). */
function replay(consumed: Buffer[], source: Readable): Readable {
  async function* bytes() {
    yield* consumed;
    consumed = [];
    yield* source;
  }
  return Readable.from(bytes(), { objectMode: false });
}

const malformed = (why: string) => new ReceivePackError("malformed", `Malformed push request: ${why}.`);

/** Incremental pkt-line reader for the update requests; `push` is true once the flush was read. */
class HeadParser {
  private buffered: Buffer = Buffer.alloc(0);
  private total = 0;
  private done = false;
  private readonly commands: PushCommand[] = [];
  private readonly shallow: string[] = [];
  private capabilities: string[] = [];
  private sawCapabilities = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): boolean {
    if (this.done) return true;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const lengthText = this.buffered.subarray(0, 4).toString("latin1");
      if (!/^[0-9a-fA-F]{4}$/.test(lengthText)) throw malformed("bad pkt-line length");
      const length = Number.parseInt(lengthText, 16);
      if (length === 0) {
        this.count(4);
        this.done = true;
        this.buffered = Buffer.alloc(0);
        return true;
      }
      // 0001/0002 (delim, response-end) exist only in protocol v2, which has no push; 0004 is empty.
      if (length <= 4) throw malformed(`unexpected pkt-line ${lengthText}`);
      if (length > MAX_PKT_LEN) throw malformed("pkt-line too long");
      if (this.buffered.length < length) break;
      this.count(length);
      this.line(this.buffered.subarray(4, length));
      this.buffered = this.buffered.subarray(length);
    }
    // A partial pkt-line counts too, or a client could hold a lot unparsed just under the bound.
    if (this.total + this.buffered.length > this.maxBytes) throw this.tooLarge();
    return false;
  }

  capabilitiesRead(): string[] | null {
    return this.sawCapabilities ? this.capabilities : null;
  }

  result() {
    return { commands: this.commands, capabilities: this.capabilities, shallow: this.shallow };
  }

  private count(bytes: number) {
    this.total += bytes;
    if (this.total > this.maxBytes) throw this.tooLarge();
  }

  private tooLarge() {
    return new ReceivePackError("too-large", `The push updates too many refs (over ${this.maxBytes} bytes).`);
  }

  private readCapabilities(bytes: Buffer) {
    this.capabilities = splitCapabilities(bytes);
    this.sawCapabilities = true;
  }

  private line(payload: Buffer) {
    // receive-pack strips one trailing LF from every pkt-line (PACKET_READ_CHOMP_NEWLINE); so do we.
    const data = payload.at(-1) === 0x0a ? payload.subarray(0, -1) : payload;
    const nul = data.indexOf(0);
    const text = decode(nul >= 0 ? data.subarray(0, nul) : data);
    if (text.startsWith("shallow ")) {
      const oid = text.slice(8);
      if (nul >= 0 || !OID.test(oid)) throw malformed("bad shallow line");
      this.shallow.push(oid);
      return;
    }
    if (text === "push-cert") {
      if (nul >= 0) this.readCapabilities(data.subarray(nul + 1));
      // Signed pushes carry their commands inside the certificate, which the remote verifies
      // against its own nonce; the studio does not take part in that, so they are not supported.
      throw new ReceivePackError(
        "push-cert",
        "Signed pushes (git push --signed) are not supported through the studio.",
      );
    }
    if (nul >= 0) {
      if (this.commands.length > 0) throw malformed("capabilities after the first command");
      this.readCapabilities(data.subarray(nul + 1));
    }
    // A first command without capabilities asks for none (no report-status, no side-band).
    if (this.commands.length === 0) this.sawCapabilities = true;
    const first = text.indexOf(" ");
    const second = text.indexOf(" ", first + 1);
    if (first < 0 || second < 0) throw malformed("expected <old-oid> <new-oid> <ref>");
    const oldOid = text.slice(0, first);
    const newOid = text.slice(first + 1, second);
    const ref = text.slice(second + 1);
    if (!OID.test(oldOid) || oldOid.length !== newOid.length || !OID.test(newOid))
      throw malformed("expected <old-oid> <new-oid> <ref>");
    const expected = this.commands[0]?.oldOid.length;
    if (expected !== undefined && expected !== oldOid.length) throw malformed("object ids of mixed lengths");
    if (ref === "") throw malformed("empty ref name");
    this.commands.push({ oldOid, newOid, ref });
  }
}

function decode(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw malformed("not UTF-8");
  }
}

function splitCapabilities(bytes: Buffer): string[] {
  return decode(bytes)
    .split(" ")
    .filter((capability) => capability !== "");
}
