// A streaming JSON reader that reports each scalar with its path and keeps nothing else but the
// stack of keys: the gateway meters responses of any length (a Responses API `response.completed`
// event repeats the whole output; a non-streaming body is one big document) in constant memory.
// Strings are counted in full but kept only up to a short prefix, which is all that model names,
// event types and finish reasons need.

export type PathKey = string | number;
export type Scalar = string | number | boolean | null;

export interface JsonScanHandler {
  /**
   * A scalar at `path` (the same array is reused for every call: copy it to keep it). Strings come
   * cut to `maxString` characters, with `length` the full length (UTF-16 units, escapes decoded).
   */
  scalar(path: readonly PathKey[], value: Scalar, length: number): void;
  /** A scalar or container ended at `depth` (0: the root value is complete). */
  valueEnd(depth: number): void;
}

export interface JsonScannerOptions {
  /** Characters of a string or key kept (default 256). */
  maxString?: number;
  /** Deeper documents are rejected, so the key stack stays bounded too (default 64). */
  maxDepth?: number;
  /** Accept several root values in a row (newline-delimited JSON); otherwise a second one is an error. */
  multipleRoots?: boolean;
}

const VALUE = 0;
const VALUE_OR_CLOSE = 1; // just after `[`
const KEY_OR_CLOSE = 2; // just after `{`
const KEY = 3;
const COLON = 4;
const AFTER_VALUE = 5;
const STRING = 6;
const ESCAPE = 7;
const UNICODE = 8;
const NUMBER = 9;
const LITERAL = 10;
const DONE = 11;
const ERROR = 12;

const OBJECT = 0;
const ARRAY = 1;

