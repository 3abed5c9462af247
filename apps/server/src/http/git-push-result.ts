// Which refs a push really updated, read from the remote's answer as it streams to the client: the
// report-status (gitprotocol-pack(5) "Report Status"; `unpack ok`, then `ok <ref>` or
// `ng <ref> <reason>` per command), inside side-band 1 when the client asked for side-band. Only
// what is needed is kept (the status lines, bounded); progress on band 2 is skipped.

/** Enough for thousands of status lines; a remote that says more is not believed. */
const MAX_STATUS_BYTES = 256 * 1024;

export interface PushResult {
  unpackOk: boolean;
  /** Refs the remote reported as updated (`ok <ref>`). */
  updated: string[];
  /** Whether a complete report was read (its flush seen). */
  complete: boolean;
}

/** Incremental reader of pkt-lines, for the outer stream and (with side-band) the band-1 stream. */
class PktReader {
  private buffered: Buffer = Buffer.alloc(0);
  failed = false;

  constructor(
    private readonly onLine: (payload: Buffer) => void,
    private readonly onFlush: () => void,
  ) {}

  push(chunk: Buffer) {
    if (this.failed) return;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const length = Number.parseInt(this.buffered.subarray(0, 4).toString("latin1"), 16);
      if (!Number.isInteger(length) || (length > 0 && length < 4)) {
        this.failed = true;
        return;
      }
      if (length === 0) {
        this.buffered = this.buffered.subarray(4);
        this.onFlush();
        continue;
      }
      if (this.buffered.length < length) break;
      this.onLine(this.buffered.subarray(4, length));
      this.buffered = this.buffered.subarray(length);
    }
    if (this.buffered.length > MAX_STATUS_BYTES) this.failed = true;
  }
}

/**
 * Follows a receive-pack response. `sideBand`: the client asked for side-band(-64k), so the report
 * arrives as band-1 packets. `result()` may be called at any time; `complete` says whether the
 * report's flush was seen.
 */
export function pushResultReader(sideBand: boolean) {
  const result: PushResult = { unpackOk: false, updated: [], complete: false };
  let statusBytes = 0;

  const status = new PktReader(
    (payload) => {
      if (result.complete) return;
      statusBytes += payload.length;
      if (statusBytes > MAX_STATUS_BYTES) return;
      const line = payload.toString("utf8").replace(/\n$/, "");
      if (line === "unpack ok") result.unpackOk = true;
      else if (line.startsWith("ok ")) result.updated.push(line.slice(3));
    },
    () => {
      result.complete = true;
    },
  );
  const outer = sideBand
    ? new PktReader(
        (payload) => {
          if (payload[0] === 1) status.push(payload.subarray(1));
        },
        () => {},
      )
    : null;

  return {
    push(chunk: Buffer) {
      if (outer) outer.push(chunk);
      else status.push(chunk);
    },
    result(): PushResult {
      const failed = status.failed || outer?.failed === true;
      return failed ? { unpackOk: false, updated: [], complete: false } : result;
    },
  };
}
