// The `SessionWorkspaces` port core's result services use (downloads, patches, commit and push)
// and the workspace panel reads through (tree, file, changes, diff), bound to this studio's sandbox
// provider: git and tar run inside the session's sandbox through sandbox-agent's own API, never on
// the studio's machine over files an agent wrote.
import { AppError, type SessionWorkspaces } from "@studio/core";
import {
  changesPatch,
  commitAll,
  fileDiff,
  listFolder,
  push,
  readWorkspaceFile,
  resolveCommit,
  type SandboxProvider,
  WorkspacePathError,
  workspaceApi,
  workspaceArchive,
  workspaceChanges,
} from "@studio/sandbox";

/** The panel's refusals in the words core's callers get (a refused path, a missing folder). */
async function panelRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof WorkspacePathError)
      throw new AppError(error.reason === "not_found" ? "NOT_FOUND" : "BAD_REQUEST", error.message);
    throw error;
  }
}

export function sessionWorkspaces(
  provider: SandboxProvider,
  /** The studio's git gateway URL for a session, which pushes always go to (never `origin` as the agent left it). */
  gitRemoteFor: (sessionId: string) => string,
): SessionWorkspaces {
  return {
    async open(session) {
      const sandbox = await provider.connect(session.sandboxId);
      const api = workspaceApi(sandbox);
      const workspaceDir = sandbox.workspaceDir;
      return {
        commitAll: (input) => commitAll(api, { workspaceDir, ...input }),
        async head() {
          const head = await resolveCommit(api, "HEAD", { workspaceDir });
          if (!head) throw new Error("The workspace has no commit.");
          return head;
        },
        async push(branch) {
          // The token comes from the sandbox's own environment (the session's gateway token).
          const outcome = await push(api, {
            workspaceDir,
            branch,
            env: {},
            remoteUrl: gitRemoteFor(session.id),
          });
          return outcome.pushed ? { ok: true } : { ok: false, message: outcome.refusal ?? outcome.output };
        },
        changesPatch: (baseCommit) => changesPatch(api, { workspaceDir, baseCommit }),
        archive: (includeGit) => workspaceArchive(api, { workspaceDir, format: "tar.gz", includeGit }),
        list: (path, baseCommit) => panelRead(() => listFolder(api, { workspaceDir, path, baseCommit })),
        file: (path) => panelRead(() => readWorkspaceFile(api, { workspaceDir, path })),
        changes: (baseCommit) => panelRead(() => workspaceChanges(api, { workspaceDir, baseCommit })),
        diff: (baseCommit, path) => panelRead(() => fileDiff(api, { workspaceDir, baseCommit, path })),
      };
    },
  };
}
