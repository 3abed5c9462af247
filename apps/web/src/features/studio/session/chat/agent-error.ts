// The agent reports a failed model call with the provider's whole answer inside its message, e.g.
// `Internal error: Payment Required: {"error":{"type":"insufficient_credits","message":"…"}}`.
// People should read the sentence, not the JSON.

export function readableAgentError(message: string): string {
  const start = message.indexOf("{");
  if (start === -1) return message;
  try {
    const body = JSON.parse(message.slice(start)) as {
      error?: { message?: unknown } | string;
      message?: unknown;
    };
    const inner =
      typeof body.error === "string"
        ? body.error
        : typeof body.error?.message === "string"
          ? body.error.message
          : typeof body.message === "string"
            ? body.message
            : null;
    if (!inner) return message;
    // Keep the status words ("Payment Required") and drop the generic "Internal error:" wrapper.
    const prefix = message
      .slice(0, start)
      .replace(/^Internal error:\s*/i, "")
      .replace(/[:\s]+$/, "");
    return prefix ? `${prefix}: ${inner}` : inner;
  } catch {
    return message;
  }
}
