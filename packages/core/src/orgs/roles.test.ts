import { describe, expect, it } from "vitest";
import { canChangeRole, canInvite, canRemove, isManager } from "./roles.ts";

describe("organisation roles", () => {
  it("lets owners and admins manage, not members", () => {
    expect([isManager("owner"), isManager("admin"), isManager("member")]).toEqual([true, true, false]);
  });

  it("lets nobody invite above their own role", () => {
    expect(canInvite("owner", "owner")).toBe(true);
    expect(canInvite("admin", "admin")).toBe(true);
    expect(canInvite("admin", "owner")).toBe(false);
    expect(canInvite("member", "member")).toBe(false);
  });

  it("keeps admins away from owners", () => {
    expect(canChangeRole("admin", "owner", "member")).toBe(false);
    expect(canChangeRole("admin", "member", "owner")).toBe(false);
    expect(canChangeRole("admin", "member", "admin")).toBe(true);
    expect(canChangeRole("owner", "owner", "admin")).toBe(true);
    expect(canChangeRole("member", "member", "member")).toBe(false);
  });

  it("removes only people at or below one's rank", () => {
    expect(canRemove("owner", "owner")).toBe(true);
    expect(canRemove("admin", "owner")).toBe(false);
    expect(canRemove("admin", "admin")).toBe(true);
    expect(canRemove("member", "member")).toBe(false);
  });
});
