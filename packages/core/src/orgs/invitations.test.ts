import { describe, expect, it } from "vitest";
import { invitationStatus } from "./invitations.ts";

const now = new Date("2026-01-10T12:00:00Z");
const future = new Date("2026-01-11T12:00:00Z");
const past = new Date("2026-01-09T12:00:00Z");

describe("invitation status", () => {
  it("is pending until accepted, revoked or expired", () => {
    expect(invitationStatus({ acceptedAt: null, revokedAt: null, expiresAt: future }, now)).toBe("pending");
    expect(invitationStatus({ acceptedAt: null, revokedAt: null, expiresAt: past }, now)).toBe("expired");
    expect(invitationStatus({ acceptedAt: null, revokedAt: past, expiresAt: future }, now)).toBe("revoked");
  });

  it("reports acceptance even after the expiry passed", () => {
    expect(invitationStatus({ acceptedAt: past, revokedAt: null, expiresAt: past }, now)).toBe("accepted");
  });
});
