import { describe, expect, it } from "vitest";
import { reduceEvents } from "../chat-reducer.ts";
import type { ToolItem } from "../chat-types.ts";
import { type AgentRecording, numbered, recordingEvents, turn } from "../test-events.ts";
import { commandOf, outputText, terminalText, toolView } from "./tool-display.ts";

describe("terminalText", () => {
  it("unwraps the Markdown fence claude-agent-acp puts around a Bash result", () => {
    expect(terminalText("```console\nhi\n```")).toBe("hi");
    expect(terminalText("```\nline one\nline two\n```\n")).toBe("line one\nline two");
    expect(terminalText("````console\n```inner```\n````")).toBe("```inner```");
  });

  it("leaves any other output as it is", () => {
    expect(terminalText("hi")).toBe("hi");
    expect(terminalText("before\n```console\nhi\n```")).toBe("before\n```console\nhi\n```");
    expect(terminalText("```console\nunterminated")).toBe("```console\nunterminated");
  });
});

/** A tool call's card as the chat holds it after the whole recorded turn. */
function recordedTool(name: AgentRecording, toolCallId: string): ToolItem {
  const state = reduceEvents(numbered(turn("go", recordingEvents(name))));
  const item = state.items.find((i): i is ToolItem => i.kind === "tool" && i.toolCallId === toolCallId);
  if (!item) throw new Error(`no tool call ${toolCallId} in ${name}`);
  return item;
}

describe("commandOf", () => {
  it("takes a command string as it is", () => {
    expect(commandOf({ command: "cat note.txt && echo done", description: "Show the note" })).toBe(
      "cat note.txt && echo done",
    );
  });

  it("shows the script of Codex's shell argument list, not the shell running it", () => {
    expect(commandOf({ command: ["/bin/bash", "-lc", "cat note.txt && echo done"], cwd: "." })).toBe(
      "cat note.txt && echo done",
    );
    expect(commandOf({ command: ["sh", "-c", "ls"] })).toBe("ls");
    expect(commandOf({ command: ["/usr/bin/zsh", "-c", "ls -la"] })).toBe("ls -la");
  });

  it("joins any other argument list as a shell would need it typed", () => {
    expect(commandOf({ command: ["git", "commit", "-m", "it's done"] })).toBe(
      `git commit -m 'it'\\''s done'`,
    );
    expect(commandOf({ command: ["/bin/bash", "-lc"] })).toBe("/bin/bash -lc");
    expect(commandOf({ command: ["python3", "-c", "print(1)"] })).toBe("python3 -c 'print(1)'");
  });

  it("shows no command for input that names none, or names it oddly", () => {
    expect(commandOf({ command: [] })).toBeNull();
    expect(commandOf({ command: ["ls", 3] })).toBeNull();
    expect(commandOf({ command: { run: "ls" } })).toBeNull();
    expect(commandOf(["ls"])).toBeNull();
    expect(commandOf(null)).toBeNull();
  });
});

describe("toolView of the recorded agents' calls", () => {
  it("shows Codex's shell command from its argument list, and its output as a terminal's", () => {
    const view = toolView(recordedTool("codex-turn.json", "call_4aef8aa05891d16e86b5f98e"));
    expect(view).toMatchObject({ command: "cat note.txt && echo done", inputJson: null, shell: true });
  });

  it("hides the input beside a diff: Claude Code's Write and Codex's apply_patch", () => {
    const write = recordedTool("claude-turn.json", "toolu_59985914e8acd491636af53d");
    expect(write.content).toContainEqual(expect.objectContaining({ type: "diff" }));
    expect(toolView(write)).toMatchObject({ inputJson: null, inputDiff: null, showsInput: true });
    const patch = recordedTool("codex-turn.json", "call_bd457db26f314534d3446a56");
    expect(patch.rawInput).toHaveProperty("changes");
    expect(toolView(patch)).toMatchObject({ inputJson: null, fallbackOutput: null, showsInput: true });
  });

  it("says how a Codex command that printed nothing failed, instead of its whole rawOutput", () => {
    const failed = recordedTool("codex-ask-turn.json", "call_b9e56e0e15aa1d68f30c53da");
    expect(failed).toMatchObject({ status: "failed", content: [] });
    expect(toolView(failed)).toMatchObject({
      command: "cat note.txt && echo done",
      fallbackOutput: "Exit code 1, no output",
      shell: true,
    });
  });

  it("still shows the input of a call with no diff", () => {
    const view = toolView({
      toolKind: "search",
      rawInput: { pattern: "TODO" },
      rawOutput: undefined,
      content: [],
    });
    expect(view.inputJson).toBe('{\n  "pattern": "TODO"\n}');
  });
});

describe("outputText of a process's rawOutput", () => {
  it("prefers the formatted output, then the streams, and adds a non-zero exit code", () => {
    expect(outputText({ exit_code: 2, formatted_output: "boom\n", stderr: "boom\n", stdout: "" })).toBe(
      "boom\n\nExit code 2",
    );
    expect(outputText({ exit_code: 1, stdout: "partial\n", stderr: "cat: x: No such file\n" })).toBe(
      "partial\ncat: x: No such file\n\nExit code 1",
    );
    expect(outputText({ exit_code: 0, aggregated_output: "ok\n", call_id: "c" })).toBe("ok");
    expect(outputText({ exit_code: 0, stdout: "" })).toBe("(no output)");
  });

  it("keeps the other shapes it knew", () => {
    expect(outputText("plain")).toBe("plain");
    expect(outputText({ output: "o", exit_code: 1 })).toBe("o");
    expect(outputText({ error: "bad" })).toBe("bad");
    expect(outputText({ something: 1 })).toBe('{\n  "something": 1\n}');
    expect(outputText({ exit_code: "1" })).toBe('{\n  "exit_code": "1"\n}');
  });
});

describe("toolView output", () => {
  it("leaves out Claude Code's description sent as content before the command ran", () => {
    const pending = {
      toolKind: "execute",
      rawInput: { command: "echo hi", description: "Say hi" },
      rawOutput: undefined,
      content: [{ type: "text" as const, text: "Say hi" }],
    };
    expect(toolView(pending)).toMatchObject({ output: [], fallbackOutput: null, description: "Say hi" });
    const done = { ...pending, content: [{ type: "text" as const, text: "hi" }] };
    expect(toolView(done).output).toEqual([{ type: "text", text: "hi" }]);
  });
});
