import { FileArchive, FolderOpen, FolderUp, RotateCcw, X } from "lucide-react";
import { type DragEvent, useCallback, useEffect, useId, useRef, useState } from "react";
import { Alert } from "../../../components/ui/Alert.tsx";
import { Button } from "../../../components/ui/Button.tsx";
import { cn } from "../../../lib/cn.ts";
import type { EntrySource } from "./folder-paths.ts";
import { folderName } from "./folder-paths.ts";
import { ProgressBar } from "./ProgressBar.tsx";
import { archiveKind, formatBytes, formatFileCount, UPLOAD_LIMIT_BYTES } from "./source-format.ts";
import type { SourceChoice } from "./source-state.ts";
import {
  chosenFolder,
  readDrop,
  UploadError,
  type UploadResult,
  uploadArchive,
  zipFolder,
} from "./upload.ts";

type UploadState =
  | { phase: "idle"; problem: string | null }
  | { phase: "zipping"; name: string; done: number; total: number }
  | { phase: "uploading"; name: string; done: number; total: number }
  | { phase: "done"; name: string; size: number; result: UploadResult }
  | { phase: "failed"; name: string; message: string };

const LIMIT = formatBytes(UPLOAD_LIMIT_BYTES);

/**
 * A drop zone with "Choose archive" and "Choose folder": an archive is sent as it is, a folder is
 * zipped here first. Shows the file, its progress, then what the server unpacked or its refusal.
 */
export function UploadSource({
  onChange,
  disabled,
}: {
  onChange: (choice: SourceChoice) => void;
  disabled?: boolean | undefined;
}) {
  const [state, setState] = useState<UploadState>({ phase: "idle", problem: null });
  const [dragging, setDragging] = useState(false);
  const ids = useId();
  const archiveInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const running = useRef<AbortController | null>(null);
  const retry = useRef<(() => void) | null>(null);

  // React has no prop for it: the attribute makes the picker choose a folder and report paths.
  useEffect(() => {
    folderInput.current?.setAttribute("webkitdirectory", "");
  }, []);
  useEffect(() => () => running.current?.abort(), []);

  useEffect(() => {
    if (state.phase === "done") {
      onChange({ source: { kind: "upload", uploadId: state.result.uploadId }, problem: null, busy: false });
    } else if (state.phase === "zipping" || state.phase === "uploading") {
      onChange({ source: null, problem: "Wait for the upload to finish.", busy: true });
    } else if (state.phase === "failed") {
      onChange({ source: null, problem: "The upload failed (see above).", busy: false });
    } else {
      onChange({ source: null, problem: "Choose a folder or an archive to upload.", busy: false });
    }
  }, [state, onChange]);

  const send = useCallback(async (blob: Blob, name: string, controller: AbortController) => {
    setState({ phase: "uploading", name, done: 0, total: blob.size });
    const result = await uploadArchive(
      blob,
      name,
      (done, total) => setState({ phase: "uploading", name, done, total }),
      controller.signal,
    );
    setState({ phase: "done", name, size: blob.size, result });
  }, []);

  const start = useCallback((work: (controller: AbortController) => Promise<void>, name: string) => {
    running.current?.abort();
    const controller = new AbortController();
    running.current = controller;
    retry.current = () => start(work, name);
    work(controller).catch((error: unknown) => {
      if (controller.signal.aborted) return;
      const message = error instanceof UploadError ? error.message : "The upload failed. Try again.";
      setState({ phase: "failed", name, message });
    });
  }, []);

  const takeArchive = useCallback(
    (file: File) => {
      if (!archiveKind(file.name)) {
        setState({
          phase: "idle",
          problem: `${file.name} is not a .zip or .tar.gz. Choose an archive, or a folder.`,
        });
        return;
      }
      if (file.size > UPLOAD_LIMIT_BYTES) {
        setState({
          phase: "failed",
          name: file.name,
          message: `${file.name} is ${formatBytes(file.size)}; the limit is ${LIMIT}.`,
        });
        return;
      }
      start((controller) => send(file, file.name, controller), file.name);
    },
    [send, start],
  );

  const takeFolder = useCallback(
    (files: EntrySource<File>[]) => {
      const name = `${folderName(files)}.zip`;
      start(async (controller) => {
        setState({ phase: "zipping", name, done: 0, total: 0 });
        const { blob } = await zipFolder(
          files,
          (done, total) => setState({ phase: "zipping", name, done, total }),
          controller.signal,
        );
        await send(blob, name, controller);
      }, name);
    },
    [send, start],
  );

  const onDrop = async (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setDragging(false);
    if (disabled) return;
    const dropped = await readDrop(event.dataTransfer);
    if (dropped.kind === "archive") takeArchive(dropped.file);
    else if (dropped.kind === "folder") takeFolder(dropped.files);
    else setState({ phase: "idle", problem: dropped.problem });
  };

  const cancel = () => {
    running.current?.abort();
    running.current = null;
    setState({ phase: "idle", problem: null });
  };

  const busy = state.phase === "zipping" || state.phase === "uploading";
  return (
    <div className="space-y-3">
      {/* Dropping is the pointer's shortcut; the two buttons are the way in for everyone. */}
      <section
        aria-labelledby={`${ids}-heading`}
        aria-describedby={`${ids}-limits`}
        onDragOver={(event) => {
          event.preventDefault();
          if (!disabled && !busy) setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => void onDrop(event)}
        data-dragging={dragging || undefined}
        className={cn(
          "upload-drop-zone flex flex-col items-center gap-3 rounded-xl border border-dashed px-4 py-6 text-center transition-colors",
          dragging ? "border-accent bg-accent-soft" : "border-line-strong bg-surface-muted/60",
        )}
      >
        <FolderUp className="size-6 text-fg-muted" aria-hidden="true" />
        <div>
          <p id={`${ids}-heading`} className="text-[13px] font-medium text-fg">
            Drop a folder or an archive here
          </p>
          <p id={`${ids}-limits`} className="text-xs text-fg-muted">
            A .zip or .tar.gz up to {LIMIT}, or a folder (zipped in your browser first). It becomes the
            session's workspace.
          </p>
        </div>
        <div className="flex flex-wrap justify-center gap-2">
          <Button
            size="sm"
            variant="secondary"
            icon={<FileArchive />}
            disabled={disabled || busy}
            onClick={() => archiveInput.current?.click()}
          >
            Choose archive
          </Button>
          <Button
            size="sm"
            variant="secondary"
            icon={<FolderOpen />}
            disabled={disabled || busy}
            onClick={() => folderInput.current?.click()}
          >
            Choose folder
          </Button>
        </div>
        <input
          ref={archiveInput}
          type="file"
          accept=".zip,.tar.gz,.tgz,application/zip,application/gzip"
          className="sr-only"
          tabIndex={-1}
          aria-hidden="true"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = "";
            if (file) takeArchive(file);
          }}
        />
        <input
          ref={folderInput}
          type="file"
          multiple
          className="sr-only"
          tabIndex={-1}
          aria-hidden="true"
          onChange={(event) => {
            const files = event.target.files ? chosenFolder(event.target.files) : [];
            event.target.value = "";
            if (files.length > 0) takeFolder(files);
          }}
        />
      </section>
      <UploadStatus state={state} onCancel={cancel} onRetry={() => retry.current?.()} />
    </div>
  );
}

