import {
  Brain,
  FilePen,
  FileText,
  FolderInput,
  Globe,
  type LucideIcon,
  Search,
  SquareTerminal,
  Trash2,
  Wrench,
} from "lucide-react";
import type { ToolCallStatus, ToolItem } from "../chat-types.ts";

const icons: Record<string, LucideIcon> = {
  read: FileText,
  edit: FilePen,
  delete: Trash2,
  move: FolderInput,
  search: Search,
  execute: SquareTerminal,
  think: Brain,
  fetch: Globe,
};

export const toolIcon = (kind: string | null): LucideIcon => (kind ? icons[kind] : undefined) ?? Wrench;

export const statusLabels: Record<ToolCallStatus, string> = {
  pending: "Pending",
  in_progress: "Running",
  completed: "Completed",
  failed: "Failed",
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === "object" && !Array.isArray(value);

/** A word of a command line as a shell would need it typed. */
const shellWord = (word: string) =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * The shell command of an execute call, if its input names one: a string (OpenCode, Claude Code)
 * or an argument list (Codex: `["/bin/bash", "-lc", "<command>"]`, shown as the command itself).
 */
export function commandOf(rawInput: unknown): string | null {
  if (!isRecord(rawInput)) return null;
  const command = rawInput.command;
  if (typeof command === "string") return command;
  if (!Array.isArray(command) || command.length === 0) return null;
  if (!command.every((word): word is string => typeof word === "string")) return null;
  const [program = "", flag = "", script] = command;
  if (command.length === 3 && /(^|\/)(ba|z|da)?sh$/.test(program) && /^-\w*c$/.test(flag) && script) {
    return script;
  }
  return command.map(shellWord).join(" ");
}

export function descriptionOf(rawInput: unknown): string | null {
  return isRecord(rawInput) && typeof rawInput.description === "string" ? rawInput.description : null;
}

/** Input worth showing as JSON: anything but an empty object and the fields shown elsewhere. */
export function inputJson(rawInput: unknown): string | null {
  if (rawInput === undefined || rawInput === null) return null;
  if (isRecord(rawInput)) {
    const { command: _command, description: _description, cwd: _cwd, ...rest } = rawInput;
    if (Object.keys(rest).length === 0) return null;
    return JSON.stringify(rest, null, 2);
  }
  return typeof rawInput === "string" ? rawInput : JSON.stringify(rawInput, null, 2);
}

/** Text output carried only in rawOutput (no content blocks), e.g. an error message. */
export function outputText(rawOutput: unknown): string | null {
  if (rawOutput === undefined || rawOutput === null) return null;
  if (typeof rawOutput === "string") return rawOutput;
  if (isRecord(rawOutput)) {
    if (typeof rawOutput.output === "string") return rawOutput.output;
    if (typeof rawOutput.error === "string") return rawOutput.error;
    const process = processOutput(rawOutput);
    if (process !== null) return process;
  }
  return JSON.stringify(rawOutput, null, 2);
}

const text = (value: unknown) => (typeof value === "string" ? value.trimEnd() : "");

/**
 * A finished process as Codex reports it (`exit_code`, `formatted_output`, `aggregated_output`,
 * `stdout`, `stderr`, beside ids and timings nobody needs): what it printed and how it exited.
 */
function processOutput(rawOutput: Record<string, unknown>): string | null {
  const exitCode = typeof rawOutput.exit_code === "number" ? rawOutput.exit_code : null;
  const streams = ["formatted_output", "aggregated_output", "stdout", "stderr"];
  if (exitCode === null && !streams.some((key) => typeof rawOutput[key] === "string")) return null;
  const printed =
    text(rawOutput.formatted_output) ||
    text(rawOutput.aggregated_output) ||
    [text(rawOutput.stdout), text(rawOutput.stderr)].filter(Boolean).join("\n");
  if (exitCode === null || exitCode === 0) return printed || "(no output)";
  return printed ? `${printed}\n\nExit code ${exitCode}` : `Exit code ${exitCode}, no output`;
}

/**
 * A command's output as a terminal shows it. claude-agent-acp wraps a Bash result in a Markdown
 * fence ("```console\nhi\n```") meant for a Markdown view; a terminal would show the fence itself.
 */
export function terminalText(text: string): string {
  const fenced = /^(`{3,})[\w-]*\n([\s\S]*?)\n?\1\s*$/.exec(text);
  return fenced ? (fenced[2] ?? "") : text;
}

/**
 * The change an edit tool's input describes, for agents that send no diff content of their own
 * (OpenCode's `write`: filePath + content; `edit`: filePath + oldString + newString).
 */
export function diffFromInput(
  rawInput: unknown,
): { path: string; oldText: string | null; newText: string } | null {
  if (!isRecord(rawInput) || typeof rawInput.filePath !== "string") return null;
  if (typeof rawInput.oldString === "string" && typeof rawInput.newString === "string") {
    return { path: rawInput.filePath, oldText: rawInput.oldString, newText: rawInput.newString };
  }
  if (typeof rawInput.content === "string") {
    return { path: rawInput.filePath, oldText: null, newText: rawInput.content };
  }
  return null;
}

/** What a tool card shows of a call's input and output, each part null when it shows none. */
export interface ToolView {
  command: string | null;
  description: string | null;
  /** The change described by the input, when the agent sent no diff of its own. */
  inputDiff: ReturnType<typeof diffFromInput>;
  /** The rest of the input, as JSON. */
  inputJson: string | null;
  /** The call's content blocks worth showing as its output. */
  output: ToolItem["content"];
  /** Output read from rawOutput, when the call has no content blocks. */
  fallbackOutput: string | null;
  /** Whether output reads as a terminal's. */
  shell: boolean;
  /** Whether the card shows what the call will do (so a permission need not show it again). */
  showsInput: boolean;
}

export function toolView(item: Pick<ToolItem, "toolKind" | "rawInput" | "rawOutput" | "content">): ToolView {
  const command = commandOf(item.rawInput);
  const hasDiff = item.content.some((block) => block.type === "diff");
  const inputDiff = hasDiff ? null : diffFromInput(item.rawInput);
  const description = descriptionOf(item.rawInput);
  // claude-agent-acp sends a Bash call's description as its content until the output replaces it:
  // shown as "Output", it would read as if the command had printed it.
  const output = item.content.filter(
    (block) => !(block.type === "text" && description !== null && block.text.trim() === description.trim()),
  );
  return {
    command,
    description,
    inputDiff,
    // Beside a diff, the input is the same change again (Claude Code's Write `{content, file_path}`,
    // Codex's `{changes, call_id, …}`), so it is noise.
    inputJson: command || inputDiff || hasDiff ? null : inputJson(item.rawInput),
    output,
    fallbackOutput: output.length === 0 ? outputText(item.rawOutput) : null,
    shell: item.toolKind === "execute" || command !== null,
    showsInput: command !== null || inputDiff !== null || hasDiff,
  };
}
