// The `SessionPreviewsPort` core's preview rules and the preview proxy use, bound to this studio's
// sandbox provider: packages/sandbox's `sandboxPreviews`, which lists only the ports the sandbox's
// own processes listen on and refuses every other port (the studio, PostgreSQL, sandbox-agent,
// another sandbox). Its errors become the `AppError`s the API and the proxy answer with.
import { AppError, type SessionPreviewsPort } from "@studio/core";
import {
  PreviewListingError,
  PreviewPortInvalidError,
  PreviewPortNotListeningError,
  type PreviewTarget,
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

/**
 * How long a checked target is reused. Checking asks the sandbox for its listeners (a process run
 * through sandbox-agent, ~30 ms), which a page loading a hundred assets would pay a hundred times.
 * In a sandbox with a network of its own the forwarder cannot leave it, so reuse cannot widen
 * what is reached; on the host's network it leaves a two-second window after a port changes hands.
 */
const TARGET_REUSE_MS = 2_000;

export function sessionPreviews(provider: SandboxProvider, domain: string | null): BoundSessionPreviews {
  const previews = sandboxPreviews(provider);
  const checked = new Map<string, { at: number; target: Promise<PreviewTarget> }>();
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
      const key = `${session.sandboxId}:${port}`;
      const reusable = checked.get(key);
      if (reusable && Date.now() - reusable.at < TARGET_REUSE_MS) return reusable.target;
      for (const [stale, entry] of checked)
        if (Date.now() - entry.at >= TARGET_REUSE_MS) checked.delete(stale);
      const target = (async () => {
        try {
          const sandbox = await provider.connect(session.sandboxId);
          return await previews.previewTarget(sandbox, port);
        } catch (error) {
          checked.delete(key); // a refusal is asked again next time
          throw asAppError(error);
        }
      })();
      checked.set(key, { at: Date.now(), target });
      return target;
    },
    close: () => previews.close(),
  };
}
