import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { WireFormat } from "../types.ts";

/** The OpenCode CLI the sandbox package installs (npm `opencode-ai`). */
export const OPENCODE_BIN = fileURLToPath(
  new URL("../../../../sandbox/node_modules/.bin/opencode", import.meta.url),
);

const MODEL = { name: "Scripted 1", tool_call: true, limit: { context: 128000, output: 8192 } };

/**
 * An opencode.json pointing one provider at the server: a custom openai-compatible provider for
 * chat completions, and the built-in openai, anthropic and google providers (with `baseURL`
 * overridden) for the other formats.
 */
export function opencodeConfig(
  format: WireFormat,
  serverUrl: string,
): { providerId: string; config: object } {
  const options = (path: string) => ({ baseURL: `${serverUrl}${path}`, apiKey: "{env:FAKE_KEY}" });
  const providers: Record<WireFormat, [string, object]> = {
    "chat-completions": ["fake", { npm: "@ai-sdk/openai-compatible", name: "Fake", options: options("/v1") }],
    responses: ["openai", { options: options("/v1") }],
    anthropic: ["anthropic", { options: options("/v1") }],
    google: ["google", { options: options("/v1beta") }],
  };
  const [providerId, provider] = providers[format];
  const config = {
    $schema: "https://opencode.ai/config.json",
    provider: { [providerId]: { ...provider, models: { "scripted-1": MODEL } } },
    model: `${providerId}/scripted-1`,
    // Without it OpenCode picks a small model by name from its catalogue for the title request.
    small_model: `${providerId}/scripted-1`,
    enabled_providers: [providerId],
    autoupdate: false,
    share: "disabled",
    permission: { bash: "allow", edit: "allow", webfetch: "deny" },
  };
  return { providerId, config };
}

export interface OpencodeRun {
  exitCode: number | null;
  /** The `--format json` event lines OpenCode printed. */
  // biome-ignore lint/suspicious/noExplicitAny: OpenCode's event shapes are inspected loosely.
  events: any[];
  stdout: string;
  stderr: string;
  projectDir: string;
  durationMs: number;
}

/**
 * Runs `opencode run --format json` once in a throwaway project with its own HOME and XDG dirs,
 * so that nothing from the machine's own OpenCode setup leaks in.
 */
export async function runOpencode(opts: {
  format: WireFormat;
  serverUrl: string;
  prompt: string;
  timeoutMs?: number;
}): Promise<OpencodeRun> {
  if (!existsSync(OPENCODE_BIN)) throw new Error(`OpenCode is not installed at ${OPENCODE_BIN}`);
  const root = mkdtempSync(join(tmpdir(), "scripted-opencode-"));
  const projectDir = join(root, "project");
  mkdirSync(projectDir);
  writeFileSync(
    join(projectDir, "opencode.json"),
    JSON.stringify(opencodeConfig(opts.format, opts.serverUrl).config, null, 2),
  );
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: join(root, "home"),
    XDG_CONFIG_HOME: join(root, "config"),
    XDG_DATA_HOME: join(root, "data"),
    XDG_CACHE_HOME: join(root, "cache"),
    XDG_STATE_HOME: join(root, "state"),
    // OpenCode (a Bun binary) unpacks a 5 MB native library into TMPDIR at each start and leaves
    // it there: inside the root, it goes with the root.
    TMPDIR: root,
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    // As the studio's launcher sets it (sandbox launcher.ts): a second of CPU less per start.
    BUN_JSC_useFTLJIT: "0",
    FAKE_KEY: "scripted-key",
  };
  const started = Date.now();
  // stdin must not stay open: `opencode run` waits for piped input to end. Its own process group
  // lets a timeout kill the binary behind the npm shell shim too.
  const child = spawn(OPENCODE_BIN, ["run", "--format", "json", "--thinking", opts.prompt], {
    cwd: projectDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  }, opts.timeoutMs ?? 90_000);
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  const events = stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
  const run = { exitCode, events, stdout, stderr, projectDir, durationMs: Date.now() - started };
  return run;
}

export function cleanupRun(run: OpencodeRun): void {
  rmSync(join(run.projectDir, ".."), { recursive: true, force: true });
}
