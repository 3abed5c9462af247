import { structuredPatch } from "diff";
import { memo, useMemo } from "react";
import { ScrollArea } from "../../../../../components/ui/ScrollArea.tsx";
import { cn } from "../../../../../lib/cn.ts";
import { useWorkspaceLinks } from "../../workspace/workspace-links.ts";
import { normalisePath } from "../../workspace/workspace-paths.ts";

interface Row {
  kind: "add" | "del" | "ctx" | "hunk";
  text: string;
  oldLine: number | null;
  newLine: number | null;
}

function rowsOf(
  path: string,
  oldText: string | null,
  newText: string,
): { rows: Row[]; added: number; removed: number } {
  const patch = structuredPatch(path, path, oldText ?? "", newText, undefined, undefined, { context: 3 });
  const rows: Row[] = [];
  let added = 0;
  let removed = 0;
  for (const hunk of patch.hunks) {
    rows.push({
      kind: "hunk",
      text: `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`,
      oldLine: null,
      newLine: null,
    });
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    for (const line of hunk.lines) {
      const sign = line[0];
      const text = line.slice(1);
      if (sign === "+") {
        rows.push({ kind: "add", text, oldLine: null, newLine: newLine++ });
        added++;
      } else if (sign === "-") {
        rows.push({ kind: "del", text, oldLine: oldLine++, newLine: null });
        removed++;
      } else if (sign === " ") {
        rows.push({ kind: "ctx", text, oldLine: oldLine++, newLine: newLine++ });
      }
    }
  }
  return { rows, added, removed };
}

const rowClasses = {
  add: "bg-success-soft/70 text-fg",
  del: "bg-danger-soft/70 text-fg",
  ctx: "text-fg-muted",
  hunk: "bg-accent-soft/50 text-accent-soft-fg",
};
const signs = { add: "+", del: "-", ctx: " ", hunk: "" };

/** A unified diff of one file: line numbers on both sides, additions and removals tinted. */
export const DiffView = memo(function DiffView({
  path,
  oldText,
  newText,
}: {
  path: string;
  oldText: string | null;
  newText: string;
}) {
  const { rows, added, removed } = useMemo(() => rowsOf(path, oldText, newText), [path, oldText, newText]);
  const links = useWorkspaceLinks();
  // A file inside the workspace: its header opens the file's whole change since the base.
  const openable = links !== null && normalisePath(path) !== null;
  return (
    <figure className="overflow-hidden rounded-lg border border-line">
      <figcaption className="flex items-center justify-between gap-2 border-b border-line bg-surface-muted px-3 py-1.5 text-xs">
        {openable ? (
          <button
            type="button"
            onClick={() => links.openChange(path)}
            title={`Show every change to ${path} since the session started`}
            className="diff-open-change min-w-0 cursor-pointer truncate font-mono text-fg underline decoration-line-strong underline-offset-2 hover:decoration-fg"
          >
            <span className="sr-only">Show the change to </span>
            {path}
          </button>
        ) : (
          <span className="min-w-0 truncate font-mono text-fg" title={path}>
            {path}
          </span>
        )}
        <span className="shrink-0 font-mono">
          <span className="text-success-soft-fg">+{added}</span>{" "}
          <span className="text-danger-soft-fg">-{removed}</span>
          {oldText === null ? <span className="ml-2 text-fg-muted">new file</span> : null}
        </span>
      </figcaption>
      <ScrollArea className="max-h-96 bg-surface font-mono text-[12px] leading-5">
        <table className="w-full border-collapse">
          <tbody>
            {rows.map((row, index) => (
              <tr key={index} className={cn(rowClasses[row.kind])}>
                <td className="w-10 px-2 text-right text-fg-muted select-none">{row.oldLine ?? ""}</td>
                <td className="w-10 px-2 text-right text-fg-muted select-none">{row.newLine ?? ""}</td>
                <td className="px-2 whitespace-pre">
                  <span className="select-none" aria-hidden="true">
                    {signs[row.kind]}
                  </span>
                  <span className="sr-only">
                    {row.kind === "add" ? "added: " : row.kind === "del" ? "removed: " : ""}
                  </span>
                  {row.text}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollArea>
    </figure>
  );
});
