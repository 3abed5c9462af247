/** What ending access did, as `auth.signOutEverywhere` and `auth.changePassword` report it. */
export interface EndedAccess {
  endedSessions: number;
  revokedApiTokens: number;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * One sentence saying what was ended, for the toast or notice after the action. `others`: the
 * sessions counted are the other devices' (a password change keeps this browser signed in).
 */
export function describeEndedAccess(
  ended: EndedAccess,
  options: { revokeAsked: boolean; others: boolean },
): string {
  const sessions =
    ended.endedSessions === 0
      ? options.others
        ? "No other sessions were signed in"
        : "No sessions were signed in"
      : `Signed out of ${count(ended.endedSessions, options.others ? "other session" : "session", options.others ? "other sessions" : "sessions")}`;
  const tokens = !options.revokeAsked
    ? "API tokens keep working"
    : ended.revokedApiTokens === 0
      ? "you had no API tokens to revoke"
      : `${count(ended.revokedApiTokens, "API token", "API tokens")} revoked`;
  return `${sessions}; ${tokens}.`;
}
