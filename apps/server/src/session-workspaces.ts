// The `SessionWorkspaces` port core's result services use (downloads, patches, commit and push),
// bound to this studio's sandbox provider: git and tar run inside the session's sandbox through
// sandbox-agent's own API, never on the studio's machine over files an agent wrote.
import type { SessionWorkspaces } from "@studio/core";
import {
  changesPatch,
  commitAll,
  push,
  resolveCommit,
  type SandboxProvider,
  workspaceApi,
  workspaceArchive,
} from "@studio/sandbox";

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
      };
    },
  };
}
