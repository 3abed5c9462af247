// Locates the real sandbox-agent and OpenCode executables installed from npm. Both packages'
// `.bin` entries are wrappers (a Node script, a shell script); sandbox-agent needs the real
// `opencode` on PATH and we want real PIDs to track, so we resolve the platform packages. Claude
// Code and Codex are found the same way (agent-binaries.ts); they are optional here so that a
// machine without them still runs OpenCode.
import { accessSync, constants, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { type AcpAgentBinaries, resolveClaudeBinaries, resolveCodexBinaries } from "./agent-binaries.ts";

export interface AgentBinaries {
  sandboxAgent: string;
  opencode: string;
  sandboxAgentVersion: string;
  opencodeVersion: string;
  /** Claude Code and its ACP adapter; null (or absent) when they are not installed. */
  claude?: AcpAgentBinaries | null;
  /** Codex and its ACP adapter; null (or absent) when they are not installed. */
  codex?: AcpAgentBinaries | null;
}

const here = createRequire(import.meta.url);

export function isMusl(): boolean {
  // sandbox-agent detects musl the same way: by its dynamic linker.
  for (const file of ["/lib/ld-musl-x86_64.so.1", "/lib/ld-musl-aarch64.so.1"]) {
    try {
      accessSync(file);
      return true;
    } catch {}
  }
  return false;
}

export function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function version(packageJson: string): string {
  return (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
}

/** The first of `names` that is installed and holds an executable at `relative` (default bin/<binary>). */
export function resolveFrom(
  require: NodeRequire,
  names: string[],
  binary: string,
  relative = path.join("bin", binary),
): string | null {
  for (const name of names) {
    let packageJson: string;
    try {
      packageJson = require.resolve(`${name}/package.json`);
    } catch {
      continue;
    }
    const file = path.join(path.dirname(packageJson), relative);
    if (executable(file)) return file;
  }
  return null;
}

export function platformPackages(prefix: string, separator: string): string[] {
  const arch = process.arch;
  const base = `${prefix}${separator}${process.platform}-${arch}`;
  // OpenCode ships baseline (no AVX2) and musl builds as separate optional packages.
  return isMusl() ? [`${base}-musl`, `${base}-baseline-musl`, base] : [base, `${base}-baseline`];
}

let cached: AgentBinaries | undefined;

/** Resolves both binaries from this package's dependencies; throws with what is missing. */
export function resolveAgentBinaries(): AgentBinaries {
  if (cached) return cached;
  const cliJson = here.resolve("@sandbox-agent/cli/package.json");
  const cliRequire = createRequire(cliJson);
  const sandboxAgent = resolveFrom(cliRequire, platformPackages("@sandbox-agent/cli", "-"), "sandbox-agent");
  if (!sandboxAgent) {
    throw new Error(`sandbox-agent binary for ${process.platform}-${process.arch} not installed`);
  }
  const opencodeJson = here.resolve("opencode-ai/package.json");
  const opencodeRequire = createRequire(opencodeJson);
  const opencode = resolveFrom(opencodeRequire, platformPackages("opencode", "-"), "opencode");
  if (!opencode) throw new Error(`opencode binary for ${process.platform}-${process.arch} not installed`);
  cached = {
    sandboxAgent,
    opencode,
    sandboxAgentVersion: version(cliJson),
    opencodeVersion: version(opencodeJson),
    claude: resolveClaudeBinaries(here),
    codex: resolveCodexBinaries(here),
  };
  return cached;
}