// Number tokens and literals longer than this are not valid anyway.
const MAX_TOKEN = 64;
const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
const LITERALS: Record<string, Scalar> = { true: true, false: false, null: null };

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
const isNumberChar = (c: number) =>
  (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69;

export class JsonScanner {
  readonly #handler: JsonScanHandler;
  readonly #maxString: number;
  readonly #maxDepth: number;
  readonly #multipleRoots: boolean;
  #state = VALUE;
  readonly #kinds: number[] = [];
  readonly #path: PathKey[] = [];
  #rootIsArray = false;
  #string = "";
  #stringLength = 0;
  #stringIsKey = false;
  #unicode = "";
  #token = "";

  constructor(handler: JsonScanHandler, options: JsonScannerOptions = {}) {
    this.#handler = handler;
    this.#maxString = options.maxString ?? 256;
    this.#maxDepth = options.maxDepth ?? 64;
    this.#multipleRoots = options.multipleRoots ?? false;
  }

  /** The input was not JSON; everything after the error is ignored until reset(). */
  get failed(): boolean {
    return this.#state === ERROR;
  }

  /** Whether the current root value is an array (Google's non-SSE stream is one array of chunks). */
  get rootIsArray(): boolean {
    return this.#rootIsArray;
  }

  reset(): void {
    this.#state = VALUE;
    this.#kinds.length = 0;
    this.#path.length = 0;
    this.#rootIsArray = false;
    this.#token = "";
  }

  write(text: string): void {
    let i = 0;
    while (i < text.length && this.#state !== ERROR) {
      if (this.#state === STRING) {
        i = this.#stringRun(text, i);
        continue;
      }
      // Number and literal tokens end at the first character that is not theirs, which is then
      // read again in the next state.
      if (this.#step(text, i)) i++;
    }
  }

  // Plain characters up to the next quote or backslash in one go: strings are most of the bytes.
  #stringRun(text: string, start: number): number {
    let end = start;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (c === 34 || c === 92) break;
      end++;
    }
    if (end > start) this.#appendString(text.slice(start, Math.min(end, start + this.#room())), end - start);
    if (end < text.length) {
      if (text.charCodeAt(end) === 34) this.#endString();
      else this.#state = ESCAPE;
      return end + 1;
    }
    return end;
  }

  #room(): number {
    return Math.max(0, this.#maxString - this.#string.length);
  }

  #appendString(kept: string, length: number): void {
    if (kept) this.#string += kept;
    this.#stringLength += length;
  }

  /** Handles one character; false when it must be read again in the new state. */
  #step(text: string, i: number): boolean {
    const c = text.charCodeAt(i);
    const ch = text[i]!;
    switch (this.#state) {
      case ESCAPE: {
        if (ch === "u") {
          this.#unicode = "";
          this.#state = UNICODE;
          return true;
        }
        const decoded = ESCAPES[ch];
        if (decoded === undefined) return this.#fail();
        this.#appendString(this.#room() > 0 ? decoded : "", 1);
        this.#state = STRING;
        return true;
      }
      case UNICODE: {
        if (!/[0-9a-fA-F]/.test(ch)) return this.#fail();
        this.#unicode += ch;
        if (this.#unicode.length === 4) {
          const decoded = String.fromCharCode(Number.parseInt(this.#unicode, 16));
          this.#appendString(this.#room() > 0 ? decoded : "", 1);
          this.#state = STRING;
        }
        return true;
      }
      case NUMBER:
      case LITERAL: {
        const inToken = this.#state === NUMBER ? isNumberChar(c) : c >= 97 && c <= 122;
        if (inToken) {
          if (this.#token.length >= MAX_TOKEN) return this.#fail();
          this.#token += ch;
          return true;
        }
        this.#endToken();
        return false;
      }
      case DONE:
        if (isSpace(c)) return true;
        if (!this.#multipleRoots) return this.#fail();
        this.reset();
        return false;
      case KEY_OR_CLOSE:
      case KEY:
        if (isSpace(c)) return true;
        if (ch === "}" && this.#state === KEY_OR_CLOSE) return this.#close(OBJECT);
        if (ch !== '"') return this.#fail();
        this.#startString(true);
        return true;
      case COLON:
        if (isSpace(c)) return true;
        if (ch !== ":") return this.#fail();
        this.#state = VALUE;
        return true;
      case AFTER_VALUE:
        return this.#afterValue(c, ch);
      default:
        // VALUE, VALUE_OR_CLOSE
        if (isSpace(c)) return true;
        if (ch === "]" && this.#state === VALUE_OR_CLOSE) return this.#close(ARRAY);
        return this.#startValue(c, ch);
    }
  }

  #startValue(c: number, ch: string): boolean {
    if (ch === "{" || ch === "[") {
      if (this.#kinds.length >= this.#maxDepth) return this.#fail();
      const kind = ch === "{" ? OBJECT : ARRAY;
      if (this.#kinds.length === 0) this.#rootIsArray = kind === ARRAY;
      this.#kinds.push(kind);
      this.#path.push(kind === OBJECT ? "" : 0);
      this.#state = kind === OBJECT ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
      return true;
    }
    if (ch === '"') {
      this.#startString(false);
      return true;
    }
    this.#token = ch;
    if (ch === "-" || (c >= 48 && c <= 57)) this.#state = NUMBER;
    else if (ch === "t" || ch === "f" || ch === "n") this.#state = LITERAL;
    else return this.#fail();
    return true;
  }

  #afterValue(c: number, ch: string): boolean {
    if (isSpace(c)) return true;
    const top = this.#kinds.length - 1;
    const kind = this.#kinds[top];
    if (ch === ",") {
      if (kind === OBJECT) this.#state = KEY;
      else if (kind === ARRAY) {
        this.#path[top] = (this.#path[top] as number) + 1;
        this.#state = VALUE;
      } else return this.#fail();
      return true;
    }
    if (ch === "}" && kind === OBJECT) return this.#close(OBJECT);
    if (ch === "]" && kind === ARRAY) return this.#close(ARRAY);
    return this.#fail();
  }

  #startString(isKey: boolean): void {
    this.#string = "";
    this.#stringLength = 0;
    this.#stringIsKey = isKey;
    this.#state = STRING;
  }

  #endString(): void {
    if (this.#stringIsKey) {
      this.#path[this.#path.length - 1] = this.#string;
      this.#state = COLON;
      return;
    }
    this.#handler.scalar(this.#path, this.#string, this.#stringLength);
    this.#valueEnded();
  }

  #endToken(): void {
    const token = this.#token;
    this.#token = "";
    if (this.#state === LITERAL) {
      if (!(token in LITERALS)) {
        this.#fail();
        return;
      }
      this.#handler.scalar(this.#path, LITERALS[token]!, 0);
    } else {
      const value = Number(token);
      if (!Number.isFinite(value)) {
        this.#fail();
        return;
      }
      this.#handler.scalar(this.#path, value, 0);
    }
    this.#valueEnded();
  }

  #close(kind: number): boolean {
    if (this.#kinds.at(-1) !== kind) return this.#fail();
    this.#kinds.pop();
    this.#path.pop();
    this.#valueEnded();
    return true;
  }

  #valueEnded(): void {
    const depth = this.#kinds.length;
    this.#state = depth === 0 ? DONE : AFTER_VALUE;
    this.#handler.valueEnd(depth);
  }

  #fail(): boolean {
    this.#state = ERROR;
    return true;
  }
}
