// What claude-agent-acp 0.23.1 (Claude Code 2.1.328) and codex-acp 0.16.0 (Codex 0.169.0) stream,
// recorded from the real agents behind the gateway with a scripted model (thinking, a todo list,
// a file written then edited, a shell command), trimmed; the workspace was `/sandbox/ws`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type StudioEvent, studioEventSchema } from "./events.ts";
import { type NormaliseContext, normaliseAgentMessage } from "./normalise.ts";

type Fixture = "claude-turn.json" | "codex-turn.json" | "codex-ask-turn.json";

function messages(name: Fixture): unknown[] {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as unknown[];
}

const context: NormaliseContext = {
  interactionIdFor: (key) => `int:${key}`,
  workspaceDir: "/sandbox/ws",
};

function normalise(name: Fixture): StudioEvent[] {
  return messages(name).flatMap((message, index) =>
    normaliseAgentMessage(message, { ...context, eventId: String(index) }),
  );
}

function ofType<T extends StudioEvent["type"]>(events: StudioEvent[], type: T) {
  return events.filter((e): e is Extract<StudioEvent, { type: T }> => e.type === type);
}

function toolEvents(events: StudioEvent[], toolCallId: string) {
  return events.filter(
    (e): e is Extract<StudioEvent, { type: "tool_call" | "tool_call_update" }> =>
      (e.type === "tool_call" || e.type === "tool_call_update") && e.toolCallId === toolCallId,
  );
}

const textOf = (events: Array<{ text: string }>) => events.map((e) => e.text).join("");

const PLAN_STARTED = [
  { content: "Write the note", priority: "medium", status: "completed" },
  { content: "Run the check", priority: "medium", status: "in_progress" },
];
const PLAN_DONE = [
  { content: "Write the note", priority: "medium", status: "completed" },
  { content: "Run the check", priority: "medium", status: "completed" },
];

describe.each(["claude-turn.json", "codex-turn.json", "codex-ask-turn.json"] as const)("%s", (name) => {
  it("normalises every message to valid studio events, none leaking the workspace path", () => {
    const events = normalise(name);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect(studioEventSchema.safeParse(event).error).toBeUndefined();
    expect(JSON.stringify(events)).not.toContain("/sandbox/ws");
  });
});

describe("claude-agent-acp", () => {
  const events = normalise("claude-turn.json");

  it("streams thinking and the reply, without the empty chunk opening each", () => {
    expect(textOf(ofType(events, "thought_chunk"))).toBe("The user wants a note. I should plan first.");
    expect(textOf(ofType(events, "agent_message_chunk"))).toBe("Let me plan.All done.");
    expect(
      events.some((e) => (e.type === "thought_chunk" || e.type === "agent_message_chunk") && !e.text),
    ).toBe(false);
  });

  it("turns TodoWrite's plan updates into plan events, each the whole list", () => {
    expect(ofType(events, "plan")).toEqual([
      { type: "plan", entries: PLAN_STARTED },
      { type: "plan", entries: PLAN_DONE },
    ]);
  });

  it("follows Write from its bare start to its diff, permission and output", () => {
    const write = toolEvents(events, "toolu_59985914e8acd491636af53d");
    expect(write[0]).toEqual({
      type: "tool_call",
      toolCallId: "toolu_59985914e8acd491636af53d",
      title: "Write",
      kind: "edit",
      status: "pending",
      rawInput: {},
      content: [],
      locations: [],
    });
    expect(write[1]).toEqual({
      type: "tool_call_update",
      toolCallId: "toolu_59985914e8acd491636af53d",
      title: "Write note.txt",
      kind: "edit",
      rawInput: { content: "first line\n", file_path: "note.txt" },
      content: [{ type: "diff", path: "note.txt", oldText: null, newText: "first line\n" }],
      locations: [{ path: "note.txt" }],
    });
    expect(write.at(-1)).toMatchObject({
      status: "completed",
      rawOutput: expect.stringMatching(/^File created successfully at: note\.txt /),
    });
    const permissions = ofType(events, "permission_requested");
    expect(permissions.map((p) => p.toolCallId)).toEqual([
      "toolu_59985914e8acd491636af53d",
      "toolu_3d097462e535c0a525ab1143",
    ]);
    expect(permissions[0]).toMatchObject({
      interactionId: "int:permission:0",
      title: "Write note.txt",
      kind: "edit",
      options: [
        { optionId: "allow_always", name: "Always Allow", kind: "allow_always" },
        { optionId: "allow", name: "Allow", kind: "allow_once" },
        { optionId: "reject", name: "Reject", kind: "reject_once" },
      ],
      content: [{ type: "diff", path: "note.txt", oldText: null, newText: "first line\n" }],
    });
  });

  it("carries Edit's diff and the line it changed", () => {
    const edit = toolEvents(events, "toolu_3d097462e535c0a525ab1143");
    const diffs = edit.flatMap((e) => e.content ?? []).filter((c) => c.type === "diff");
    expect(diffs.at(-1)).toEqual({
      type: "diff",
      path: "note.txt",
      oldText: "first line",
      newText: "edited line",
    });
    expect(edit.flatMap((e) => e.locations ?? [])).toContainEqual({ path: "note.txt", line: 1 });
    expect(edit.at(-1)).toMatchObject({ status: "completed" });
  });

  it("shows Bash's command and its console output", () => {
    const bash = toolEvents(events, "toolu_6d1e7d1547f8d87e5081cdf8");
    expect(bash[0]).toMatchObject({
      type: "tool_call",
      title: "Terminal",
      kind: "execute",
      status: "pending",
    });
    expect(bash[1]).toMatchObject({
      title: "cat note.txt && echo done",
      rawInput: { command: "cat note.txt && echo done", description: "Show the note" },
    });
    expect(bash.at(-1)).toEqual({
      type: "tool_call_update",
      toolCallId: "toolu_6d1e7d1547f8d87e5081cdf8",
      status: "completed",
      rawOutput: "edited line\ndone",
      content: [{ type: "text", text: "```console\nedited line\ndone\n```" }],
    });
  });

  it("reports context usage with the agent's own cost", () => {
    expect(ofType(events, "usage")).toEqual([
      {
        type: "usage",
        usedTokens: 1201,
        contextSize: 1_000_000,
        cost: { amount: 0.023759999999999996, currency: "USD" },
      },
    ]);
  });

  it("lists the slash commands and follows the mode set_mode chose", () => {
    expect(ofType(events, "available_commands")).toEqual([
      {
        type: "available_commands",
        commands: [
          {
            name: "debug",
            description: "Enable debug logging for this session and help diagnose issues",
            hint: "[issue description]",
          },
          {
            name: "compact",
            description: expect.any(String),
            hint: "<optional custom summarization instructions>",
          },
          { name: "context", description: expect.any(String), hint: null },
        ],
      },
    ]);
    expect(ofType(events, "mode_changed")).toEqual([{ type: "mode_changed", modeId: "acceptEdits" }]);
  });
});

