// The reducer over a session's life: turns and the messages queued behind them, cancels,
// provisioning attempts, notices, context usage and metered totals.
import { describe, expect, it } from "vitest";
import { applyEvents, reduceEvents } from "./chat-reducer.ts";
import type { ProvisioningItem, StudioEvent } from "./chat-types.ts";
import { kinds, numbered, textOf, turn } from "./test-events.ts";

describe("turns, queue and lifecycle", () => {
  it("holds a message sent during a turn until its own turn starts", () => {
    const first = turn("first", [{ type: "agent_message_chunk", messageId: "a", text: "Working" }]);
    const queued: StudioEvent = {
      type: "user_message",
      messageId: "m-second",
      text: "second",
      authorId: "u1",
    };
    // The second message arrives mid-turn; more chunks of the first turn follow it.
    const events = numbered([
      ...first.slice(0, 3),
      queued,
      { type: "agent_message_chunk", messageId: "a", text: " on it." },
      ...first.slice(3),
    ]);
    const during = reduceEvents(events);
    expect(textOf(during.items[1])).toBe("Working on it.");
    expect(during.queued.map((item) => [item.text, item.state])).toEqual([["second", "queued"]]);
    const next = applyEvents(
      during,
      numbered([{ type: "turn_started", turnId: "t2", promptMessageId: "m-second" }], during.lastSeq + 1),
    );
    expect(next.queued).toEqual([]);
    expect(next.items.at(-1)).toMatchObject({ kind: "user", text: "second", state: "sent" });
    expect(next.turn?.turnId).toBe("t2");
    expect(next.tokens).toEqual({ input: 10, output: 5 });
  });

  it("marks queued messages dropped when the turn is cancelled, with a notice", () => {
    const events = numbered([
      ...turn("long", [{ type: "agent_message_chunk", messageId: "a", text: "…" }], "cancelled").slice(0, 3),
      { type: "user_message", messageId: "later", text: "later", authorId: "u1" },
      {
        type: "turn_ended",
        turnId: "t-long",
        stopReason: "cancelled",
        inputTokens: null,
        outputTokens: null,
      },
    ]);
    const state = reduceEvents(events);
    expect(state.turn).toBeNull();
    expect(state.tokens).toEqual({ input: 0, output: 0 });
    expect(state.items.slice(-2)).toMatchObject([
      { kind: "user", text: "later", state: "dropped" },
      { kind: "notice", code: "turn_cancelled", level: "info" },
    ]);
  });

  it("groups provisioning steps per attempt with their outcome and failure reason", () => {
    const step = (name: string, state: "started" | "completed" | "failed", detail: string | null = null) =>
      ({ type: "provisioning", step: name, label: `Step ${name}`, state, detail }) as StudioEvent;
    const state = reduceEvents(
      numbered([
        { type: "status_changed", from: "provisioning", to: "provisioning", reason: "Session created" },
        step("sandbox", "started"),
        step("sandbox", "completed"),
        step("agent", "started"),
        step("agent", "failed", "opencode exited with code 1"),
        { type: "status_changed", from: "provisioning", to: "error", reason: "The agent did not start." },
        { type: "status_changed", from: "error", to: "provisioning", reason: "Resumed" },
        step("sandbox", "started"),
        step("sandbox", "completed"),
        { type: "status_changed", from: "provisioning", to: "ready", reason: null },
      ]),
    );
    expect(kinds(state.items)).toEqual(["provisioning", "notice", "provisioning"]);
    expect(state.items[0]).toMatchObject({
      outcome: "failed",
      reason: "The agent did not start.",
      steps: [
        { step: "sandbox", state: "completed" },
        { step: "agent", state: "failed", detail: "opencode exited with code 1" },
      ],
    });
    expect(state.items[2]).toMatchObject({
      outcome: "ready",
      steps: [{ step: "sandbox", state: "completed" }],
    });
    expect(state.status).toBe("ready");
  });

  it("shows the wait for a free slot as the attempt's first step, its place updated as it moves up", () => {
    const queue = (label: string, state: "started" | "completed") =>
      ({ type: "provisioning", step: "queue", label, state, detail: null }) as StudioEvent;
    const events = numbered([
      { type: "status_changed", from: "provisioning", to: "provisioning", reason: "Session created" },
      queue("Waiting for a free slot (3 ahead)", "started"),
      queue("Waiting for a free slot (2 ahead)", "started"),
    ]);
    const waiting = reduceEvents(events);
    expect(waiting.items).toHaveLength(1);
    expect(waiting.items[0]).toMatchObject({
      outcome: "running",
      steps: [{ step: "queue", label: "Waiting for a free slot (2 ahead)", state: "running", endedAt: null }],
    });
    const queueStep = (state: typeof waiting) => (state.items[0] as ProvisioningItem).steps[0]!;
    // The step's time runs from when it first started, not from the latest update.
    expect(queueStep(waiting).startedAt).toEqual(events[1]!.at);
    const started = reduceEvents(
      numbered([
        ...events,
        queue("Waited for a free slot", "completed"),
        {
          type: "provisioning",
          step: "sandbox",
          label: "Creating the sandbox",
          state: "started",
          detail: null,
        },
      ]),
    );
    expect(
      (started.items[0] as ProvisioningItem).steps.map((step) => [step.step, step.label, step.state]),
    ).toEqual([
      ["queue", "Waited for a free slot", "completed"],
      ["sandbox", "Creating the sandbox", "running"],
    ]);
  });

  it("shows errors, notices and the end of the session as notices, and tracks context usage", () => {
    const state = reduceEvents(
      numbered([
        { type: "usage", usedTokens: 1200, contextSize: 128000 },
        { type: "notice", level: "warning", code: "agent_restarted", message: "The agent restarted." },
        { type: "error", code: "turn_failed", message: "Upstream said no." },
        { type: "session_ended", reason: "Stopped by a person" },
      ]),
    );
    expect(state.items.map((item) => item.kind === "notice" && [item.level, item.message])).toEqual([
      ["warning", "The agent restarted."],
      ["error", "Upstream said no."],
      ["info", "Session stopped: Stopped by a person"],
    ]);
    expect(state.context).toEqual({ usedTokens: 1200, contextSize: 128000 });
  });

  it("keeps the session's totals from its latest metered model call", () => {
    const call = (costMicroUsd: number, totalCost: number) => ({
      type: "metered" as const,
      model: "grok-4",
      inputTokens: 100,
      outputTokens: 20,
      cachedTokens: 0,
      reasoningTokens: 0,
      estimated: false,
      costMicroUsd,
      chargedMicroUsd: costMicroUsd,
      totals: {
        inputTokens: totalCost * 10,
        outputTokens: totalCost * 2,
        cachedTokens: 0,
        costMicroUsd: totalCost,
        chargedMicroUsd: totalCost,
      },
    });
    expect(reduceEvents([]).metered).toBeNull();
    const state = reduceEvents(numbered([call(300, 300), call(450, 750)]));
    expect(state.metered).toEqual({
      inputTokens: 7500,
      outputTokens: 1500,
      cachedTokens: 0,
      costMicroUsd: 750,
      chargedMicroUsd: 750,
    });
    expect(state.items).toEqual([]);
  });
});
