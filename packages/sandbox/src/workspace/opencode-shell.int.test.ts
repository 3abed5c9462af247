// The studio's shell for OpenCode's bash tool, run the way OpenCode runs it: `<shell> -c <command>`
// in a process group of its own, stdin ignored, stdout and stderr on pipes, done at 'close'.
// Plain bash beside it shows what it is for: a command that leaves a process running holds the pipes.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OPENCODE_SHELL_SCRIPT } from "./opencode-shell.ts";

const dir = mkdtempSync(path.join(tmpdir(), "studio-oc-shell-"));
const shell = path.join(dir, "bash");
writeFileSync(shell, OPENCODE_SHELL_SCRIPT);
chmodSync(shell, 0o755);
// The command's TMPDIR, where the shell keeps (and at once unlinks) the command's output.
const commandTmp = path.join(dir, "tmp");
mkdirSync(commandTmp);
const leftRunning: number[] = [];

afterAll(() => {
  for (const pid of leftRunning) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  pid: number;
  output: string;
  exitCode: number | null;
  /** From 'exit' to 'close': how long the pipes outlived the command. Null: still open at `waitMs`. */
  closedAfterMs: number | null;
}

function run(
  shellPath: string,
  command: string,
  options: { waitMs?: number; onSpawn?: (pid: number) => void; env?: Record<string, string> } = {},
) {
  return new Promise<Run>((resolve) => {
    const child = spawn(command, [], {
      shell: shellPath,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      env: { PATH: "/usr/bin:/bin", TMPDIR: commandTmp, ...options.env },
    });
    let output = "";
    let exitedAt: number | null = null;
    let exitCode: number | null = null;
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => {
      exitedAt = Date.now();
      exitCode = code;
    });
    const timer = setTimeout(() => {
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ pid: child.pid!, output, exitCode, closedAfterMs: null });
    }, options.waitMs ?? 5_000);
    child.on("close", () => {
      clearTimeout(timer);
      resolve({ pid: child.pid!, output, exitCode, closedAfterMs: Date.now() - (exitedAt ?? Date.now()) });
    });
    options.onSpawn?.(child.pid!);
  });
}

/** Pids of `sleep <seconds>` processes now running (a duration no other test uses). */
function sleeping(seconds: number): number[] {
  return readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      return readFileSync(`/proc/${entry}/cmdline`, "utf8") === `sleep\0${seconds}\0` ? [Number(entry)] : [];
    } catch {
      return []; // ended while we looked
    }
  });
}

describe("OpenCode's bash tool shell", () => {
  it("gives back the command's output, stderr in order, and its exit code", async () => {
    const result = await run(shell, "echo one; echo two >&2; printf three; exit 3");
    expect(result).toMatchObject({ output: "one\ntwo\nthree", exitCode: 3 });
    expect(result.closedAfterMs).not.toBeNull();
    expect(result.closedAfterMs!).toBeLessThan(1_000);
  });

  it("gives the command Bun's own JIT settings, not those OpenCode was started with", async () => {
    const result = await run(shell, "printenv BUN_JSC_useFTLJIT || echo unset", {
      env: { BUN_JSC_useFTLJIT: "0" },
    });
    expect(result.output).toBe("unset\n");
  });

  it("loses nothing of a large output", async () => {
    const result = await run(shell, "seq 1 200000");
    const expected = `${Array.from({ length: 200_000 }, (_, i) => i + 1).join("\n")}\n`;
    expect(result.output.length).toBe(expected.length);
    expect(result.output === expected).toBe(true);
  });

  it("ends with the command while what it started keeps running; plain bash waits for it", async () => {
    const command = "echo started; (sleep 7301 &); sleep 7301 & echo left";
    // Only the sleeps this test starts (another run's may be left on the machine).
    const earlier = new Set(sleeping(7301));
    const ours7301 = () => sleeping(7301).filter((pid) => !earlier.has(pid));
    const plain = await run("/bin/bash", command, { waitMs: 2_000 });
    leftRunning.push(...ours7301());
    expect(plain.closedAfterMs).toBeNull();

    const ours = await run(shell, command);
    expect(ours.output).toBe("started\nleft\n");
    expect(ours.exitCode).toBe(0);
    expect(ours.closedAfterMs!).toBeLessThan(1_000);
    // Both runs' two sleeps are still there, ours unharmed by the call's end (a backgrounded one
    // may still be a forked shell, not yet sleep, the moment the call ends).
    try {
      await expect.poll(ours7301, { timeout: 10_000 }).toHaveLength(4);
    } finally {
      leftRunning.push(...ours7301());
    }
    // The command's output file was unlinked at once: nothing is left behind.
    expect(readdirSync(commandTmp)).toEqual([]);
  });

  it("ends when OpenCode kills the command's process group (abort, timeout)", async () => {
    const result = await run(shell, "echo waiting; sleep 7302", {
      onSpawn: (pid) => setTimeout(() => process.kill(-pid, "SIGTERM"), 500),
    });
    expect(result.output).toBe("waiting\n");
    expect(result.closedAfterMs).not.toBeNull();
    expect(sleeping(7302)).toEqual([]);
  });

  it("runs any other invocation as plain bash", async () => {
    const direct = await new Promise<string>((resolve) => {
      const child = spawn(shell, ["-c", 'echo "$0:$1"', "zero", "one"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.on("close", () => resolve(output));
    });
    expect(direct).toBe("zero:one\n");
  });
});
