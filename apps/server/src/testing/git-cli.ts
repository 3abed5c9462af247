// Test support: the real git CLI as a developer's machine runs it, but with a throwaway HOME, no
// system configuration and no prompts, so nothing of this machine's git setup takes part.
import { execFile } from "node:child_process";

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `git` and `ok` (git that must succeed, its trimmed output) in the HOME that `home()` names. */
export function gitCli(home: () => string) {
  function git(args: string[], cwd = home(), extraConfig: string[] = []): Promise<GitResult> {
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home(),
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_TERMINAL_PROMPT: "0",
      LANG: "C",
    };
    const config = ["-c", "user.name=Test User", "-c", "user.email=test@example.invalid", ...extraConfig];
    return new Promise((resolve) => {
      execFile("git", [...config, ...args], { cwd, env, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
        resolve({ code: error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr });
      });
    });
  }

  async function ok(args: string[], cwd = home(), extraConfig: string[] = []): Promise<string> {
    const result = await git(args, cwd, extraConfig);
    if (result.code !== 0)
      throw new Error(`git ${args.join(" ")} failed (${result.code}):\n${result.stderr}`);
    return result.stdout.trim();
  }

  return { git, ok };
}
