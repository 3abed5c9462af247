// The workspace panel: one folder of the session's workspace, one file, every change since the
// session's base and one file's diff. Read inside the session's running sandbox (core's
// packages/core/src/workspace); paths are workspace-relative and checked by the input schemas.
import {
  workspaceChangesInput,
  workspaceDiffInput,
  workspaceFileInput,
  workspaceListInput,
  workspacePanelChanges,
  workspacePanelDiff,
  workspacePanelFile,
  workspacePanelList,
} from "@studio/core";
import {
  workspaceChangesOutput,
  workspaceDiffOutput,
  workspaceFileOutput,
  workspaceListOutput,
} from "../outputs.ts";
import { orgProcedure, router } from "../trpc.ts";

export const workspaceRouter = router({
  /** One folder's entries: folders first, ignored ones dimmed, changes since the base marked. */
  list: orgProcedure
    .input(workspaceListInput)
    .output(workspaceListOutput)
    .query(({ ctx, input }) => workspacePanelList(ctx.db, ctx.sessions.workspaces, ctx.actor, input)),

  /** One file's content (text up to 1 MiB), or what it is instead (binary, missing, a folder, a symlink). */
  file: orgProcedure
    .input(workspaceFileInput)
    .output(workspaceFileOutput)
    .query(({ ctx, input }) => workspacePanelFile(ctx.db, ctx.sessions.workspaces, ctx.actor, input)),

  /** Every file changed since the session's base, with +/− counts. */
  changes: orgProcedure
    .input(workspaceChangesInput)
    .output(workspaceChangesOutput)
    .query(({ ctx, input }) => workspacePanelChanges(ctx.db, ctx.sessions.workspaces, ctx.actor, input)),

  /** One changed file at the base and now. */
  diff: orgProcedure
    .input(workspaceDiffInput)
    .output(workspaceDiffOutput)
    .query(({ ctx, input }) => workspacePanelDiff(ctx.db, ctx.sessions.workspaces, ctx.actor, input)),
});