describe("codex-acp", () => {
  const events = normalise("codex-turn.json");

  it("makes Codex's model-metadata warning a notice, not part of the reply", () => {
    expect(ofType(events, "notice")).toEqual([
      {
        type: "notice",
        level: "warning",
        code: "agent_warning",
        message:
          "Model metadata for `gpt-5` not found. Defaulting to fallback metadata; this can degrade performance and cause issues.",
      },
    ]);
    expect(textOf(ofType(events, "agent_message_chunk"))).toBe("Let me plan.All done.");
    expect(textOf(ofType(events, "thought_chunk"))).toBe("\n\nThe user wants a note. I should plan first.");
  });

  it("turns update_plan into plan events", () => {
    expect(ofType(events, "plan")).toEqual([
      { type: "plan", entries: PLAN_STARTED },
      { type: "plan", entries: PLAN_DONE },
    ]);
  });

  it("shows apply_patch as edits with their diffs, paths made relative (keys too)", () => {
    const added = toolEvents(events, "call_bd457db26f314534d3446a56");
    expect(added[0]).toMatchObject({
      type: "tool_call",
      title: "Edit note.txt",
      kind: "edit",
      status: "in_progress",
      rawInput: { changes: { "note.txt": { content: "first line\n", type: "add" } } },
      content: [{ type: "diff", path: "note.txt", oldText: null, newText: "first line\n" }],
      locations: [{ path: "note.txt" }],
    });
    expect(added.at(-1)).toMatchObject({
      status: "completed",
      rawOutput: { stdout: "Success. Updated the following files:\nA note.txt\n", success: true },
    });
    expect(toolEvents(events, "call_7c867d1e882e5cb9b29bc7b0")[0]).toMatchObject({
      content: [{ type: "diff", path: "note.txt", oldText: "first line\n", newText: "edited line\n" }],
    });
  });

  it("gives a shell command's output, only in rawOutput, as text content", () => {
    const shell = toolEvents(events, "call_4aef8aa05891d16e86b5f98e");
    expect(shell[0]).toMatchObject({
      type: "tool_call",
      title: "cat note.txt && echo done",
      kind: "execute",
      status: "in_progress",
      rawInput: { command: ["/bin/bash", "-lc", "cat note.txt && echo done"], cwd: "." },
      content: [],
    });
    expect(shell.at(-1)).toMatchObject({
      type: "tool_call_update",
      status: "completed",
      rawOutput: { exit_code: 0, stdout: "edited line\ndone\n" },
      content: [{ type: "text", text: "edited line\ndone\n" }],
    });
  });

  it("reports usage without a cost, and the mode set_mode chose", () => {
    expect(ofType(events, "usage")[0]).toEqual({ type: "usage", usedTokens: 940, contextSize: 258_400 });
    expect(ofType(events, "mode_changed")).toEqual([{ type: "mode_changed", modeId: "read-only" }]);
    expect(ofType(events, "available_commands")[0]?.commands.map((c) => c.name)).toEqual([
      "review",
      "init",
      "compact",
    ]);
  });

  it("asks to retry a patch outside its sandbox; a failed command with no output gets no content", () => {
    const asked = normalise("codex-ask-turn.json");
    expect(ofType(asked, "permission_requested")).toEqual([
      expect.objectContaining({
        interactionId: "int:permission:2cd44bec-870d-42b0-9a71-71eb363c27c2",
        toolCallId: "call_6dc21f5d04aa0c5daa0ac31a",
        title: "Edit note.txt",
        options: [
          { optionId: "approved", name: "Yes", kind: "allow_once" },
          { optionId: "abort", name: "No, provide feedback", kind: "reject_once" },
        ],
        content: [
          { type: "diff", path: "note.txt", oldText: null, newText: "first line\n" },
          { type: "text", text: "command failed; retry without sandbox?" },
        ],
      }),
    ]);
    const failed = toolEvents(asked, "call_b9e56e0e15aa1d68f30c53da").at(-1);
    expect(failed).toMatchObject({ status: "failed", rawOutput: { exit_code: 1 } });
    expect(failed).not.toHaveProperty("content");
  });
});

