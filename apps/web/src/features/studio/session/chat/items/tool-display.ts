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
import type { ToolCallStatus } from "../chat-types.ts";

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

/** The shell command of an execute call, if its input names one. */
export function commandOf(rawInput: unknown): string | null {
  return isRecord(rawInput) && typeof rawInput.command === "string" ? rawInput.command : null;
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
  }
  return JSON.stringify(rawOutput, null, 2);
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
