import { defineConfig } from "vitest/config";

// Unit tests (`*.test.ts`) run without any service. Integration tests (`*.int.test.ts`) get one
// real PostgreSQL for the run, started by the global setup; each file clones a migrated database.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{apps,packages}/*/src/**/*.test.{ts,tsx}"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["{apps,packages}/*/src/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["packages/testkit/src/vitest/global-setup.ts"],
          // Most time goes to real agents starting: two files at a time keeps both cores busy.
          maxWorkers: 2,
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Real processes on a shared, loaded machine: a second (the default) is no time to wait for
          // something another process does. A poll that waits longer says so itself.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
