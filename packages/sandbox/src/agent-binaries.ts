// Claude Code and Codex as installed from npm (pinned in the pnpm catalog), resolved like OpenCode:
// the real platform binaries, not the packages' `.bin` wrappers. Each agent is two pieces:
//   - its own CLI (`claude`, `codex`), which sandbox-agent 0.4.2 requires on PATH before it starts
//     the agent ("native required"; without it `404 agent_not_installed`);
//   - the ACP adapter sandbox-agent speaks to, started through the launcher file
//     `agent_processes/<agent>-acp` (workspace/launcher.ts).
// claude-agent-acp is a Node program with dependencies, so a confined sandbox must see the
// directories of its whole package closure (read-only), not just one binary.
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { executable, platformPackages, resolveFrom, version } from "./binaries.ts";

export interface AcpAgentBinaries {
  /** The agent's own CLI (`claude`, `codex`): on the sandbox's PATH. */
  cli: string;
  /** argv that starts the ACP adapter (the launcher execs it). */
  adapter: string[];
  /** Variables the launcher exports for the adapter. */
  adapterEnv: Record<string, string>;
  /** Directories the adapter and CLI read at run time, bound read-only in a confined sandbox. */
  readDirs: string[];
  /** Directories to put on the sandbox's PATH (the CLI's, and helpers the agent runs). */
  pathDirs: string[];
  cliVersion: string;
  adapterVersion: string;
}

/**
 * `<package dir>/package.json` as Node would find the package from `require`'s location. Looked up
 * along the resolution paths, not with `require.resolve`: a package whose `exports` map does not
 * name `./package.json` (claude-agent-sdk's) cannot be resolved that way.
 */
function packageJsonOf(require: NodeRequire, name: string): string | null {
  for (const dir of require.resolve.paths(name) ?? []) {
    const file = path.join(dir, name, "package.json");
    // Real path, as require.resolve gives: dependencies are found beside the real package (pnpm).
    if (existsSync(file)) return realpathSync(file);
  }
  return null;
}

/**
 * The `node_modules` directories holding `name` and everything it depends on, at their real paths.
 * With pnpm each package sits in `.pnpm/<id>/node_modules/<name>` beside symlinks to its
 * dependencies, so binding each such directory (the symlinks are relative) makes the closure
 * resolvable inside the sandbox without exposing the rest of the studio's node_modules.
 */
export function packageClosureDirs(require: NodeRequire, name: string): string[] {
  const roots = new Set<string>();
  const seen = new Set<string>();
  const visit = (from: NodeRequire, pkg: string) => {
    const json = packageJsonOf(from, pkg);
    if (!json) return; // an optional dependency for another platform
    const dir = realpathSync(path.dirname(json));
    if (seen.has(dir)) return;
    seen.add(dir);
    const segments = pkg.split("/").length;
    roots.add(path.resolve(dir, ...Array<string>(segments).fill("..")));
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    const next = createRequire(path.join(dir, "package.json"));
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      visit(next, dep);
    }
  };
  visit(require, name);
  return [...roots];
}

/** `@anthropic-ai/claude-code` (the native `claude`) and `@zed-industries/claude-agent-acp`. */
export function resolveClaudeBinaries(require: NodeRequire): AcpAgentBinaries | null {
  const cliJson = packageJsonOf(require, "@anthropic-ai/claude-code");
  const adapterJson = packageJsonOf(require, "@zed-industries/claude-agent-acp");
  if (!cliJson || !adapterJson) return null;
  // The wrapper's postinstall copies the platform binary over `bin/claude.exe`; pnpm does not run
  // it, so take the platform package's binary directly (as its own cli-wrapper.cjs does).
  const cliRequire = createRequire(cliJson);
  const cli = resolveFrom(cliRequire, platformPackages("@anthropic-ai/claude-code", "-"), "claude", "claude");
  if (!cli) return null;
  const adapterDir = realpathSync(path.dirname(adapterJson));
  const entry = path.join(adapterDir, "dist", "index.js");
  if (!existsSync(entry)) return null;
  return {
    cli,
    // The adapter runs on the studio's own Node. Without CLAUDE_CODE_EXECUTABLE its Agent SDK would
    // run the older Claude Code bundled inside it (cli.js) instead of the pinned one.
    adapter: [process.execPath, entry],
    adapterEnv: { CLAUDE_CODE_EXECUTABLE: cli },
    readDirs: [path.dirname(cli), ...packageClosureDirs(require, "@zed-industries/claude-agent-acp")],
    pathDirs: [path.dirname(cli)],
    cliVersion: version(cliJson),
    adapterVersion: version(adapterJson),
  };
}

/** Codex's platform package keeps its binary under `vendor/<target triple>/bin`. */
function codexVendorDir(require: NodeRequire): string | null {
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  const json = packageJsonOf(require, `@openai/codex-${process.platform}-${arch}`);
  if (!json) return null;
  const vendor = path.join(path.dirname(json), "vendor");
  if (!existsSync(vendor)) return null;
  for (const triple of readdirSync(vendor)) {
    const dir = path.join(vendor, triple);
    if (executable(path.join(dir, "bin", "codex"))) return realpathSync(dir);
  }
  return null;
}

/** `@openai/codex` (the native `codex`) and `@zed-industries/codex-acp` (a native binary too). */
export function resolveCodexBinaries(require: NodeRequire): AcpAgentBinaries | null {
  const cliJson = packageJsonOf(require, "@openai/codex");
  const adapterJson = packageJsonOf(require, "@zed-industries/codex-acp");
  if (!cliJson || !adapterJson) return null;
  const vendor = codexVendorDir(createRequire(cliJson));
  const adapter = resolveFrom(
    createRequire(adapterJson),
    [`@zed-industries/codex-acp-${process.platform}-${process.arch}`],
    "codex-acp",
  );
  if (!vendor || !adapter) return null;
  const cli = path.join(vendor, "bin", "codex");
  // The platform package's layout (codex-package.json): helpers for PATH (rg) in `codex-path/`, and
  // a `bwrap` for Codex's own sandbox in `codex-resources/`, found by Codex itself beside its binary.
  const helpers = path.join(vendor, "codex-path");
  const pathDirs = [path.dirname(cli), ...(existsSync(helpers) ? [helpers] : [])];
  return {
    cli,
    adapter: [adapter],
    adapterEnv: {},
    readDirs: [vendor, path.dirname(realpathSync(adapter))],
    pathDirs,
    cliVersion: version(cliJson),
    adapterVersion: version(adapterJson),
  };
}
