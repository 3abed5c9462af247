// The session lifecycle as one pure table:
//
//   provisioning ─▶ ready ─▶ active ◀─▶ idle ─▶ stopped
//        │            │         │          │        │
//        └────────────┴─────────┴──────────┴──▶ error (with a reason)
//   stopped / error ─(resume)─▶ provisioning
//
// "idle" means no turn is running and no prompt is waiting; only ready and idle sessions stop
// themselves after the idle timeout.

import { LIVE_STATUSES, type SessionStatus } from "@studio/acp/events";

export {
  LIVE_STATUSES,
  type LiveStatus,
  SESSION_STATUSES,
  type SessionStatus,
} from "@studio/acp/events";

export type SessionTrigger =
  | "provisioned"
  | "turn_started"
  | "turn_ended"
  | "idle_timeout"
  | "stop"
  | "resume"
  | "fail";

const transitions: Record<SessionTrigger, Partial<Record<SessionStatus, SessionStatus>>> = {
  provisioned: { provisioning: "ready" },
  turn_started: { ready: "active", idle: "active", active: "active" },
  turn_ended: { active: "idle" },
  idle_timeout: { ready: "stopped", idle: "stopped" },
  stop: { provisioning: "stopped", ready: "stopped", active: "stopped", idle: "stopped" },
  resume: { stopped: "provisioning", error: "provisioning" },
  fail: { provisioning: "error", ready: "error", active: "error", idle: "error" },
};

export type TransitionResult = { ok: true; to: SessionStatus } | { ok: false; reason: string };

const refusals: Record<SessionStatus, string> = {
  provisioning: "the session is still starting",
  ready: "the session is ready",
  active: "a turn is running",
  idle: "the session is idle",
  stopped: "the session is stopped",
  error: "the session failed",
};

const actions: Record<SessionTrigger, string> = {
  provisioned: "finish starting",
  turn_started: "send a message",
  turn_ended: "end the turn",
  idle_timeout: "stop for inactivity",
  stop: "stop",
  resume: "resume",
  fail: "fail",
};

export function transition(from: SessionStatus, trigger: SessionTrigger): TransitionResult {
  const to = transitions[trigger][from];
  if (to) return { ok: true, to };
  return { ok: false, reason: `Cannot ${actions[trigger]}: ${refusals[from]}.` };
}

/** Whether a runner must hold the session's agent connection (see LIVE_STATUSES). */
export const isLive = (status: SessionStatus) => (LIVE_STATUSES as readonly SessionStatus[]).includes(status);

/** Whether a person may send a prompt now (it runs at once or after the current turn). */
export const acceptsPrompts = (status: SessionStatus) =>
  status === "ready" || status === "idle" || status === "active";

/** Whether the idle timer applies. */
export const canIdleStop = (status: SessionStatus) => status === "ready" || status === "idle";
