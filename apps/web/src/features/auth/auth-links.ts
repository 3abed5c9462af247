/** Where to go after signing in: only paths on this site, never another origin. */
export function safeNext(next: string | null | undefined, fallback = "/"): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}

/**
 * Whether `next` is served by the studio's server rather than this app (a preview, the preview
 * authorisation): the browser must load it, not the app's router.
 */
export function isServerPath(next: string): boolean {
  return next.startsWith("/preview/") || next.startsWith("/api/");
}

/** Goes to `next` after signing in or up: the app's router, or a full load for a server path. */
export function goToNext(next: string, navigate: (to: string, options: { replace: boolean }) => void) {
  if (isServerPath(next)) window.location.assign(next);
  else navigate(next, { replace: true });
}

/**
 * The invitation a sign-up comes from: the invitation page sends people here with `next` set to
 * its own path, `/invite/<token>`. On a studio that takes accounts by invitation, the token is what
 * lets this address sign up.
 */
export function invitationTokenIn(next: string): string | undefined {
  return /^\/invite\/([a-z2-7]{32})$/.exec(next)?.[1];
}

export function authHref(
  page: "/sign-in" | "/sign-up",
  params: { next?: string | null; email?: string | null },
): string {
  const search = new URLSearchParams();
  if (params.next && params.next !== "/") search.set("next", params.next);
  if (params.email) search.set("email", params.email);
  const query = search.toString();
  return query ? `${page}?${query}` : page;
}
