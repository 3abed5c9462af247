import type { StudioEvent } from "@studio/acp/events";
import { describe, expect, it } from "vitest";
import { OpenToolCalls } from "./open-tool-calls.ts";

const call = (toolCallId: string, status: "pending" | "in_progress" = "pending"): StudioEvent => ({
  type: "tool_call",
  toolCallId,
  title: `Run ${toolCallId}`,
  kind: "execute",
  status,
  content: [],
  locations: [],
});

const permission = (toolCallId: string): StudioEvent => ({
  type: "permission_requested",
  interactionId: `i-${toolCallId}`,
  toolCallId,
  title: "echo hi > a.txt",
  kind: "execute",
  options: [],
  rawInput: { command: ["/bin/bash", "-lc", "echo hi > a.txt"] },
  content: [
    { type: "text", text: "Available Decisions: Approved Abort" },
    { type: "diff", path: "a.txt", oldText: null, newText: "hi\n" },
  ],
});

describe("OpenToolCalls", () => {
  it("announces a tool call the agent only asked permission for, once", () => {
    const open = new OpenToolCalls();
    const stored = open.track([permission("c1")]);
    expect(stored.map((e) => e.type)).toEqual(["tool_call", "permission_requested"]);
    expect(stored[0]).toMatchObject({
      toolCallId: "c1",
      title: "echo hi > a.txt",
      kind: "execute",
      status: "pending",
      rawInput: { command: ["/bin/bash", "-lc", "echo hi > a.txt"] },
      // Only the diff: the request's own text is no output of the call.
      content: [{ type: "diff", path: "a.txt", oldText: null, newText: "hi\n" }],
    });
    expect(open.track([permission("c1")]).map((e) => e.type)).toEqual(["permission_requested"]);
  });

  it("leaves a permission for an announced call alone", () => {
    const open = new OpenToolCalls();
    open.track([call("c1")]);
    expect(open.track([permission("c1")]).map((e) => e.type)).toEqual(["permission_requested"]);
  });

  it("fails, at the turn's end, exactly the calls that never finished", () => {
    const open = new OpenToolCalls();
    open.track([call("done"), call("running", "in_progress"), call("waiting"), permission("asked")]);
    open.track([
      { type: "tool_call_update", toolCallId: "done", status: "completed" },
      { type: "tool_call_update", toolCallId: "running", title: "still going" },
    ]);
    expect(open.closeAll()).toEqual([
      { type: "tool_call_update", toolCallId: "running", status: "failed" },
      { type: "tool_call_update", toolCallId: "waiting", status: "failed" },
      { type: "tool_call_update", toolCallId: "asked", status: "failed" },
    ]);
    // The next turn starts with none open.
    expect(open.closeAll()).toEqual([]);
  });
});
