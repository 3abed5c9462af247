// Test support: the studio as a real child process (so a test can kill it), and a signed-up user
// with an API token and the typed client, the way a program would use the studio.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createStudioClient, type StudioClient } from "@studio/client";

const serverDir = path.resolve(import.meta.dirname, "..", "..");

export interface StudioProcess {
  url: string;
  child: ChildProcess;
  output: string[];
  /** SIGTERM and wait: a clean shutdown. */
  stop(): Promise<void>;
  /** SIGKILL: the replica dies without cleaning up. */
  kill(): Promise<void>;
}

/**
 * Spawns a studio (on a free port, without the web app) and collects its output until it says where
 * it listens; rejects if it exits first.
 */
export async function launchStudio(
  command: string,
  args: string[],
  options: { cwd: string; detached?: boolean },
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; output: string[]; exited: Promise<void> }> {
  const child = spawn(command, args, {
    ...options,
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", STUDIO_WEB_DIST: "/nonexistent", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /Studio is running at (\S+)/.exec(output.join(""));
      if (match) resolve(match[1]!);
    });
    child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.once("exit", (code) => reject(new Error(`studio exited with ${code}:\n${output.join("")}`)));
  });
  return { child, url, output, exited };
}

export async function startStudioProcess(env: Record<string, string>): Promise<StudioProcess> {
  const { child, url, output, exited } = await launchStudio(
    process.execPath,
    ["--import", "tsx", "src/main.ts"],
    { cwd: serverDir },
    env,
  );
  return {
    url,
    child,
    output,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** How many times the studio said its runner started running the session. */
export function runningLines(studio: StudioProcess, sessionId: string): number {
  return studio.output
    .join("")
    .split("\n")
    .filter((line) => line.includes(sessionId) && line.includes('"running session"')).length;
}

/** A line of the studio's log about the session with this message. */
export const sessionLogLine = (sessionId: string, message: string): RegExp =>
  new RegExp(`"sessionId":"${sessionId}"[^\n]*"msg":"${message}"`);

export interface TestAccount {
  email: string;
  token: string;
  client: StudioClient;
}

let accounts = 0;

/** Signs up over HTTP like a browser would, then makes an API token for the typed client. */
export async function signUpAccount(url: string): Promise<TestAccount> {
  accounts += 1;
  const email = `runner${accounts}.${Date.now().toString(36)}@example.com`;
  const post = (procedure: string, body: unknown, cookie?: string) =>
    fetch(`${url}/api/trpc/${procedure}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ json: body }),
    });
  const signUp = await post("auth.signUp", { name: "Runner Test", email, password: "correct horse battery" });
  const cookie = signUp.headers.getSetCookie()[0]!.split(";")[0]!;
  const created = await post("apiTokens.create", { name: "tests", expiresInDays: null }, cookie);
  const { token } = ((await created.json()) as { result: { data: { json: { token: string } } } }).result.data
    .json;
  return { email, token, client: createStudioClient({ url, token }) };
}
