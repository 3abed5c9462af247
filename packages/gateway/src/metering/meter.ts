// Meters one forwarded model call from the response bytes as they pass through: SSE or plain JSON
// (including Google's JSON-array stream), any chunking, constant memory.
import { type Doc, FORMAT_RULES, type FormatRules, newDoc } from "./formats.ts";
import { JsonScanner, type PathKey, type Scalar } from "./json-scanner.ts";
import { SseDataReader } from "./sse.ts";
import type { MeteredUsage, MeterResult, UsageMeter, WireFormat } from "./types.ts";

/**
 * About 4 characters per token: the usual rule of thumb for English text and code with current
 * tokenizers. Request bodies are measured in bytes, which is the same for ASCII JSON; the JSON
 * syntax counted with it makes input estimates err on the high side.
 */
export const CHARS_PER_TOKEN = 4;

export const estimateTokens = (chars: number): number => Math.ceil(Math.max(0, chars) / CHARS_PER_TOKEN);

/** Estimate for a call with no reported usage (cut off before it): no cache or reasoning known. */
export function estimateUsage(requestBody: Buffer, outputChars: number): MeteredUsage {
  return {
    inputTokens: estimateTokens(requestBody.length),
    outputTokens: estimateTokens(outputChars),
    cachedTokens: 0,
    reasoningTokens: 0,
  };
}

type Mode = "sse" | "json";

function modeFromContentType(contentType: string | undefined): Mode | null {
  const type = contentType?.toLowerCase() ?? "";
  if (type.includes("event-stream")) return "sse";
  if (type.includes("json")) return "json";
  return null; // decided by the first character of the body
}

/** What the committed documents add up to. */
interface Totals {
  usage: Record<string, number> | null;
  final: boolean;
  model: string | null;
  chars: number;
}

function withDoc(rules: FormatRules, totals: Totals, doc: Doc): Totals {
  const next = { ...totals, chars: totals.chars + rules.chars(doc), model: totals.model ?? doc.model };
  if (doc.usage === null) return next;
  next.usage = rules.mergeFields ? { ...totals.usage, ...doc.usage } : doc.usage;
  next.final = rules.isFinal(doc);
  return next;
}

class Meter implements UsageMeter {
  readonly #rules: FormatRules;
  #mode: Mode | null;
  readonly #decoder = new TextDecoder();
  #scanner: JsonScanner;
  readonly #sse: SseDataReader;
  #totals: Totals = { usage: null, final: false, model: null, chars: 0 };
  #doc = newDoc();
  /** SSE: the event's JSON value is complete; it counts unless something follows it before the blank line. */
  #docComplete = false;

  constructor(format: WireFormat, contentType: string | undefined) {
    this.#rules = FORMAT_RULES[format];
    this.#mode = modeFromContentType(contentType);
    this.#scanner = this.#newScanner();
    this.#sse = new SseDataReader({
      data: (text) => this.#scanner.write(text),
      // An event whose data is not exactly one JSON value (`[DONE]`, malformed) is dropped whole.
      dispatch: () => {
        if (this.#docComplete && !this.#scanner.failed) this.#commit();
        this.#scanner.reset();
        this.#doc = newDoc();
        this.#docComplete = false;
      },
    });
  }

  #newScanner(): JsonScanner {
    return new JsonScanner(
      {
        scalar: (path, value, length) => this.#scalar(path, value, length),
        valueEnd: (depth) => this.#valueEnd(depth),
      },
      // Plain JSON may hold several roots (newline-delimited); an SSE event holds exactly one.
      { multipleRoots: this.#mode === "json" },
    );
  }

  push(chunk: Buffer): void {
    let text = this.#decoder.decode(chunk, { stream: true });
    if (this.#mode === null) {
      text = text.trimStart();
      if (!text) return;
      this.#mode = text[0] === "{" || text[0] === "[" ? "json" : "sse";
      this.#scanner = this.#newScanner();
    }
    if (this.#mode === "sse") this.#sse.write(text);
    else this.#scanner.write(text);
  }

  result(): MeterResult {
    let totals = this.#totals;
    // A last event complete but for its blank line counts; text from a document still in progress
    // was generated all the same.
    if (this.#docComplete && !this.#scanner.failed) totals = withDoc(this.#rules, totals, this.#doc);
    else totals = { ...totals, chars: totals.chars + this.#rules.chars(this.#doc) };
    const { usage, final, model, chars: outputChars } = totals;
    if (usage === null) return { reported: null, complete: false, model, outputChars };
    const reported = this.#rules.toUsage(usage);
    if (!final) reported.outputTokens = Math.max(reported.outputTokens, estimateTokens(outputChars));
    return { reported, complete: final, model, outputChars };
  }

  #scalar(path: readonly PathKey[], value: Scalar, length: number): void {
    // Each element of a root array (Google's JSON stream) is a document of its own.
    if (this.#scanner.rootIsArray) {
      if (path.length > 1) this.#rules.value(this.#doc, path.slice(1), value, length);
    } else this.#rules.value(this.#doc, path, value, length);
  }

  #valueEnd(depth: number): void {
    if (this.#mode === "sse") {
      if (depth === 0) this.#docComplete = true;
    } else if (depth === 0 || (depth === 1 && this.#scanner.rootIsArray)) this.#commit();
  }

  #commit(): void {
    this.#totals = withDoc(this.#rules, this.#totals, this.#doc);
    this.#doc = newDoc();
  }
}

/** A meter for one response; `contentType` picks SSE or JSON (sniffed from the body when absent). */
export function createUsageMeter(format: WireFormat, contentType: string | undefined): UsageMeter {
  return new Meter(format, contentType);
}
