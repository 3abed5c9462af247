import { describe, expect, it } from "vitest";
import { JsonScanner, type JsonScannerOptions, type PathKey, type Scalar } from "./json-scanner.ts";

function scan(input: string | string[], options: JsonScannerOptions = {}) {
  const scalars: [string, Scalar, number][] = [];
  const ends: number[] = [];
  const scanner = new JsonScanner(
    {
      scalar: (path: readonly PathKey[], value, length) => scalars.push([path.join("."), value, length]),
      valueEnd: (depth) => ends.push(depth),
    },
    options,
  );
  for (const piece of Array.isArray(input) ? input : [input]) scanner.write(piece);
  return { scalars, ends, failed: scanner.failed, rootIsArray: scanner.rootIsArray };
}

const sample = '{"a": {"b": [1, -2.5e3, true, false, null, "x"]}, "c": "d\\"\\u00e9\\n", "e": {}, "f": []}';

describe("JsonScanner", () => {
  it("reports every scalar with its path, escapes decoded", () => {
    const { scalars, ends, failed } = scan(sample);
    expect(failed).toBe(false);
    expect(scalars).toEqual([
      ["a.b.0", 1, 0],
      ["a.b.1", -2500, 0],
      ["a.b.2", true, 0],
      ["a.b.3", false, 0],
      ["a.b.4", null, 0],
      ["a.b.5", "x", 1],
      ["c", 'd"é\n', 4],
    ]);
    expect(ends.at(-1)).toBe(0);
  });

  it("gives the same result however the text is split", () => {
    const whole = scan(sample);
    expect(scan(Array.from(sample))).toEqual(whole);
    for (let at = 1; at < sample.length; at++) {
      expect(scan([sample.slice(0, at), sample.slice(at)])).toEqual(whole);
    }
  });

  it("keeps only a prefix of long strings and keys but counts them in full", () => {
    const long = "y".repeat(100_000);
    const { scalars } = scan([`{"${"k".repeat(50)}": "`, long, long, '"}'], { maxString: 8 });
    expect(scalars).toEqual([["kkkkkkkk", "yyyyyyyy", 200_000]]);
  });

  it("fails on invalid JSON and ignores what follows", () => {
    for (const bad of [
      "[DONE]",
      "{a: 1}",
      '{"a" 1}',
      "[1,,2]",
      '{"a": tru}',
      "[1}",
      "1x",
      '"\\q"',
      '"\\u12g4"',
    ]) {
      expect(scan(`${bad} [2]`).failed, bad).toBe(true);
    }
  });

  it("limits nesting depth", () => {
    expect(scan("[[[1]]]", { maxDepth: 3 }).failed).toBe(false);
    expect(scan("[[[[1]]]]", { maxDepth: 3 }).failed).toBe(true);
  });

  it("accepts several roots only when asked, and can be reset", () => {
    expect(scan('{"a": 1}\n{"a": 2}').failed).toBe(true);
    const ndjson = scan('{"a": 1}\n[{"a": 2}]', { multipleRoots: true });
    expect(ndjson.scalars).toEqual([
      ["a", 1, 0],
      ["0.a", 2, 0],
    ]);
    expect(ndjson.rootIsArray).toBe(true);

    const scalars: Scalar[] = [];
    const scanner = new JsonScanner({ scalar: (_p, v) => scalars.push(v), valueEnd: () => {} });
    scanner.write("[DONE]");
    expect(scanner.failed).toBe(true);
    scanner.reset();
    scanner.write('{"ok": 1}');
    expect(scanner.failed).toBe(false);
    expect(scalars).toEqual([1]);
  });

  it("reports container ends with the depth they leave", () => {
    expect(scan('[{"a": 1}, 2]').ends).toEqual([2, 1, 1, 0]);
  });
});
