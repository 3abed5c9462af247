import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, devices } from "@playwright/test";
import { modelServerUrl } from "./support/model-server.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const port = Number(process.env.STUDIO_E2E_PORT ?? 3217);

// One fresh data directory (and so one fresh embedded PostgreSQL) per run. The config is also loaded by
// every worker, so the first load publishes the path through the environment the workers inherit.
process.env.STUDIO_E2E_DATA_DIR ??= path.join(os.tmpdir(), `studio-e2e-${Date.now()}`);
const dataDir = process.env.STUDIO_E2E_DATA_DIR;
// Marks what this run creates (accounts' e-mail addresses), so it can be found on a shared studio.
process.env.E2E_RUN_ID ??= new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "");

/**
 * E2E_BASE_URL: run against that studio (a QA team's staging deployment), starting no server here;
 * unset: the studio this config starts on this machine, as CI does.
 */
export const remoteStudio = process.env.E2E_BASE_URL?.trim().replace(/\/+$/, "") || null;
export const baseURL = remoteStudio ?? `http://localhost:${port}`;
/** `--shard=i/n`: each shard writes a blob report, merged into one HTML report by test:e2e:merge. */
const sharded = process.argv.some((arg) => arg.startsWith("--shard"));
const ci = Boolean(process.env.CI);
/**
 * Debian's Chromium where it is installed (`npm test` installs it), else Playwright's own browser.
 * Headless runs use its headless shell, as Playwright does with its own: without the full browser's
 * layers it takes half the CPU (on two cores the whole suite is CPU-bound). Watching a run
 * (--headed, --ui, --debug) needs the full browser.
 */
const headed =
  process.argv.some((arg) => ["--headed", "--ui", "--debug"].includes(arg)) || Boolean(process.env.PWDEBUG);
const chromium =
  process.env.E2E_CHROMIUM_PATH ??
  [...(headed ? [] : ["/usr/bin/chromium-headless-shell"]), "/usr/bin/chromium"].find((path) =>
    existsSync(path),
  );
/** A second studio, started with SIGN_UPS=invitation, for the tests of that policy. */
const invitationOnlyPort = Number(process.env.STUDIO_E2E_INVITATION_PORT ?? 3219);
export const invitationOnlyURL = `http://localhost:${invitationOnlyPort}`;

const serverProcess = {
  command: "pnpm --filter @studio/server start",
  cwd: repoRoot,
  reuseExistingServer: false,
  timeout: 120_000,
  stdout: "pipe",
  stderr: "pipe",
  // SIGTERM lets the server stop its embedded PostgreSQL instead of orphaning it.
  gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
} as const;

export default defineConfig({
  testDir: "./tests",
  fullyParallel: true,
  workers: 2,
  // A failure on CI is tried once more, recording a trace and a video of that try.
  retries: ci ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: ci,
  reporter: [
    ["list"],
    sharded
      ? ["blob", { outputDir: "blob-report" }]
      : ["html", { outputFolder: "playwright-report", open: "never" }],
    ["junit", { outputFile: "test-results/junit.xml" }],
  ],
  // Specs that need this machine's studio (its processes, its database, its command line) are
  // tagged @local; against a deployment they are left out, and global setup says so.
  ...(remoteStudio ? { grepInvert: /@local/ } : {}),
  globalSetup: "./support/global-setup.ts",
  use: {
    baseURL,
    // The app stops its endless animations (spinners, pulsing dots) for people who ask for less
    // motion. Headless Chromium paints every frame of them in software, two browsers at a time: a
    // core's worth of CPU taken from the sandboxes under test, which run at a lower priority.
    reducedMotion: "reduce",
    // Locally (no retries) a failed test keeps its trace; on CI the retry records one, and a video.
    trace: ci ? "on-first-retry" : "retain-on-failure",
    video: "on-first-retry",
    screenshot: "only-on-failure",
    launchOptions: {
      ...(chromium ? { executablePath: chromium } : {}),
      // Without these Chromium keeps trying to reach update and sync services this machine cannot reach.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /\.setup\.ts$/, use: { ...devices["Desktop Chrome"] } },
    { name: "chromium", dependencies: ["setup"], use: { ...devices["Desktop Chrome"] } },
  ],
  webServer: remoteStudio
    ? []
    : [
        {
          ...serverProcess,
          url: `http://127.0.0.1:${port}/api/health`,
          env: {
            PORT: String(port),
            STUDIO_DATA_DIR: dataDir,
            LOG_LEVEL: "warn",
            // Sessions use the "custom" provider, answered by the scripted model server (global setup).
            CUSTOM_OPENAI_BASE_URL: `${modelServerUrl}/v1`,
            CUSTOM_OPENAI_API_KEY: "sk-e2e-scripted",
            XAI_BASE_URL: `${modelServerUrl}`,
            ANTHROPIC_BASE_URL: modelServerUrl,
            ANTHROPIC_API_KEY: "sk-e2e-scripted",
          },
        },
        {
          ...serverProcess,
          url: `http://127.0.0.1:${invitationOnlyPort}/api/health`,
          env: {
            PORT: String(invitationOnlyPort),
            STUDIO_DATA_DIR: `${dataDir}-invitation-only`,
            LOG_LEVEL: "warn",
            SIGN_UPS: "invitation",
          },
        },
      ],
});
