import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { Check, ChevronDown, FileArchive, FileDiff, PackageOpen, Play, Upload } from "lucide-react";
import { type ReactNode, useState } from "react";
import { Alert } from "../../../components/ui/Alert.tsx";
import { Button, buttonClasses } from "../../../components/ui/Button.tsx";
import { Dialog } from "../../../components/ui/Dialog.tsx";
import { cn } from "../../../lib/cn.ts";
import { downloadPatch, startDownload } from "../source/downloads.ts";
import { archiveDownloadUrl, patchDownloadUrl } from "../source/source-format.ts";
import { CommitPushDialog } from "./CommitPushDialog.tsx";

const itemClasses = cn(
  "flex w-full cursor-pointer items-center gap-2.5 rounded-lg px-2.5 py-2 text-left text-[13px] text-fg outline-none select-none",
  "data-highlighted:bg-surface-hover data-disabled:cursor-not-allowed data-disabled:opacity-50",
  "[&>svg]:size-4 [&>svg]:shrink-0 [&>svg]:text-fg-muted",
);

function Item({
  icon,
  children,
  hint,
  onSelect,
}: {
  icon: ReactNode;
  children: ReactNode;
  hint?: string;
  onSelect: () => void;
}) {
  return (
    <DropdownMenu.Item className={itemClasses} onSelect={onSelect}>
      {icon}
      <span className="min-w-0 flex-1">
        {children}
        {hint ? <span className="block text-xs text-fg-muted">{hint}</span> : null}
      </span>
    </DropdownMenu.Item>
  );
}

/**
 * "Take it away": the workspace as .zip or .tar.gz (with or without its .git), the changes since the
 * base as a patch, and for a repository, Commit & push. Downloads of a session that is not running
 * are checked first, so a "resume it first" refusal is shown rather than a broken download.
 */
export function TakeAwayMenu({
  sessionId,
  live,
  canPush,
  workBranch,
  onResume,
}: {
  sessionId: string;
  live: boolean;
  canPush: boolean;
  workBranch: string | null;
  onResume: () => void;
}) {
  const [withGit, setWithGit] = useState(false);
  const [pushOpen, setPushOpen] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<string | null>) => {
    setBusy(true);
    try {
      setRefusal(await work());
    } finally {
      setBusy(false);
    }
  };
  const archive = (format: "zip" | "tar.gz") =>
    void run(() => startDownload(archiveDownloadUrl(sessionId, format, withGit), !live));
  const patch = () =>
    void run(() => downloadPatch(patchDownloadUrl(sessionId), `session-${sessionId.slice(0, 8)}.patch`));

  return (
    <>
      <DropdownMenu.Root>
        <DropdownMenu.Trigger
          className={cn(buttonClasses("secondary", "sm"), "take-away-trigger")}
          aria-busy={busy || undefined}
        >
          <PackageOpen aria-hidden="true" />
          <span className="hidden sm:inline">Take it away</span>
          <span className="sr-only sm:hidden">Take it away</span>
          <ChevronDown aria-hidden="true" className="size-3.5! text-fg-muted" />
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content
            align="end"
            sideOffset={6}
            collisionPadding={8}
            className="z-40 max-h-(--radix-dropdown-menu-content-available-height) w-72 animate-pop-in overflow-y-auto rounded-xl border border-line bg-surface p-1 shadow-pop outline-none"
          >
            <DropdownMenu.Label className="px-2.5 pt-2 pb-1 text-xs font-medium text-fg-subtle">
              Download the workspace
            </DropdownMenu.Label>
            <Item icon={<FileArchive />} onSelect={() => archive("zip")}>
              Download .zip
            </Item>
            <Item icon={<FileArchive />} onSelect={() => archive("tar.gz")}>
              Download .tar.gz
            </Item>
            <DropdownMenu.CheckboxItem
              className={itemClasses}
              checked={withGit}
              onCheckedChange={(checked) => setWithGit(checked === true)}
              // Keep the menu open: this changes the next download, it is not one.
              onSelect={(event) => event.preventDefault()}
            >
              <span className="flex size-4 items-center justify-center rounded border border-line-strong">
                <DropdownMenu.ItemIndicator>
                  <Check className="size-3 text-accent-soft-fg" aria-hidden="true" />
                </DropdownMenu.ItemIndicator>
              </span>
              <span className="min-w-0 flex-1">
                Include .git history
                <span className="block text-xs text-fg-muted">For the archives above</span>
              </span>
            </DropdownMenu.CheckboxItem>
            <DropdownMenu.Separator className="-mx-1 my-1 h-px bg-line" />
            <Item icon={<FileDiff />} hint="Since the session's base; git apply takes it" onSelect={patch}>
              Download changes (.patch)
            </Item>
            {canPush ? (
              <>
                <DropdownMenu.Separator className="-mx-1 my-1 h-px bg-line" />
                <Item
                  icon={<Upload />}
                  hint={workBranch ? `To ${workBranch}` : "To the session's branch"}
                  onSelect={() => setPushOpen(true)}
                >
                  Commit & push…
                </Item>
              </>
            ) : null}
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
      {canPush ? (
        <CommitPushDialog
          sessionId={sessionId}
          workBranch={workBranch}
          open={pushOpen}
          onClose={() => setPushOpen(false)}
        />
      ) : null}
      <Dialog
        open={refusal !== null}
        onClose={() => setRefusal(null)}
        title="Couldn't download"
        footer={
          <>
            <Button variant="secondary" onClick={() => setRefusal(null)}>
              Close
            </Button>
            {live ? null : (
              <Button
                icon={<Play />}
                onClick={() => {
                  setRefusal(null);
                  onResume();
                }}
              >
                Resume session
              </Button>
            )}
          </>
        }
      >
        <Alert>{refusal}</Alert>
      </Dialog>
    </>
  );
}
