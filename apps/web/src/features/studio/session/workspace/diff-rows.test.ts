import { describe, expect, it } from "vitest";
import { collapseUnchanged, diffLinesOf, splitHighlightedLines, splitRows } from "./diff-rows.ts";

const numbered = (count: number, change?: number) =>
  `${Array.from({ length: count }, (_, i) => (i + 1 === change ? `changed ${i + 1}` : `line ${i + 1}`)).join("\n")}\n`;

describe("a change's diff rows", () => {
  it("marks added, removed and unchanged lines with both sides' numbers", () => {
    const lines = diffLinesOf("a\nb\nc\n", "a\nB\nc\nd\n");
    expect(lines).toEqual([
      { kind: "ctx", text: "a", oldLine: 1, newLine: 1 },
      { kind: "del", text: "b", oldLine: 2, newLine: null },
      { kind: "add", text: "B", oldLine: null, newLine: 2 },
      { kind: "ctx", text: "c", oldLine: 3, newLine: 3 },
      { kind: "add", text: "d", oldLine: null, newLine: 4 },
    ]);
    expect(diffLinesOf(null, "new\n")).toEqual([{ kind: "add", text: "new", oldLine: null, newLine: 1 }]);
    expect(diffLinesOf("gone", null)).toEqual([{ kind: "del", text: "gone", oldLine: 1, newLine: null }]);
  });

  it("folds unchanged lines far from a change, and opens a fold on demand", () => {
    const lines = diffLinesOf(numbered(30), numbered(30, 15));
    const items = collapseUnchanged(lines, 3);
    const gaps = items.filter((item) => item.type === "gap");
    expect(gaps.map((gap) => gap.lines.length)).toEqual([11, 12]);
    expect(gaps[0]?.lines[0]).toMatchObject({ oldLine: 1 });
    const shown = items.flatMap((item) => (item.type === "line" ? [item.line.newLine] : []));
    expect(shown).toEqual([12, 13, 14, null, 15, 16, 17, 18]);
    const opened = collapseUnchanged(lines, 3, new Set([gaps[0]?.id ?? -1]));
    expect(opened.filter((item) => item.type === "gap")).toHaveLength(1);
    expect(opened.filter((item) => item.type === "line")).toHaveLength(8 + 11);
  });

  it("keeps short unchanged runs rather than folding them", () => {
    const lines = diffLinesOf(numbered(9), numbered(9, 1).replace("line 9", "changed 9"));
    expect(collapseUnchanged(lines, 3).some((item) => item.type === "gap")).toBe(false);
  });

  it("pairs each run of removals with the additions after it, side by side", () => {
    const items = collapseUnchanged(diffLinesOf("a\nb\nc\nz\n", "a\nB\nz\nn\n"));
    const rows = splitRows(items).map((row) =>
      row.type === "pair" ? [row.left?.text ?? null, row.right?.text ?? null] : "gap",
    );
    expect(rows).toEqual([
      ["a", "a"],
      ["b", "B"],
      ["c", null],
      ["z", "z"],
      [null, "n"],
    ]);
  });

  it("cuts highlighted HTML into lines whose spans are balanced", () => {
    const html = '<span class="c">/* one\ntwo */</span> x\n<span class="k">let</span>';
    expect(splitHighlightedLines(html)).toEqual([
      '<span class="c">/* one</span>',
      '<span class="c">two */</span> x',
      '<span class="k">let</span>',
    ]);
  });
});
