import { type ChildProcess, spawn } from "node:child_process";
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
const FORMATS: WireFormat[] = ["chat-completions", "responses", "anthropic", "google"];

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

/** One prompt's outcome, as OpenCode stored it: what `opencode run --format json` prints from. */
export interface OpencodeTurn {
  /** The errors OpenCode recorded on the session's replies (what makes `opencode run` exit 1). */
  errors: unknown[];
  /** The parts of the session's replies in order (text, reasoning, tool, step-start, step-finish…). */
  // biome-ignore lint/suspicious/noExplicitAny: OpenCode's part shapes are inspected loosely.
  parts: any[];
  /** The whole session, for a failure's report. */
  messages: unknown[];
  projectDir: string;
}

export interface OpencodeServer {
  /** The project directory whose opencode.json is `opencodeConfig(format)`. */
  projectDir(format: WireFormat): string;
  /** A new session in the format's project, prompted once; resolves when the turn is over. */
  prompt(format: WireFormat, text: string): Promise<OpencodeTurn>;
  /** What OpenCode printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts one `opencode serve` for a file's tests: an OpenCode start costs seconds of CPU (loading
 * its bundle, its first session and prompt all run cold JavaScript), a prompt to a running one
 * far less. Each format gets a project directory of its own with the same opencode.json an
 * `opencode run` there would load; OpenCode keeps one instance per directory, so each prompt sees
 * only its format's provider. It runs with its own HOME and XDG dirs, so that nothing from the
 * machine's own OpenCode setup leaks in.
 */
export async function startOpencodeServer(opts: { serverUrl: string }): Promise<OpencodeServer> {
  if (!existsSync(OPENCODE_BIN)) throw new Error(`OpenCode is not installed at ${OPENCODE_BIN}`);
  const root = mkdtempSync(join(tmpdir(), "scripted-opencode-"));
  const projects = new Map<WireFormat, string>();
  for (const format of FORMATS) {
    const dir = join(root, format);
    mkdirSync(dir);
    writeFileSync(
      join(dir, "opencode.json"),
      JSON.stringify(opencodeConfig(format, opts.serverUrl).config, null, 2),
    );
    projects.set(format, dir);
  }
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
  // Its own process group, so that stopping it kills the binary behind the npm shell shim too.
  const child = spawn(OPENCODE_BIN, ["serve", "--hostname", "127.0.0.1", "--port", "0"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const stop = async () => {
    killGroup(child);
    await exited;
    rmSync(root, { recursive: true, force: true });
  };
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const collect = (data: Buffer) => {
        output += data;
        const listening = /listening on (http:\/\/\S+)/.exec(output);
        if (listening) resolve(listening[1]!);
      };
      child.stdout.on("data", collect);
      child.stderr.on("data", collect);
      child.once("close", (code) => reject(new Error(`opencode serve exited with ${code}:\n${output}`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }

  // biome-ignore lint/suspicious/noExplicitAny: OpenCode's JSON is inspected loosely.
  const call = async (method: string, path: string, dir: string, body?: object): Promise<any> => {
    const response = await fetch(`${url}${path}?directory=${encodeURIComponent(dir)}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body && JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

  return {
    projectDir: (format) => projects.get(format)!,
    async prompt(format, text) {
      const projectDir = projects.get(format)!;
      const session = await call("POST", "/session", projectDir, {});
      // Answers once the turn is over (tool calls and their follow-ups included), as `opencode run`
      // waits for the session to go idle.
      await call("POST", `/session/${session.id}/message`, projectDir, {
        parts: [{ type: "text", text }],
      });
      // biome-ignore lint/suspicious/noExplicitAny: as above.
      const messages: any[] = await call("GET", `/session/${session.id}/message`, projectDir);
      const replies = messages.filter((message) => message.info.role === "assistant");
      return {
        errors: replies.map((reply) => reply.info.error).filter((error) => error !== undefined),
        parts: replies.flatMap((reply) => reply.parts),
        messages,
        projectDir,
      };
    },
    output: () => output,
    stop,
  };
}

function killGroup(child: ChildProcess) {
  try {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}
