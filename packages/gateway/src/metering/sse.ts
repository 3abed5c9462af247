// Server-sent events, read incrementally: only the `data` of each event matters for metering, and
// it is handed on piece by piece as it arrives instead of being collected per event, so one huge
// event (the Responses API's `response.completed` repeats the whole output) costs no memory.
// Lines may end in `\n`, `\r\n` or `\r`, split anywhere across chunks (WHATWG SSE parsing rules).

export interface SseDataSink {
  /** More of the current event's data. Several `data` lines of one event are joined with "\n". */
  data(text: string): void;
  /** A blank line ended an event that had data. */
  dispatch(): void;
}

// Enough to tell "data" from any other field name; longer names are cut and never equal "data".
const MAX_FIELD = 6;

export class SseDataReader {
  readonly #sink: SseDataSink;
  #field = "";
  #inValue = false;
  #isData = false;
  #stripSpace = false;
  #lineEmpty = true;
  #skipLineFeed = false;
  #eventHasData = false;

  constructor(sink: SseDataSink) {
    this.#sink = sink;
  }

  write(text: string): void {
    let i = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (this.#skipLineFeed) {
        this.#skipLineFeed = false;
        if (c === 10) {
          i++;
          continue;
        }
      }
      if (c === 10 || c === 13) {
        this.#endLine();
        this.#skipLineFeed = c === 13;
        i++;
        continue;
      }
      this.#lineEmpty = false;
      if (!this.#inValue) {
        if (c === 58) this.#startValue();
        else if (this.#field.length < MAX_FIELD) this.#field += text[i];
        i++;
        continue;
      }
      let end = i;
      while (end < text.length) {
        const d = text.charCodeAt(end);
        if (d === 10 || d === 13) break;
        end++;
      }
      let start = i;
      if (this.#stripSpace) {
        this.#stripSpace = false;
        if (c === 32) start++;
      }
      if (this.#isData && end > start) this.#sink.data(text.slice(start, end));
      i = end;
    }
  }

  #startValue(): void {
    this.#inValue = true;
    this.#isData = this.#field === "data";
    this.#stripSpace = true;
    if (this.#isData) {
      if (this.#eventHasData) this.#sink.data("\n");
      this.#eventHasData = true;
    }
  }

  #endLine(): void {
    if (this.#lineEmpty) {
      if (this.#eventHasData) this.#sink.dispatch();
      this.#eventHasData = false;
    } else if (!this.#inValue && this.#field === "data") {
      // A bare `data` line: an empty data line.
      this.#startValue();
    }
    this.#field = "";
    this.#inValue = false;
    this.#isData = false;
    this.#stripSpace = false;
    this.#lineEmpty = true;
  }
}
