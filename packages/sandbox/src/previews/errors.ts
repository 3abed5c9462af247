// What a preview request can be refused with. Each has a message fit to show as is; the proxy maps
// them to HTTP answers (404 for a port that is not the sandbox's, 503 for a sandbox not running).

/** The port is not one the sandbox's own processes listen on (or is never previewed). */
export class PreviewPortNotListeningError extends Error {
  override readonly name = "PreviewPortNotListeningError";
  constructor(readonly port: number) {
    super(`nothing in the sandbox listens on port ${port}`);
  }
}

/** The port is not a TCP port number at all (hostile or malformed input). */
export class PreviewPortInvalidError extends Error {
  override readonly name = "PreviewPortInvalidError";
  constructor(readonly value: unknown) {
    super("a preview port is a whole number from 1 to 65535");
  }
}

/** The sandbox cannot be asked (not running, or its listing failed). */
export class PreviewListingError extends Error {
  override readonly name = "PreviewListingError";
}

/** The studio could not open its way into the sandbox's network for this port. */
export class PreviewUnavailableError extends Error {
  override readonly name = "PreviewUnavailableError";
}
