// For the local provider's integration tests: providers on temporary roots, all shut down and
// removed after the file, and the options and process scan each test uses.
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { buildWorkspace } from "../workspace/build.ts";
import type { ConfinementMode } from "./confine.ts";
import { scanSandboxProcesses } from "./procfs.ts";
import { LocalSandboxProvider } from "./provider.ts";

/** Temporary sandbox roots and providers on them; shut down and removed after the file. */
export function useLocalSandboxProviders() {
  const roots: string[] = [];
  const providers: LocalSandboxProvider[] = [];
  afterAll(async () => {
    for (const p of providers) await p.shutdown();
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });
  return {
    newRoot(): string {
      // Real path: the provider matches /proc entries against it.
      const root = realpathSync(mkdtempSync(path.join(tmpdir(), "studio-sbx-")));
      roots.push(root);
      return root;
    },
    provider(root: string, confinement: ConfinementMode = "auto"): LocalSandboxProvider {
      const created = new LocalSandboxProvider({ rootDir: root, confinement });
      providers.push(created);
      return created;
    },
  };
}

export const workspace = buildWorkspace({
  provider: "custom",
  model: "scripted-1",
  gateway: { baseUrl: "http://127.0.0.1:9/api/llm", token: "gw-token-for-tests" },
  toolPermissions: "ask",
});

export function createOptions(sessionId: string, env: Record<string, string> = {}) {
  return { sessionId, env: { ...workspace.env, ...env }, files: workspace.files };
}

/** Every live process of the sandbox, by the same /proc scan the provider uses. */
export function processesOf(root: string, id: string): number[] {
  return scanSandboxProcesses(root).get(path.join(root, id)) ?? [];
}
