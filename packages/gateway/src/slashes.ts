// Slashes trimmed by walking the string once. The regex way (`/^\/+|\/+$/g`) is quadratic: the
// `\/+$` branch is tried from every slash of a long run that is not at the end, so a path of
// 16,000 slashes cost about 230 ms of the event loop (issue 16). Paths and base URLs come from
// sandboxes and organisations, of any length.

/** The text without the slashes it ends with. */
export function trimTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return text.slice(0, end);
}

/** The text without the slashes it starts or ends with. */
export function trimSlashes(text: string): string {
  let start = 0;
  while (start < text.length && text.charCodeAt(start) === 0x2f) start++;
  return trimTrailingSlashes(text.slice(start));
}
