// OpenCode's own HTTP API, for what ACP does not carry: answering questions, reading a message's
// settled text. Each provider says how the studio reaches it (a Unix socket, a public port).
import type { OpencodeApiOptions } from "@studio/acp";
import type { SandboxHandle } from "@studio/sandbox";

/** How the studio reaches OpenCode's own API in this sandbox. */
export function opencodeApiOptions(sandbox: SandboxHandle, timeoutMs?: number): OpencodeApiOptions {
  return {
    opencodeUrl: sandbox.opencodeUrl,
    directory: sandbox.workspaceDir,
    ...(sandbox.opencodeFetch ? { fetch: sandbox.opencodeFetch } : {}),
    // OpenCode's API can run commands: it requires the per-sandbox password.
    ...(sandbox.opencodeHeaders ? { headers: sandbox.opencodeHeaders } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
  };
}
