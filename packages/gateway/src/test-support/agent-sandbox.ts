// For tests that run a real agent in a local sandbox behind the gateway: what its ACP client
// delivers, which processes belong to the sandbox, and which of its files hold a given secret.
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AcpClient, AcpInbound } from "@studio/acp";
import { LocalSandboxProvider } from "@studio/sandbox";
import { afterAll, beforeAll } from "vitest";

/** Every item the client delivers, and a way to wait for one. */
export function collect(client: AcpClient) {
  const items: AcpInbound[] = [];
  let wake = () => {};
  void (async () => {
    try {
      for await (const item of client.messages()) {
        items.push(item);
        wake();
      }
    } catch {}
  })();
  return {
    items,
    async waitFor(predicate: (item: AcpInbound) => boolean): Promise<AcpInbound> {
      for (;;) {
        const found = items.find(predicate);
        if (found) return found;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 500);
        });
      }
    },
    text(): string {
      return items
        .flatMap((item) => {
          const update =
            item.type === "notification"
              ? (item.params as { update?: { sessionUpdate?: string; content?: { text?: string } } }).update
              : undefined;
          return update?.sessionUpdate === "agent_message_chunk" ? [update.content?.text ?? ""] : [];
        })
        .join("");
    },
  };
}

/** PIDs of every process of one sandbox (the provider marks them in their environment). */
export function sandboxProcesses(
  sandboxId: string,
): Array<{ pid: number; cmdline: string; environ: string }> {
  const found = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, "utf8");
      if (!environ.split("\0").includes(`STUDIO_SANDBOX_ID=${sandboxId}`)) continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ");
      found.push({ pid: Number(name), cmdline, environ });
    } catch {} // gone, or not ours to read
  }
  return found;
}

export function filesContaining(dir: string, needles: string[]): string[] {
  const hits: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && statSync(full).size < 50_000_000) {
        const content = readFileSync(full, "latin1");
        if (needles.some((needle) => content.includes(needle))) hits.push(full);
      }
    }
  };
  walk(dir);
  return hits;
}

/** A process's state letter from /proc (R, S, Z…), or "gone". */
export function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] ?? "gone";
  } catch {
    return "gone";
  }
}

/**
 * Call at the top of a test file: a local sandbox provider whose sandboxes may reach only the
 * gateway at `gatewayUrl()` (the fixture's, known once its own hook ran), ended with the file.
 */
export function useLocalSandboxes(gatewayUrl: () => string, prefix: string, timeoutMs: number) {
  let provider: LocalSandboxProvider | undefined;
  let root: string | undefined;
  beforeAll(() => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
    const gatewayPort = Number(new URL(gatewayUrl()).port);
    provider = new LocalSandboxProvider({ rootDir: root, studioPorts: () => [gatewayPort] });
  });
  afterAll(async () => {
    await provider?.shutdown();
    if (root) rmSync(root, { recursive: true, force: true });
  }, timeoutMs);
  return {
    get provider(): LocalSandboxProvider {
      if (!provider) throw new Error("the sandboxes start in beforeAll");
      return provider;
    },
  };
}
