// The top-level members of a JSON request body, found without parsing their values. A model call's
// body is tens to hundreds of kilobytes (system prompt, tool schemas, the whole conversation), and
// the gateway reads three small members of it; JSON.parse would build every message to read them.
// Strings, which are most of the bytes, are skipped with Buffer.indexOf (native memchr).

export interface Member {
  key: string;
  /** Byte offsets of the value: [start, end). */
  start: number;
  end: number;
}

export interface RootMembers {
  /** Offset of the root object's opening brace. */
  open: number;
  members: Member[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (byte: number | undefined) => byte === 32 || byte === 10 || byte === 13 || byte === 9;

function skipSpace(buf: Buffer, i: number): number {
  while (i < buf.length && isSpace(buf[i])) i++;
  return i;
}

/** Index just past the string whose opening quote is at `i`; -1 when it never closes. */
function skipString(buf: Buffer, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = buf.indexOf(QUOTE, from);
    if (quote === -1) return -1;
    let backslashes = 0;
    while (buf[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Index just past the value starting at `i`; -1 when it is cut off or its brackets do not match. */
function skipValue(buf: Buffer, i: number): number {
  const first = buf[i];
  if (first === QUOTE) return skipString(buf, i);
  if (first !== 0x7b && first !== 0x5b) {
    // A number, true, false or null: up to the next delimiter.
    let end = i;
    while (
      end < buf.length &&
      !isSpace(buf[end]) &&
      buf[end] !== 0x2c &&
      buf[end] !== 0x7d &&
      buf[end] !== 0x5d
    )
      end++;
    return end > i ? end : -1;
  }
  const closers: number[] = [];
  for (let at = i; at < buf.length; at++) {
    const byte = buf[at];
    if (byte === QUOTE) {
      at = skipString(buf, at) - 1;
      if (at < 0) return -1;
    } else if (byte === 0x7b) closers.push(0x7d);
    else if (byte === 0x5b) closers.push(0x5d);
    else if (byte === 0x7d || byte === 0x5d) {
      if (closers.pop() !== byte) return -1;
      if (closers.length === 0) return at + 1;
    }
  }
  return -1;
}

/**
 * The root object's members in order (a key given twice appears twice), or null when the body is
 * not a JSON object. The structure is checked (quotes, brackets, separators); the insides of
 * values are not, as the provider parses them anyway.
 */
export function rootMembers(buf: Buffer): RootMembers | null {
  const open = skipSpace(buf, 0);
  if (buf[open] !== 0x7b) return null;
  const members: Member[] = [];
  let i = skipSpace(buf, open + 1);
  if (buf[i] === 0x7d) return skipSpace(buf, i + 1) === buf.length ? { open, members } : null;
  for (;;) {
    if (buf[i] !== QUOTE) return null;
    const keyEnd = skipString(buf, i);
    if (keyEnd < 0) return null;
    let key: string;
    try {
      key = JSON.parse(buf.toString("utf8", i, keyEnd)) as string;
    } catch {
      return null;
    }
    const colon = skipSpace(buf, keyEnd);
    if (buf[colon] !== 0x3a) return null;
    const start = skipSpace(buf, colon + 1);
    const end = skipValue(buf, start);
    if (end < 0) return null;
    members.push({ key, start, end });
    i = skipSpace(buf, end);
    if (buf[i] === 0x7d) return skipSpace(buf, i + 1) === buf.length ? { open, members } : null;
    if (buf[i] !== 0x2c) return null;
    i = skipSpace(buf, i + 1);
  }
}

export const NO_VALUE = Symbol("no value");

/**
 * The value of a root member, parsed; `NO_VALUE` when it is absent or not valid JSON. A key given
 * more than once yields its last value, as JSON.parse (and so most providers) would read it.
 */
export function memberValue(buf: Buffer, root: RootMembers, key: string): unknown {
  const member = root.members.findLast((candidate) => candidate.key === key);
  if (!member) return NO_VALUE;
  try {
    return JSON.parse(buf.toString("utf8", member.start, member.end));
  } catch {
    return NO_VALUE;
  }
}

/** How many times the root object names `key`. */
export const memberCount = (root: RootMembers, key: string) =>
  root.members.filter((member) => member.key === key).length;