describe("session updates neither agent sent in the recordings (shapes from the ACP schema)", () => {
  const update = (u: Record<string, unknown>) =>
    normaliseAgentMessage(
      { jsonrpc: "2.0", method: "session/update", params: { sessionId: "s", update: u } },
      context,
    );

  it("maps current_mode_update and session_info_update", () => {
    expect(update({ sessionUpdate: "current_mode_update", currentModeId: "plan" })).toEqual([
      { type: "mode_changed", modeId: "plan" },
    ]);
    expect(update({ sessionUpdate: "session_info_update", title: "Fix the login form" })).toEqual([
      { type: "session_info", title: "Fix the login form" },
    ]);
    expect(update({ sessionUpdate: "session_info_update", title: null })).toEqual([
      { type: "session_info", title: null },
    ]);
    expect(update({ sessionUpdate: "session_info_update", updatedAt: "2026-12-07T00:00:00Z" })).toEqual([]);
  });

  it("keeps a plan's readable entries, however malformed the rest", () => {
    expect(
      update({
        sessionUpdate: "plan",
        entries: [
          { content: "Known", priority: "high", status: "pending" },
          { content: "Odd values", priority: "urgent", status: "blocked" },
          { priority: "low", status: "completed" },
          "not an entry",
          null,
        ],
      }),
    ).toEqual([
      {
        type: "plan",
        entries: [
          { content: "Known", priority: "high", status: "pending" },
          { content: "Odd values", priority: "medium", status: "pending" },
        ],
      },
    ]);
    expect(update({ sessionUpdate: "plan", entries: [] })).toEqual([{ type: "plan", entries: [] }]);
    expect(update({ sessionUpdate: "plan", entries: "x" })).toEqual([]);
  });

  it("drops malformed commands, modes and costs instead of throwing", () => {
    expect(
      update({
        sessionUpdate: "available_commands_update",
        availableCommands: [
          { name: "ok" },
          { description: "no name" },
          { name: "" },
          7,
          { name: "h", input: { hint: 3 } },
        ],
      }),
    ).toEqual([
      {
        type: "available_commands",
        commands: [
          { name: "ok", description: "", hint: null },
          { name: "h", description: "", hint: null },
        ],
      },
    ]);
    expect(update({ sessionUpdate: "available_commands_update" })).toEqual([]);
    expect(update({ sessionUpdate: "current_mode_update", currentModeId: 5 })).toEqual([]);
    expect(
      update({
        sessionUpdate: "config_option_update",
        configOptions: [{ category: "model", currentValue: "x" }],
      }),
    ).toEqual([]);
    expect(update({ sessionUpdate: "config_option_update", configOptions: "x" })).toEqual([]);
    expect(
      update({ sessionUpdate: "usage_update", used: 5, size: 10, cost: { amount: "1", currency: "USD" } }),
    ).toEqual([{ type: "usage", usedTokens: 5, contextSize: 10 }]);
  });

  it("leaves a message that only mentions the warning as the agent's reply", () => {
    const text = "Codex said: Model metadata for `gpt-5` not found. Defaulting to fallback metadata; ok";
    expect(update({ sessionUpdate: "agent_message_chunk", content: { type: "text", text } })).toEqual([
      { type: "agent_message_chunk", messageId: null, text },
    ]);
  });

  it("does not turn rawOutput into content when the agent sent content of its own", () => {
    const [event] = update({
      sessionUpdate: "tool_call_update",
      toolCallId: "t",
      status: "completed",
      content: [],
      rawOutput: { aggregated_output: "out" },
    });
    expect(event).toEqual({
      type: "tool_call_update",
      toolCallId: "t",
      status: "completed",
      rawOutput: { aggregated_output: "out" },
      content: [],
    });
  });
});
