// The session's sandbox previews as the server's binding reaches them (packages/sandbox's
// `sandboxPreviews`). Core decides who may see a preview; the binding only lists a running
// sandbox's own listening ports and says how to reach one of them.

export interface PreviewSandbox {
  /** The studio session's id. */
  id: string;
  sandboxId: string;
}

/** How the proxy reaches a previewed port. */
export type PreviewUpstream =
  /** A Unix socket that leads to the port inside the sandbox's own network. */
  | { kind: "socket"; port: number; socketPath: string }
  /** An HTTP(S) origin: the sandbox's loopback port, or its provider's public host for the port. */
  | { kind: "http"; port: number; origin: string };

export interface SessionPreviewsPort {
  /** Subdomain mode's domain (PREVIEW_DOMAIN): previews at `<port>-<session>.<domain>`; null: path mode. */
  domain: string | null;
  /** The TCP ports the sandbox's own processes listen on, ascending. */
  listPorts(sandbox: PreviewSandbox): Promise<number[]>;
  /**
   * How to reach `port`. Throws an `AppError`: NOT_FOUND for a port no sandbox process listens on
   * (or one never previewed), BAD_REQUEST for a port that is no port, CONFLICT when the sandbox
   * cannot be asked; any other error means the way in could not be opened (502 at the proxy).
   */
  target(sandbox: PreviewSandbox, port: number): Promise<PreviewUpstream>;
}
