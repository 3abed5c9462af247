// The reducer's part of sessions that start from a repository: the clone step's progress, and
// pushes through the git gateway as items of their own.
import { describe, expect, it } from "vitest";
import { applyEvents, reduceEvents } from "./chat-reducer.ts";
import type { GitPushedItem, ProvisioningItem, StudioEvent } from "./chat-types.ts";
import { kinds, numbered } from "./test-events.ts";

const clone = (
  state: "started" | "completed" | "failed",
  progress?: { percent: number | null; done: number | null; total: number | null; bytes: number | null },
): StudioEvent => ({
  type: "provisioning",
  step: "source.clone",
  label: "Cloning github.com/acme/api",
  state,
  detail: null,
  ...(progress ? { progress } : {}),
});

describe("clone progress", () => {
  it("keeps the latest progress of a running step and drops it once the step ends", () => {
    const start = reduceEvents(
      numbered([
        { type: "status_changed", from: "provisioning", to: "provisioning", reason: "Session created" },
        clone("started"),
        clone("started", { percent: 10, done: 100, total: 1000, bytes: 2048 }),
        clone("started", { percent: 55, done: 550, total: 1000, bytes: 900_000 }),
      ]),
    );
    const card = start.items[0] as ProvisioningItem;
    expect(card.steps).toHaveLength(1);
    expect(card.steps[0]?.progress).toEqual({ percent: 55, done: 550, total: 1000, bytes: 900_000 });
    const startedAt = card.steps[0]?.startedAt;

    // An update without progress (a new label, say) keeps the last known one.
    const relabelled = applyEvents(start, numbered([clone("started")], start.lastSeq + 1));
    expect((relabelled.items[0] as ProvisioningItem).steps[0]?.progress?.percent).toBe(55);

    const done = applyEvents(relabelled, numbered([clone("completed")], relabelled.lastSeq + 1));
    const step = (done.items[0] as ProvisioningItem).steps[0];
    expect(step?.state).toBe("completed");
    expect(step?.progress).toBeNull();
    expect(step?.startedAt).toEqual(startedAt);
  });

  it("keeps no progress on a failed clone", () => {
    const state = reduceEvents(
      numbered([clone("started", { percent: 20, done: null, total: null, bytes: 10 }), clone("failed")]),
    );
    const card = state.items[0] as ProvisioningItem;
    expect(card.outcome).toBe("failed");
    expect(card.steps[0]?.progress).toBeNull();
  });
});

describe("git_pushed", () => {
  it("shows each push as its own item, in order, with the pull-request link", () => {
    const state = reduceEvents(
      numbered([
        { type: "agent_message_chunk", messageId: "a", text: "Pushing now." },
        {
          type: "git_pushed",
          ref: "refs/heads/studio/k3v9x2ab",
          oldCommit: "0".repeat(40),
          newCommit: "b".repeat(40),
          pullRequestUrl: "https://github.com/acme/api/compare/main...studio/k3v9x2ab?expand=1",
        },
        { type: "agent_message_chunk", messageId: "a", text: "Done." },
        {
          type: "git_pushed",
          ref: "refs/heads/studio/k3v9x2ab",
          oldCommit: "b".repeat(40),
          newCommit: "c".repeat(40),
          pullRequestUrl: null,
        },
      ]),
    );
    // A push closes the open text block: the agent's next words start a new one after it.
    expect(kinds(state.items)).toEqual(["assistant", "git_pushed", "assistant", "git_pushed"]);
    const first = state.items[1] as GitPushedItem;
    expect(first).toMatchObject({
      id: "git-pushed-2",
      ref: "refs/heads/studio/k3v9x2ab",
      newCommit: "b".repeat(40),
      pullRequestUrl: "https://github.com/acme/api/compare/main...studio/k3v9x2ab?expand=1",
    });
    expect((state.items[3] as GitPushedItem).pullRequestUrl).toBeNull();
  });

  it("does not duplicate a push replayed after a reconnect", () => {
    const events = numbered([
      {
        type: "git_pushed",
        ref: "refs/heads/studio/x",
        oldCommit: "a",
        newCommit: "b",
        pullRequestUrl: null,
      },
    ]);
    const once = reduceEvents(events);
    expect(applyEvents(once, events)).toBe(once);
  });
});
