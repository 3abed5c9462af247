// `pnpm test:e2e:merge`: one HTML report (and one JUnit file) from the blob reports of a sharded run
// (`--shard=i/n`), gathered in e2e/blob-report.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "./tests",
  reporter: [
    ["html", { outputFolder: "playwright-report", open: "never" }],
    ["junit", { outputFile: "playwright-report/junit.xml" }],
  ],
});
