import { describe, expect, it } from "vitest";
import {
  acceptsPrompts,
  canIdleStop,
  isLive,
  type SessionStatus,
  type SessionTrigger,
  transition,
} from "./state-machine.ts";

const statuses: SessionStatus[] = ["provisioning", "ready", "active", "idle", "stopped", "error"];
const triggers: SessionTrigger[] = [
  "provisioned",
  "turn_started",
  "turn_ended",
  "idle_timeout",
  "stop",
  "resume",
  "fail",
];

// Every (status, trigger) pair, spelled out: "-" means refused.
const expected: Record<SessionStatus, Record<SessionTrigger, SessionStatus | "-">> = {
  provisioning: {
    provisioned: "ready",
    turn_started: "-",
    turn_ended: "-",
    idle_timeout: "-",
    stop: "stopped",
    resume: "-",
    fail: "error",
  },
  ready: {
    provisioned: "-",
    turn_started: "active",
    turn_ended: "-",
    idle_timeout: "stopped",
    stop: "stopped",
    resume: "-",
    fail: "error",
  },
  active: {
    provisioned: "-",
    turn_started: "active",
    turn_ended: "idle",
    idle_timeout: "-",
    stop: "stopped",
    resume: "-",
    fail: "error",
  },
  idle: {
    provisioned: "-",
    turn_started: "active",
    turn_ended: "-",
    idle_timeout: "stopped",
    stop: "stopped",
    resume: "-",
    fail: "error",
  },
  stopped: {
    provisioned: "-",
    turn_started: "-",
    turn_ended: "-",
    idle_timeout: "-",
    stop: "-",
    resume: "provisioning",
    fail: "-",
  },
  error: {
    provisioned: "-",
    turn_started: "-",
    turn_ended: "-",
    idle_timeout: "-",
    stop: "-",
    resume: "provisioning",
    fail: "-",
  },
};

describe("session state machine", () => {
  for (const from of statuses) {
    for (const trigger of triggers) {
      const want = expected[from][trigger];
      it(`${from} + ${trigger} → ${want === "-" ? "refused" : want}`, () => {
        const result = transition(from, trigger);
        if (want === "-") {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.reason).toMatch(/^Cannot .+: .+\.$/);
        } else {
          expect(result).toEqual({ ok: true, to: want });
        }
      });
    }
  }

  it("explains a refusal in words a person understands", () => {
    expect(transition("stopped", "turn_started")).toEqual({
      ok: false,
      reason: "Cannot send a message: the session is stopped.",
    });
  });

  it("classifies statuses", () => {
    expect(statuses.filter(isLive)).toEqual(["provisioning", "ready", "active", "idle"]);
    expect(statuses.filter(acceptsPrompts)).toEqual(["ready", "active", "idle"]);
    expect(statuses.filter(canIdleStop)).toEqual(["ready", "idle"]);
  });
});
