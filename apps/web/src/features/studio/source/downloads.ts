// Downloads of a session's workspace and changes. They are plain GETs with the session cookie; the
// browser saves them itself (streamed to disk, nothing held by the page). The one refusal a person
// can act on, 409 "resume the session first" for a stopped session whose provider keeps nothing
// readable, would otherwise end as a failed download with no reason: so for a session that is not
// running the page asks first, and shows the server's sentence instead.

/** The server's `{ error }` sentence for a refused download, or one for its status. */
export async function refusalMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === "string" && body.error) return body.error;
  } catch {
    // Not JSON.
  }
  if (response.status === 409)
    return "Resume the session first: its workspace is not reachable while it is stopped.";
  if (response.status === 404) return "This session has no workspace to download.";
  return `The download failed (HTTP ${response.status}).`;
}

/** Lets the browser save a URL the way a clicked link would. */
export function saveUrl(url: string, fileName?: string): void {
  const link = document.createElement("a");
  link.href = url;
  if (fileName) link.download = fileName;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
}

/**
 * Downloads `url`. With `check`, asks the server first and stops reading as soon as it answers: a
 * refusal comes back as its sentence, an acceptance is then downloaded by the browser itself.
 * Returns null when the download started, else the message to show.
 */
export async function startDownload(url: string, check: boolean): Promise<string | null> {
  if (!check) {
    saveUrl(url);
    return null;
  }
  const controller = new AbortController();
  let response: Response;
  try {
    response = await fetch(url, { credentials: "same-origin", signal: controller.signal });
  } catch {
    return "Can't reach the studio. Check your connection and try again.";
  }
  if (!response.ok) return refusalMessage(response);
  // Accepted: drop this copy (the server stops streaming it) and let the browser fetch its own.
  controller.abort();
  saveUrl(url);
  return null;
}

/**
 * Downloads a patch: small enough to hold, so it is fetched into the page and saved from there,
 * which shows any refusal whatever the session's state. Returns the message to show, or null.
 */
export async function downloadPatch(url: string, fileName: string): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: "same-origin" });
  } catch {
    return "Can't reach the studio. Check your connection and try again.";
  }
  if (!response.ok) return refusalMessage(response);
  const blob = await response.blob();
  const objectUrl = URL.createObjectURL(blob);
  saveUrl(objectUrl, fileName);
  // The click has handed the blob to the download manager; give it a moment before letting go.
  setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000);
  return null;
}
