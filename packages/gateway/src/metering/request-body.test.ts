import { describe, expect, it } from "vitest";
import { memberCount, memberValue, NO_VALUE, rootMembers } from "./request-body.ts";

const scan = (text: string) => {
  const buf = Buffer.from(text);
  const root = rootMembers(buf);
  return { buf, root };
};

// A small seeded generator, so the comparison with JSON.parse covers the same cases every run.
function randomJson(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pieces = ['"', "\\", "{", "}", "[", "]", ",", ":", "é", "\n", "model", " ", "\u2028", "😀"];
  const text = () =>
    Array.from({ length: Math.floor(next() * 8) }, () => pieces[Math.floor(next() * pieces.length)]).join("");
  const value = (depth: number): unknown => {
    const kind = Math.floor(next() * (depth > 3 ? 4 : 6));
    if (kind === 0) return text();
    if (kind === 1) return Math.round((next() - 0.5) * 1e6) / 100;
    if (kind === 2) return next() > 0.5;
    if (kind === 3) return null;
    if (kind === 4) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(next() * 4) }, () => [text(), value(depth + 1)]),
    );
  };
  return Object.fromEntries(
    Array.from({ length: 1 + Math.floor(next() * 6) }, (_, i) => [`${text()}${i}`, value(0)]),
  );
}

describe("rootMembers", () => {
  it("finds each top-level member and its value's bytes", () => {
    const { buf, root } = scan(
      '{ "model" : "grok-4", "stream":true,\n"messages":[{"content":"é \\" ]}"}], "n": -1.5e3 }',
    );
    expect(root?.members.map((member) => member.key)).toEqual(["model", "stream", "messages", "n"]);
    expect(memberValue(buf, root!, "model")).toBe("grok-4");
    expect(memberValue(buf, root!, "stream")).toBe(true);
    expect(memberValue(buf, root!, "messages")).toEqual([{ content: 'é " ]}' }]);
    expect(memberValue(buf, root!, "n")).toBe(-1500);
    expect(memberValue(buf, root!, "absent")).toBe(NO_VALUE);
  });

  it("reads every member as JSON.parse does, over generated bodies", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const object = randomJson(seed);
      for (const text of [JSON.stringify(object), JSON.stringify(object, null, 2)]) {
        const { buf, root } = scan(text);
        expect(root, text).not.toBeNull();
        expect(root!.members.map((member) => member.key)).toEqual(Object.keys(object));
        for (const key of Object.keys(object)) expect(memberValue(buf, root!, key)).toEqual(object[key]);
      }
    }
  });

  it("tells a string's escaped backslash from an escaped quote", () => {
    const { buf, root } = scan('{"a":"ends with \\\\","b":"has \\" inside","c":"\\\\\\""}');
    expect(memberValue(buf, root!, "a")).toBe("ends with \\");
    expect(memberValue(buf, root!, "b")).toBe('has " inside');
    expect(memberValue(buf, root!, "c")).toBe('\\"');
  });

  it("counts a key given twice, and yields its last value as JSON.parse would", () => {
    const { buf, root } = scan('{"model":"cheap","messages":[],"model":"expensive"}');
    expect(memberCount(root!, "model")).toBe(2);
    expect(memberValue(buf, root!, "model")).toBe("expensive");
  });

  it("refuses what is not one JSON object", () => {
    for (const text of [
      "",
      "[]",
      '"model"',
      '{"model":"a"',
      '{"model":"a"} trailing',
      '{"model" "a"}',
      '{"model":"a",}',
      '{"model":"unclosed}',
      '{"a":[1,2}',
      '{"a":{"b":[}]}}',
      "{model:1}",
      '{"a":}',
    ]) {
      expect(scan(text).root, text).toBeNull();
    }
    expect(scan(" {} ").root?.members).toEqual([]);
  });
});
