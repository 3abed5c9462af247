// The parent's side of upstream-process.ts: starts the scripted provider in its own process and
// queues its replies over the control endpoint.
import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import type { ScriptedModelServerOptions, ScriptedReply } from "@studio/testkit";

export interface UpstreamProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  enqueue(...replies: ScriptedReply[]): Promise<void>;
  close(): void;
}

export async function startUpstreamProcess(
  options: ScriptedModelServerOptions = {},
): Promise<UpstreamProcess> {
  const child: ChildProcess = fork(path.join(import.meta.dirname, "upstream-process.ts"), {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.send(options);
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`the upstream process exited (${code})`)));
  });
  return {
    url,
    async enqueue(...replies) {
      const response = await fetch(`${url}/_control/enqueue`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ replies }),
      });
      if (!response.ok) throw new Error(`enqueue failed: ${response.status} ${await response.text()}`);
    },
    close: () => child.kill(),
  };
}
