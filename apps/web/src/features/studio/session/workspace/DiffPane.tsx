import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, ChevronsUpDown, FileText } from "lucide-react";
import { Fragment, type ReactNode, useMemo, useState } from "react";
import { Button } from "../../../../components/ui/Button.tsx";
import { EmptyState } from "../../../../components/ui/EmptyState.tsx";
import { PageSpinner } from "../../../../components/ui/Spinner.tsx";
import { cn } from "../../../../lib/cn.ts";
import { useTRPC } from "../../../../lib/trpc.ts";
import { highlightedLines } from "./CodeLines.tsx";
import {
  collapseUnchanged,
  type DiffItem,
  type DiffLine,
  diffLinesOf,
  type SplitRow,
  splitRows,
} from "./diff-rows.ts";
import { ChangeMark, WorkspaceError } from "./WorkspaceStates.tsx";
import type { ChangedFile, ChangeStatus } from "./workspace-types.ts";

type Mode = "unified" | "split";
const MODE_KEY = "studio.workspaceDiffMode";
/** Rows beyond this are not drawn: a diff that long is read better as a patch. */
const MAX_ROWS = 5_000;

function storedMode(): Mode {
  try {
    return localStorage.getItem(MODE_KEY) === "split" ? "split" : "unified";
  } catch {
    return "unified";
  }
}

const tints = { add: "bg-success-soft/70", del: "bg-danger-soft/70", ctx: "" };
const signs = { add: "+", del: "−", ctx: " " };
const spoken = { add: "added: ", del: "removed: ", ctx: "" };

/** One file's change since the base: unified or side by side, unchanged runs folded. */
export function DiffPane({
  sessionId,
  path,
  file,
  onBack,
  onOpenFile,
  onResume,
  resuming,
}: {
  sessionId: string;
  path: string;
  file: ChangedFile | null;
  onBack: () => void;
  onOpenFile: () => void;
  onResume: (() => void) | null;
  resuming: boolean;
}) {
  const trpc = useTRPC();
  const diff = useQuery(trpc.workspace.diff.queryOptions({ sessionId, path }, { retry: false }));
  const [mode, setModeState] = useState<Mode>(storedMode);
  const setMode = (next: Mode) => {
    setModeState(next);
    try {
      localStorage.setItem(MODE_KEY, next);
    } catch {
      // Not remembered.
    }
  };
  const status = (diff.data?.status ?? file?.status ?? null) as ChangeStatus | null;
  return (
    <div className="workspace-diff flex min-h-0 flex-1 flex-col">
      <div className="flex items-center gap-1.5 py-1 pr-2 pl-1">
        <Button variant="ghost" size="sm" icon={<ArrowLeft />} onClick={onBack}>
          All changes
        </Button>
        <span className="flex-1" />
        <fieldset className="flex rounded-md border border-line p-0.5">
          <legend className="sr-only">Diff layout</legend>
          {(["unified", "split"] as const).map((option) => (
            <button
              key={option}
              type="button"
              aria-pressed={mode === option}
              onClick={() => setMode(option)}
              className={cn(
                "h-6 cursor-pointer rounded px-2 text-xs text-fg-muted hover:text-fg",
                mode === option && "bg-surface-hover font-medium text-fg",
              )}
            >
              {option === "unified" ? "Unified" : "Split"}
            </button>
          ))}
        </fieldset>
        {status !== "deleted" ? (
          <Button
            variant="ghost"
            size="sm"
            icon={<FileText />}
            onClick={onOpenFile}
            aria-label={`Open file ${path}`}
          >
            <span className="hidden sm:inline">Open file</span>
          </Button>
        ) : null}
      </div>
      <div className="flex min-w-0 items-center gap-2 border-b border-line px-3 pb-1.5">
        {status ? <ChangeMark change={status} /> : null}
        <h2 className="diff-path min-w-0 flex-1 truncate font-mono text-xs text-fg" title={path}>
          {diff.data?.oldPath ? `${diff.data.oldPath} → ${path}` : path}
        </h2>
      </div>
      {diff.isPending ? (
        <PageSpinner label="Loading the diff" />
      ) : diff.isError ? (
        <WorkspaceError
          error={diff.error}
          onRetry={() => void diff.refetch()}
          onResume={onResume}
          resuming={resuming}
        />
      ) : diff.data.binary ? (
        <EmptyState
          icon={FileText}
          spacing="compact"
          title="A binary file"
          description="Its change can't be shown as text."
        />
      ) : diff.data.truncated ? (
        <EmptyState
          icon={FileText}
          spacing="compact"
          title="Too large to show"
          description="One side is over 1 MB. Download the patch to read this change."
        />
      ) : (
        <DiffBody
          path={path}
          oldText={diff.data.oldContent}
          newText={diff.data.newContent}
          mode={mode}
          oldPath={diff.data.oldPath ?? path}
        />
      )}
    </div>
  );
}

