// Filling a new sandbox's workspace from the session's source before the agent starts: a clone of
// its repository through the studio's git gateway (so no credential enters the sandbox), the
// checked tar of an upload, or nothing; then the base commit "what changed" is measured from.
import type { Readable } from "node:stream";
import { recordWorkspaceBase } from "@studio/core/runner";
import {
  cloneInto,
  GATEWAY_TOKEN_ENV,
  initBase,
  type SandboxHandle,
  type StepProgress,
  workspaceApi,
} from "@studio/sandbox";
import { step } from "./agent-connection.ts";
import type { RunnerContext } from "./runner-state.ts";
import type { SessionRow } from "./session-row.ts";

export interface SourceDeps {
  /** The URL a sandbox's git reaches this session's repository at: the studio's git gateway. */
  gitRemoteFor(sessionId: string): string;
  /** A stored upload's checked tar. */
  openUpload(uploadId: string): Readable;
  /** The upload is in a provisioned workspace for good (resumes keep the workspace): let it go. */
  discardUpload(uploadId: string): Promise<void>;
}

/** `https://github.com/acme/widgets.git` → `acme/widgets`, for the step's label. */
export function repositoryLabel(url: string): string {
  try {
    const path = new URL(url).pathname.replace(/^\/+|\/+$/g, "").replace(/\.git$/, "");
    return path || url;
  } catch {
    return url;
  }
}

/** "Receiving objects 45% (450/1,000), 1.2 MiB", for the step's detail. */
export function progressDetail(progress: StepProgress): string | null {
  const parts: string[] = [];
  if (progress.percent !== null) parts.push(`${Math.round(progress.percent)}%`);
  if (progress.done !== null && progress.total !== null)
    parts.push(`(${progress.done.toLocaleString("en")}/${progress.total.toLocaleString("en")} objects)`);
  if (progress.bytes !== null) parts.push(`${(progress.bytes / 1048576).toFixed(1)} MiB`);
  return parts.length ? `Receiving ${parts.join(" ")}` : null;
}

export async function prepareWorkspaceSource(
  runner: RunnerContext,
  session: SessionRow,
  sandbox: SandboxHandle,
  agentEnv: Record<string, string>,
): Promise<void> {
  const { db, sources: deps } = runner.deps;
  const options = runner.connectOptions();
  const api = workspaceApi(sandbox);
  const workspaceDir = sandbox.workspaceDir;
  // The session's own gateway token, which the repository's credential helper reads at run time.
  const token = agentEnv[GATEWAY_TOKEN_ENV];
  const env: Record<string, string> = token ? { [GATEWAY_TOKEN_ENV]: token } : {};
  let baseCommit: string;
  if (session.sourceKind === "git") {
    const { sourceUrl, workBranch } = session;
    if (!sourceUrl || !workBranch) throw new Error("The session's repository is not recorded.");
    if (!token) throw new Error("Repositories need the studio's gateway, which this studio does not use.");
    const label = `Cloning ${repositoryLabel(sourceUrl)}`;
    ({ baseCommit } = await step(options.report, "source.clone", label, () =>
      cloneInto(api, {
        workspaceDir,
        remoteUrl: deps.gitRemoteFor(session.id),
        ref: session.sourceRef,
        refKind: session.sourceRefKind,
        fullHistory: session.sourceFullHistory,
        workBranch,
        env,
        onProgress: (progress) =>
          options.report({
            type: "provisioning",
            step: "source.clone",
            label,
            state: "started",
            detail: progressDetail(progress),
            progress,
          }),
      }),
    ));
  } else {
    if (session.sourceKind === "upload") {
      const uploadId = session.sourceUploadId;
      if (!uploadId) throw new Error("The session's upload is gone.");
      await step(options.report, "source.upload", "Unpacking your files", () =>
        api.uploadTar(workspaceDir, deps.openUpload(uploadId)),
      );
    }
    ({ baseCommit } = await step(options.report, "source.base", "Recording the starting point", () =>
      initBase(api, { workspaceDir, env }),
    ));
  }
  await recordWorkspaceBase(db, session.id, baseCommit);
}
