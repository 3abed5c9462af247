export { type CloneOptions, type CloneResult, cloneInto, emptyDirectory, type RefKind } from "./clone.ts";
export {
  assertSafeNetworkConfig,
  GATEWAY_CREDENTIAL_HELPER,
  type GitFailureReason,
  HARDENED_GIT_CONFIG,
  resolveCommit,
  WorkspaceGitError,
} from "./git.ts";
export {
  changesPatch,
  commitAll,
  type GitAuthor,
  initBase,
  type PushOutcome,
  push,
  STUDIO_AUTHOR,
  workspaceArchive,
} from "./operations.ts";
export { parseGitProgress, progressReporter } from "./progress.ts";
