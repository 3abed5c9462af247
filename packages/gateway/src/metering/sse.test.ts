import { describe, expect, it } from "vitest";
import { SseDataReader } from "./sse.ts";

function events(input: string | string[]): string[] {
  const out: string[] = [];
  let current = "";
  const reader = new SseDataReader({
    data: (text) => {
      current += text;
    },
    dispatch: () => {
      out.push(current);
      current = "";
    },
  });
  for (const piece of Array.isArray(input) ? input : [input]) reader.write(piece);
  return out;
}

describe("SseDataReader", () => {
  it("hands on each event's data, ignoring other fields and comments", () => {
    const body = ': comment\nevent: message_start\nid: 1\ndata: {"a":1}\n\nretry: 5\n\ndata:[DONE]\n\n';
    expect(events(body)).toEqual(['{"a":1}', "[DONE]"]);
  });

  it("joins data lines with a line feed and strips only one leading space", () => {
    expect(events("data:  two\ndata\ndata: three\n\n")).toEqual([" two\n\nthree"]);
  });

  it("accepts \\r\\n, \\r and \\n line endings, however split", () => {
    const body = "data: a\r\n\r\ndata: b\r\rdata: c\n\ndata: d\r\n\n";
    const expected = ["a", "b", "c", "d"];
    expect(events(body)).toEqual(expected);
    expect(events(Array.from(body))).toEqual(expected);
    for (let at = 1; at < body.length; at++) {
      expect(events([body.slice(0, at), body.slice(at)])).toEqual(expected);
    }
  });

  it("does not dispatch events without data, nor an unfinished last event", () => {
    expect(events("event: ping\n\n\n\ndata: x")).toEqual([]);
  });

  it("does not take longer field names for data", () => {
    expect(events("database: x\ndatum: y\n\n")).toEqual([]);
  });
});
