// Feeds every generated opencode.json to the real OpenCode binary: it must load, list exactly our
// models for the one enabled provider, and resolve the gateway base URL.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { ModelProvider } from "@studio/models";
import { afterAll, describe, expect, it } from "vitest";
import { resolveAgentBinaries } from "../binaries.ts";
import { buildWorkspace } from "./build.ts";
import type { BuildWorkspaceOptions } from "./types.ts";

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function opencode(options: BuildWorkspaceOptions, args: string[]): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "studio-oc-"));
  dirs.push(dir);
  const workspace = path.join(dir, "workspace");
  const bundle = buildWorkspace(options);
  for (const file of bundle.files) {
    mkdirSync(path.dirname(path.join(workspace, file.path)), { recursive: true });
    writeFileSync(path.join(workspace, file.path), file.content);
  }
  const env = {
    PATH: "/usr/bin:/bin",
    HOME: path.join(dir, "home"),
    XDG_CONFIG_HOME: path.join(dir, "config"),
    XDG_DATA_HOME: path.join(dir, "data"),
    XDG_CACHE_HOME: path.join(dir, "cache"),
    XDG_STATE_HOME: path.join(dir, "state"),
    // OpenCode leaves the native library it unpacks at start in TMPDIR.
    TMPDIR: dir,
    ...bundle.env,
  };
  const { stdout } = await run(resolveAgentBinaries().opencode, args, {
    cwd: workspace,
    env,
    timeout: 60_000,
  });
  return stdout;
}

const gateway = { baseUrl: "http://127.0.0.1:9/api/llm", token: "gw-token" };
const cases: Array<[ModelProvider, string, string, string[]]> = [
  ["xai", "grok-4-1-fast", "openai", ["openai/grok-4-1-fast"]],
  [
    "anthropic",
    "claude-sonnet-4-6",
    "anthropic",
    ["anthropic/claude-haiku-4-5", "anthropic/claude-sonnet-4-6"],
  ],
  ["openai", "gpt-4.1", "openai", ["openai/gpt-4.1", "openai/gpt-4.1-mini"]],
  ["google", "gemini-2.5-pro", "google", ["google/gemini-2.5-flash", "google/gemini-2.5-pro"]],
  [
    "openrouter",
    "anthropic/claude-sonnet-4",
    "openrouter",
    ["openrouter/anthropic/claude-sonnet-4", "openrouter/google/gemini-2.5-flash"],
  ],
  ["custom", "llama3", "custom", ["custom/llama3"]],
];

describe("generated opencode.json loads in OpenCode 1.18.33", () => {
  it.each(cases)(
    "%s: lists only our models",
    async (provider, model, opencodeId, expected) => {
      const output = await opencode({ provider, model, gateway, toolPermissions: "ask" }, [
        "models",
        opencodeId,
      ]);
      expect(output.trim().split("\n").sort()).toEqual(expected);
    },
    90_000,
  );

  it("resolves the gateway base URL and the permissions", async () => {
    const output = await opencode(
      { provider: "google", model: "gemini-2.5-flash", gateway, toolPermissions: "allow" },
      ["debug", "config"],
    );
    const resolved = JSON.parse(output);
    expect(resolved.provider.google.options.baseURL).toBe("http://127.0.0.1:9/api/llm/google/v1beta");
    expect(resolved.small_model).toBe("google/gemini-2.5-flash");
    expect(resolved.permission).toMatchObject({ bash: "allow", edit: "allow", webfetch: "allow" });
  }, 90_000);

  it("accepts environment mode with a keyless custom endpoint", async () => {
    const output = await opencode(
      {
        provider: "custom",
        model: "qwen",
        gateway: null,
        customEndpoint: { baseUrl: "http://127.0.0.1:9/v1" },
        toolPermissions: "ask",
      },
      ["models", "custom"],
    );
    expect(output.trim()).toBe("custom/qwen");
  }, 90_000);
});
