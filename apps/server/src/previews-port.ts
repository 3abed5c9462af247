// The `SessionPreviewsPort` core's preview rules and the preview proxy use, bound to this studio's
// sandbox provider: packages/sandbox's `sandboxPreviews`, which lists only the ports the sandbox's
// own processes listen on and refuses every other port (the studio, PostgreSQL, sandbox-agent,
// another sandbox). Its errors become the `AppError`s the API and the proxy answer with.
import { AppError, type SessionPreviewsPort } from "@studio/core";
import {
  PreviewListingError,
  PreviewPortInvalidError,
  PreviewPortNotListeningError,
  SandboxNotFoundError,
  SandboxNotRunningError,
  type SandboxProvider,
  sandboxPreviews,
} from "@studio/sandbox";

export interface BoundSessionPreviews extends SessionPreviewsPort {
  /** Ends the forwarders into sandboxes' networks; on shutdown. */
  close(): void;
}

function asAppError(error: unknown): unknown {
  if (error instanceof PreviewPortNotListeningError)
    return new AppError("NOT_FOUND", `Nothing in the session's sandbox listens on port ${error.port}.`);
  if (error instanceof PreviewPortInvalidError)
    return new AppError("BAD_REQUEST", "A preview port is a whole number from 1 to 65535.");
  if (error instanceof SandboxNotRunningError || error instanceof SandboxNotFoundError)
    return new AppError(
      "CONFLICT",
      "The session's sandbox is not running. Resume the session to preview it.",
    );
  if (error instanceof PreviewListingError)
    return new AppError("CONFLICT", `The session's sandbox cannot be asked for its ports: ${error.message}.`);
  return error;
}

export function sessionPreviews(provider: SandboxProvider, domain: string | null): BoundSessionPreviews {
  const previews = sandboxPreviews(provider);
  return {
    domain,
    async listPorts(session) {
      try {
        const sandbox = await provider.connect(session.sandboxId);
        return (await previews.listListeningPorts(sandbox)).map((listening) => listening.port);
      } catch (error) {
        throw asAppError(error);
      }
    },
    async target(session, port) {
      try {
        const sandbox = await provider.connect(session.sandboxId);
        return await previews.previewTarget(sandbox, port);
      } catch (error) {
        throw asAppError(error);
      }
    },
    close: () => previews.close(),
  };
}
