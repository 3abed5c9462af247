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

export const baseURL = `http://localhost:${port}`;
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
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"], ["html", { outputFolder: "playwright-report", open: "never" }]],
  globalSetup: "./support/global-setup.ts",
  use: {
    baseURL,
    // The app stops its endless animations (spinners, pulsing dots) for people who ask for less
    // motion. Headless Chromium paints every frame of them in software, two browsers at a time: a
    // core's worth of CPU taken from the sandboxes under test, which run at a lower priority.
    reducedMotion: "reduce",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
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
  webServer: [
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
