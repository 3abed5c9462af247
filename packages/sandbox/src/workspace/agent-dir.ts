// The studio's own agent configuration lives outside the workspace, in a directory of the sandbox
// each provider places (local: `<sandbox>/agent`, bound read-only when confined; E2B:
// `/home/user/.studio/agent`), so a person's repository never shows it as a change and it never
// overwrites the repository's own `opencode.json` or `AGENTS.md`. The generator is pure and does
// not know where a sandbox lives: it names files and environment values with AGENT_DIR, and the
// provider replaces that prefix with the real directory (`placeAgentDir`) before writing.
import type { WorkspaceFile } from "../types.ts";

/** Stands for the sandbox's agent directory in generated file paths and environment values. */
export const AGENT_DIR = "@studio-agent";

/** Environment variable holding the agent directory (referenced as `{env:…}` in the config). */
export const AGENT_DIR_ENV = "STUDIO_AGENT_DIR";

/** The studio's OpenCode config (`OPENCODE_CONFIG`) and instructions, inside the agent directory. */
export const AGENT_CONFIG_FILE = "opencode.json";
export const AGENT_INSTRUCTIONS_FILE = "instructions.md";

/** `@studio-agent/<name>`: a file of the agent directory, wherever the provider puts it. */
export function agentDirPath(name: string): string {
  return `${AGENT_DIR}/${name}`;
}

function place(value: string, dir: string): string {
  const base = dir.replace(/\/+$/, "");
  if (value === AGENT_DIR) return base;
  if (value.startsWith(`${AGENT_DIR}/`)) return `${base}${value.slice(AGENT_DIR.length)}`;
  return value;
}

/**
 * Puts the agent directory's files in `dir` (an absolute path inside the sandbox) and points the
 * environment values that name it there. Everything else is returned unchanged.
 */
export function placeAgentDir(
  bundle: { files?: WorkspaceFile[]; env: Record<string, string> },
  dir: string,
): { files: WorkspaceFile[]; env: Record<string, string> } {
  if (!dir.startsWith("/")) throw new Error(`agent directory must be absolute: ${dir}`);
  return {
    files: (bundle.files ?? []).map((file) => ({ ...file, path: place(file.path, dir) })),
    env: Object.fromEntries(Object.entries(bundle.env).map(([key, value]) => [key, place(value, dir)])),
  };
}
