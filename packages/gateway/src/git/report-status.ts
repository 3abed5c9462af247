// The answer a refusing gateway gives in place of the remote's, in receive-pack's own format so
// `git push` shows the reason for each ref (`! [remote rejected] main -> main (reason)`), prints the
// explanation as `remote: …`, and exits non-zero. Framing as receive-pack writes it (report() in
// builtin/receive-pack.c; gitprotocol-pack(5) "Report Status"): `unpack ok`, one `ng <ref> <reason>`
// per command, a flush; with side-band that whole buffer, inner flush included, goes out as band-1
// packets, followed by one outer flush. The HTTP status must be 200: git reads no body otherwise.

export interface GitResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface RefRefusal {
  ref: string;
  reason: string;
}

const HEADERS = {
  "content-type": "application/x-git-receive-pack-result",
  "cache-control": "no-cache",
};

/** The flush-pkt. */
const FLUSH = Buffer.from("0000");
/** pkt-len counts its own 4 bytes; git's LARGE_PACKET_MAX. */
const MAX_PKT_LEN = 65520;

/**
 * Refuses every command of a push. `refs` must name each command's ref exactly as the client sent
 * it (git matches the status lines to its refs by name). `message` goes on side-band 2, when the
 * client asked for side-band, and git prints each of its lines as `remote: …`.
 */
export function reportRefusal(
  capabilities: readonly string[],
  refs: readonly RefRefusal[],
  message?: string,
): GitResponse {
  const status = [pktLine("unpack ok\n")];
  // A reason is the rest of its line: no line breaks, nothing that would move the terminal.
  for (const { ref, reason } of refs) status.push(pktLine(`ng ${ref} ${oneLine(reason) || "refused"}\n`));
  status.push(FLUSH);
  const report = Buffer.concat(status);

  const band = sideBandSize(capabilities);
  if (band === null) return { status: 200, headers: { ...HEADERS }, body: report };
  const parts: Buffer[] = [];
  if (message) parts.push(...sideBand(2, Buffer.from(humanLines(message)), band));
  parts.push(...sideBand(1, report, band), FLUSH);
  return { status: 200, headers: { ...HEADERS }, body: Buffer.concat(parts) };
}

/**
 * Fails a push as a whole, for requests that could not be read (so there is no ref list to answer
 * for): on side-band 3 when the client asked for side-band (git 2.39 prints it as `remote: …`,
 * then "the remote end hung up unexpectedly"), else as an `ERR` pkt-line (`remote error: …`); git
 * stops on either and exits non-zero. `capabilities` null (not read): side-band-64k,
 * which git asks for whenever the remote offers it (an `ERR` line would read as a bad band).
 */
export function reportFatal(capabilities: readonly string[] | null, message: string): GitResponse {
  const band = sideBandSize(capabilities ?? ["side-band-64k"]);
  const text = oneLine(message) || "push refused";
  const body =
    band === null
      ? pktLine(`ERR ${text}\n`)
      : Buffer.concat([...sideBand(3, Buffer.from(`${text}\n`), band), FLUSH]);
  return { status: 200, headers: { ...HEADERS }, body };
}

/** A pkt-line: four hex digits of length (its own four bytes included), then the data. */
export function pktLine(data: string | Buffer): Buffer {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  const length = bytes.length + 4;
  if (length > MAX_PKT_LEN) throw new Error(`pkt-line too long: ${length}`);
  return Buffer.concat([Buffer.from(length.toString(16).padStart(4, "0")), bytes]);
}

/**
 * Data bytes per side-band packet (after the band byte): side-band-64k allows pkt-lines of
 * LARGE_PACKET_MAX (65520, so 65515 of data), plain side-band 1000 (995 of data); null without.
 */
function sideBandSize(capabilities: readonly string[]): number | null {
  if (capabilities.includes("side-band-64k")) return MAX_PKT_LEN - 5;
  if (capabilities.includes("side-band")) return 1000 - 5;
  return null;
}

function sideBand(band: 1 | 2 | 3, data: Buffer, size: number): Buffer[] {
  const packets: Buffer[] = [];
  for (let at = 0; at < data.length; at += size)
    packets.push(pktLine(Buffer.concat([Buffer.of(band), data.subarray(at, at + size)])));
  return packets;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes.
const CONTROL = /[\x00-\x1f\x7f]+/g;

function oneLine(text: string): string {
  return text.replace(CONTROL, " ").trim();
}

/** Line breaks kept (git prefixes each line with `remote: `), other control characters not. */
function humanLines(text: string): string {
  const lines = text.split(/\r?\n/).map((line) => line.replace(CONTROL, " ").trimEnd());
  return `${lines.join("\n").trimEnd()}\n`;
}