function UploadStatus({
  state,
  onCancel,
  onRetry,
}: {
  state: UploadState;
  onCancel: () => void;
  onRetry: () => void;
}) {
  if (state.phase === "idle") return state.problem ? <Alert>{state.problem}</Alert> : null;
  if (state.phase === "failed") {
    return (
      <Alert
        title={`Couldn't upload ${state.name}`}
        action={
          <Button size="sm" variant="secondary" icon={<RotateCcw />} onClick={onRetry}>
            Retry
          </Button>
        }
      >
        {state.message}
      </Alert>
    );
  }
  if (state.phase === "done") {
    return (
      <div
        role="status"
        className="upload-done flex items-center gap-3 rounded-lg border border-line bg-surface px-3 py-2.5"
      >
        <FileArchive className="size-4 shrink-0 text-success-soft-fg" aria-hidden="true" />
        <div className="min-w-0 flex-1">
          <p className="truncate text-[13px] font-medium text-fg">{state.name}</p>
          <p className="text-xs text-fg-muted">
            Uploaded {formatBytes(state.size)} · {formatFileCount(state.result.fileCount)},{" "}
            {formatBytes(state.result.unpackedBytes)} unpacked
          </p>
        </div>
        <Button size="sm" variant="ghost" icon={<X />} onClick={onCancel}>
          Remove
        </Button>
      </div>
    );
  }
  // Every byte sent, no answer yet: the studio is checking and unpacking the archive.
  const unpacking = state.phase === "uploading" && state.total > 0 && state.done >= state.total;
  const percent = state.total > 0 && !unpacking ? (state.done / state.total) * 100 : null;
  const verb = state.phase === "zipping" ? "Zipping" : unpacking ? "Unpacking" : "Uploading";
  const text = unpacking
    ? `${formatBytes(state.total)} sent; the studio is checking and unpacking it…`
    : state.total > 0
      ? `${formatBytes(state.done)} of ${formatBytes(state.total)}`
      : "Reading the folder…";
  return (
    <div className="upload-progress space-y-2 rounded-lg border border-line bg-surface px-3 py-2.5">
      <div className="flex items-center gap-3">
        <div className="min-w-0 flex-1">
          <p className="truncate text-[13px] font-medium text-fg">
            {verb} {state.name}
          </p>
          <p className="font-mono text-xs text-fg-muted tabular-nums">
            {percent === null ? text : `${Math.floor(percent)}% · ${text}`}
          </p>
        </div>
        <Button size="sm" variant="ghost" icon={<X />} onClick={onCancel}>
          Cancel
        </Button>
      </div>
      <ProgressBar percent={percent} label={`${verb} ${state.name}`} valueText={text} />
    </div>
  );
}
