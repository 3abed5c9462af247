// `runCommand` for local sandboxes: `bash -lc` in the workspace with the sandbox's environment
// (and confinement), its own process group so a timeout ends the whole pipeline.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { CommandResult } from "../types.ts";
import { inLoweredSessionGroup } from "./priority.ts";
import { signalGroup } from "./procfs.ts";

/** Exit code reported for a command that hit its timeout (as coreutils `timeout` does). */
export const TIMEOUT_EXIT_CODE = 124;
const MAX_OUTPUT = 4 * 1024 * 1024;

export interface RunOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Niceness of the command's scheduling group (it runs in a session of its own). */
  niceness: number;
}

function collector() {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    push(chunk: Buffer) {
      if (size >= MAX_OUTPUT) {
        truncated = true;
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    },
    text() {
      const text = Buffer.concat(chunks).toString("utf8");
      return truncated ? `${text}\n[output truncated at ${MAX_OUTPUT} bytes]` : text;
    },
  };
}

export function runProcess(options: RunOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = inLoweredSessionGroup(options.niceness, options.argv);
    const child = spawn(command!, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout = collector();
    const stderr = collector();
    child.stdout.on("data", stdout.push);
    child.stderr.on("data", stderr.push);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) signalGroup(child.pid, "SIGKILL");
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      // Background jobs the command left in its group must not outlive it.
      if (child.pid) signalGroup(child.pid, "SIGKILL");
      if (timedOut) {
        const note = `command timed out after ${options.timeoutMs} ms`;
        resolve({
          exitCode: TIMEOUT_EXIT_CODE,
          stdout: stdout.text(),
          stderr: `${stderr.text()}\n${note}`.trimStart(),
        });
        return;
      }
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      resolve({ exitCode, stdout: stdout.text(), stderr: stderr.text() });
    });
  });
}