function DiffBody({
  path,
  oldPath,
  oldText,
  newText,
  mode,
}: {
  path: string;
  oldPath: string;
  oldText: string | null;
  newText: string | null;
  mode: Mode;
}) {
  const [opened, setOpened] = useState<ReadonlySet<number>>(new Set());
  const lines = useMemo(() => diffLinesOf(oldText, newText), [oldText, newText]);
  const items = useMemo(() => collapseUnchanged(lines, 3, opened), [lines, opened]);
  const oldHtml = useMemo(() => (oldText ? highlightedLines(oldPath, oldText) : null), [oldPath, oldText]);
  const newHtml = useMemo(() => (newText ? highlightedLines(path, newText) : null), [path, newText]);
  const open = (id: number) => setOpened((current) => new Set([...current, id]));
  if (lines.length === 0 || lines.every((line) => line.kind === "ctx")) {
    return <p className="px-3 py-6 text-center text-[13px] text-fg-muted">No text differences.</p>;
  }
  const code = (line: DiffLine) => {
    const html =
      line.kind === "del" ? oldHtml?.[(line.oldLine ?? 0) - 1] : newHtml?.[(line.newLine ?? 0) - 1];
    return html !== undefined ? (
      <code className="hljs" dangerouslySetInnerHTML={{ __html: html }} />
    ) : (
      <code>{line.text}</code>
    );
  };
  const shown = mode === "split" ? splitRows(items) : items;
  const cut = shown.length > MAX_ROWS;
  return (
    <section
      // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable content must be reachable by keyboard
      tabIndex={0}
      aria-label={`Changes in ${path}`}
      className="diff-body min-h-0 flex-1 overflow-auto bg-surface font-mono text-[12px] leading-5 outline-none focus-visible:ring-2 focus-visible:ring-ring/40 focus-visible:ring-inset"
    >
      <table className={cn("border-collapse", mode === "split" ? "w-full table-fixed" : "min-w-full")}>
        {mode === "split" ? (
          <colgroup>
            <col className="w-10" />
            <col />
            <col className="w-10" />
            <col />
          </colgroup>
        ) : null}
        <tbody>
          {mode === "split"
            ? (shown as SplitRow[]).slice(0, MAX_ROWS).map((row, index) =>
                row.type === "gap" ? (
                  <GapRow
                    key={`gap-${row.id}`}
                    count={row.lines.length}
                    columns={4}
                    onOpen={() => open(row.id)}
                  />
                ) : (
                  <tr key={index} className="align-top">
                    <SideCells line={row.left} side="old" code={code} />
                    <SideCells line={row.right} side="new" code={code} />
                  </tr>
                ),
              )
            : (shown as DiffItem[]).slice(0, MAX_ROWS).map((item, index) =>
                item.type === "gap" ? (
                  <GapRow
                    key={`gap-${item.id}`}
                    count={item.lines.length}
                    columns={3}
                    onOpen={() => open(item.id)}
                  />
                ) : (
                  <tr
                    key={index}
                    className={cn("diff-line", tints[item.line.kind])}
                    data-kind={item.line.kind}
                  >
                    <td className="w-10 px-2 text-right text-fg-subtle select-none">
                      {item.line.oldLine ?? ""}
                    </td>
                    <td className="w-10 px-2 text-right text-fg-subtle select-none">
                      {item.line.newLine ?? ""}
                    </td>
                    <td className="px-2 whitespace-pre">
                      <Sign kind={item.line.kind} />
                      {code(item.line)}
                    </td>
                  </tr>
                ),
              )}
        </tbody>
      </table>
      {cut ? (
        <p className="px-3 py-2 text-xs text-fg-muted">
          Only the first {MAX_ROWS.toLocaleString()} rows are shown. Download the patch for the rest.
        </p>
      ) : null}
    </section>
  );
}

function Sign({ kind }: { kind: DiffLine["kind"] }) {
  return (
    <>
      <span className="pr-1 select-none" aria-hidden="true">
        {signs[kind]}
      </span>
      <span className="sr-only">{spoken[kind]}</span>
    </>
  );
}

function SideCells({
  line,
  side,
  code,
}: {
  line: DiffLine | null;
  side: "old" | "new";
  code: (line: DiffLine) => ReactNode;
}) {
  if (!line) return <td colSpan={2} className="bg-surface-muted/60" />;
  const number = side === "old" ? line.oldLine : line.newLine;
  return (
    <Fragment>
      <td className={cn("w-10 px-2 text-right text-fg-subtle select-none", tints[line.kind])}>
        {number ?? ""}
      </td>
      <td
        className={cn("diff-line overflow-hidden px-2 whitespace-pre-wrap break-all", tints[line.kind])}
        data-kind={line.kind}
      >
        <Sign kind={line.kind} />
        {code(line)}
      </td>
    </Fragment>
  );
}

function GapRow({ count, columns, onOpen }: { count: number; columns: number; onOpen: () => void }) {
  return (
    <tr className="bg-accent-soft/40">
      <td colSpan={columns} className="p-0">
        <button
          type="button"
          onClick={onOpen}
          className="diff-gap flex w-full cursor-pointer items-center gap-1.5 px-3 py-0.5 text-left text-xs text-accent-soft-fg hover:bg-accent-soft"
        >
          <ChevronsUpDown className="size-3.5" aria-hidden="true" />
          Show {count} unchanged {count === 1 ? "line" : "lines"}
        </button>
      </td>
    </tr>
  );
}
