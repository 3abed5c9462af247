import { describe, expect, it } from "vitest";
import { describeEndedAccess } from "./ended-access.ts";

describe("what ending access says it did", () => {
  it("counts sessions and tokens", () => {
    expect(
      describeEndedAccess({ endedSessions: 3, revokedApiTokens: 2 }, { revokeAsked: true, others: false }),
    ).toBe("Signed out of 3 sessions; 2 API tokens revoked.");
    expect(
      describeEndedAccess({ endedSessions: 1, revokedApiTokens: 1 }, { revokeAsked: true, others: true }),
    ).toBe("Signed out of 1 other session; 1 API token revoked.");
  });

  it("says when tokens were kept, or there were none", () => {
    expect(
      describeEndedAccess({ endedSessions: 0, revokedApiTokens: 0 }, { revokeAsked: false, others: true }),
    ).toBe("No other sessions were signed in; API tokens keep working.");
    expect(
      describeEndedAccess({ endedSessions: 2, revokedApiTokens: 0 }, { revokeAsked: true, others: false }),
    ).toBe("Signed out of 2 sessions; you had no API tokens to revoke.");
  });
});
