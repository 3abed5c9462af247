// A file's diff as rows for the Changes view: every line of both sides, unchanged runs far from a
// change folded into one "N unchanged lines" row that opens on demand, and side-by-side pairing.
import { diffLines } from "diff";

export interface DiffLine {
  kind: "add" | "del" | "ctx";
  text: string;
  oldLine: number | null;
  newLine: number | null;
}

export type DiffItem = { type: "line"; line: DiffLine } | { type: "gap"; id: number; lines: DiffLine[] };

export type SplitRow =
  | { type: "pair"; left: DiffLine | null; right: DiffLine | null }
  | { type: "gap"; id: number; lines: DiffLine[] };

function splitLines(value: string): string[] {
  const lines = value.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** Every line of the two texts, marked added, removed or unchanged, with both sides' numbers. */
export function diffLinesOf(oldText: string | null, newText: string | null): DiffLine[] {
  const lines: DiffLine[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (const change of diffLines(oldText ?? "", newText ?? "")) {
    for (const text of splitLines(change.value)) {
      if (change.added) lines.push({ kind: "add", text, oldLine: null, newLine: newLine++ });
      else if (change.removed) lines.push({ kind: "del", text, oldLine: oldLine++, newLine: null });
      else lines.push({ kind: "ctx", text, oldLine: oldLine++, newLine: newLine++ });
    }
  }
  return lines;
}

/**
 * Folds unchanged lines further than `context` from any change. A run of fewer than `minGap`
 * lines stays shown (folding two lines saves nothing). `opened` holds the ids (first hidden line's
 * index) of folds the person opened.
 */
export function collapseUnchanged(
  lines: readonly DiffLine[],
  context = 3,
  opened: ReadonlySet<number> = new Set(),
  minGap = 4,
): DiffItem[] {
  const nearChange = new Array<boolean>(lines.length).fill(false);
  lines.forEach((line, index) => {
    if (line.kind === "ctx") return;
    const from = Math.max(0, index - context);
    const to = Math.min(lines.length - 1, index + context);
    for (let i = from; i <= to; i++) nearChange[i] = true;
  });
  const items: DiffItem[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index] as DiffLine;
    if (nearChange[index] || line.kind !== "ctx") {
      items.push({ type: "line", line });
      index++;
      continue;
    }
    const start = index;
    while (index < lines.length && !nearChange[index]) index++;
    const run = lines.slice(start, index);
    if (run.length < minGap || opened.has(start)) {
      for (const hidden of run) items.push({ type: "line", line: hidden });
    } else items.push({ type: "gap", id: start, lines: run });
  }
  return items;
}

/** Side by side: unchanged lines on both sides, each run of removals paired with the additions after it. */
export function splitRows(items: readonly DiffItem[]): SplitRow[] {
  const rows: SplitRow[] = [];
  let index = 0;
  while (index < items.length) {
    const item = items[index] as DiffItem;
    if (item.type === "gap") {
      rows.push(item);
      index++;
      continue;
    }
    if (item.line.kind === "ctx") {
      rows.push({ type: "pair", left: item.line, right: item.line });
      index++;
      continue;
    }
    const removed: DiffLine[] = [];
    const added: DiffLine[] = [];
    while (index < items.length) {
      const next = items[index] as DiffItem;
      if (next.type !== "line" || next.line.kind !== "del") break;
      removed.push(next.line);
      index++;
    }
    while (index < items.length) {
      const next = items[index] as DiffItem;
      if (next.type !== "line" || next.line.kind !== "add") break;
      added.push(next.line);
      index++;
    }
    for (let i = 0; i < Math.max(removed.length, added.length); i++) {
      rows.push({ type: "pair", left: removed[i] ?? null, right: added[i] ?? null });
    }
  }
  return rows;
}

/**
 * highlight.js HTML cut into one string per source line, each with its own balanced spans: a
 * multi-line comment or string keeps its colour on every line it covers.
 */
export function splitHighlightedLines(html: string): string[] {
  const lines: string[] = [];
  const open: string[] = [];
  let current = "";
  for (const match of html.matchAll(/<span[^>]*>|<\/span>|\n|[^<\n]+/g)) {
    const token = match[0];
    if (token === "\n") {
      lines.push(current + "</span>".repeat(open.length));
      current = open.join("");
    } else if (token === "</span>") {
      open.pop();
      current += token;
    } else {
      if (token.startsWith("<span")) open.push(token);
      current += token;
    }
  }
  lines.push(current);
  return lines;
}
