import { describe, expect, it } from "vitest";
import { applyEvents } from "../chat/chat-reducer.ts";
import { type ChatState, initialChatState, type StudioEvent } from "../chat/chat-types.ts";
import { numbered } from "../chat/test-events.ts";
import { initialTracker, type WorkspaceTracker, workspaceRefreshFor } from "./workspace-live.ts";

/** Feeds events in steps, as batches arrive, and collects the refresh each step asks for. */
function run(...steps: StudioEvent[][]) {
  let state: ChatState = initialChatState;
  let tracker: WorkspaceTracker = initialTracker;
  let seq = 1;
  return steps.map((events) => {
    state = applyEvents(state, numbered(events, seq));
    seq += events.length;
    const result = workspaceRefreshFor(tracker, state);
    tracker = result.tracker;
    return result.refresh;
  });
}

const toolCall = (id: string, kind: string, paths: string[]): StudioEvent => ({
  type: "tool_call",
  toolCallId: id,
  title: id,
  kind,
  status: "pending",
  content: [],
  locations: paths.map((path) => ({ path })),
});
const done = (id: string, status: "completed" | "failed" = "completed"): StudioEvent => ({
  type: "tool_call_update",
  toolCallId: id,
  status,
});

describe("what a session's events make stale in the workspace panel", () => {
  it("refreshes nothing while an edit runs, then its folders and file once it completes, once", () => {
    const [started, completed, again] = run(
      [toolCall("w1", "edit", ["src/app/main.ts"])],
      [done("w1")],
      [{ type: "agent_message_chunk", messageId: "m", text: "done" }],
    );
    expect(started).toBeNull();
    expect(completed).not.toBeNull();
    expect(completed?.folders).toEqual(new Set(["", "src", "src/app", "src/app/main.ts"]));
    expect(completed?.files).toEqual(new Set(["src/app/main.ts"]));
    expect(again).toBeNull();
  });

  it("refreshes every folder after a shell command, which may have touched anything", () => {
    const [, completed] = run([toolCall("b1", "execute", ["a.txt"])], [done("b1", "failed")]);
    expect(completed).toEqual({ folders: "all", files: "all" });
  });

  it("ignores tools that only read, and paths outside the workspace", () => {
    const [readOnly] = run([toolCall("r1", "read", ["a.txt"]), done("r1")]);
    expect(readOnly).toBeNull();
    const [outside] = run([toolCall("e1", "edit", ["/etc/passwd", "../x", "ok.md"]), done("e1")]);
    expect(outside?.folders).toEqual(new Set(["", "ok.md"]));
  });

  it("takes paths from a tool's diffs and refreshes everything when it names none", () => {
    const withDiff: StudioEvent = {
      ...toolCall("d1", "edit", []),
      content: [{ type: "diff", path: "./docs//guide.md", oldText: null, newText: "x" }],
    } as StudioEvent;
    const [fromDiff] = run([withDiff, done("d1")]);
    expect(fromDiff?.files).toEqual(new Set(["docs/guide.md"]));
    const [unnamed] = run([toolCall("m1", "move", []), done("m1")]);
    expect(unnamed).toEqual({ folders: "all", files: "all" });
  });

  it("refreshes everything when a turn ends and the change list after a push", () => {
    const [started, ended, pushed] = run(
      [
        { type: "user_message", messageId: "p1", text: "go", authorId: "u" },
        { type: "turn_started", turnId: "t1", promptMessageId: "p1" },
      ],
      [{ type: "turn_ended", turnId: "t1", stopReason: "end_turn", inputTokens: null, outputTokens: null }],
      [
        {
          type: "git_pushed",
          ref: "refs/heads/studio/x",
          oldCommit: "a",
          newCommit: "b",
          pullRequestUrl: null,
        },
      ],
    );
    expect(started).toBeNull();
    expect(ended).toEqual({ folders: "all", files: "all" });
    expect(pushed).toEqual({ folders: new Set(), files: new Set() });
  });

  it("refreshes everything when the session stops or comes back, not on its first status", () => {
    const status = (from: string, to: string): StudioEvent =>
      ({ type: "status_changed", from, to, reason: null }) as StudioEvent;
    const [first, same, stopped] = run(
      [status("provisioning", "ready")],
      [{ type: "agent_message_chunk", messageId: "m", text: "hi" }],
      [status("ready", "stopped")],
    );
    expect(first).toBeNull();
    expect(same).toBeNull();
    expect(stopped).toEqual({ folders: "all", files: "all" });
  });
});
