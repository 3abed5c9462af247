// Playwright fixtures. `test` from here gives every test a page already signed in as its worker's
// own account: one per worker, made through the studio's API when the worker starts, its browser
// state saved once (e2e/.auth/, not in git) and loaded into each test's context. Tests that change
// state nobody else should see, or need several people, make their own with `newUser`/`signUp`.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { test as base } from "@playwright/test";
import { newUser, signUpByApi, type TestUser } from "./studio.ts";

const AUTH_DIR = path.join(import.meta.dirname, "..", ".auth");

interface WorkerAccount {
  user: TestUser;
  /** The saved browser state (its session cookie). */
  storageState: string;
}

export const test = base.extend<{ account: TestUser }, { workerAccount: WorkerAccount }>({
  workerAccount: [
    async ({ browser }, use, workerInfo) => {
      mkdirSync(AUTH_DIR, { recursive: true });
      const user = newUser(`worker${workerInfo.parallelIndex}`);
      const storageState = path.join(AUTH_DIR, `${user.email}.json`);
      const context = await browser.newContext({ baseURL: workerInfo.project.use.baseURL });
      await signUpByApi(await context.newPage(), user);
      await context.storageState({ path: storageState });
      await context.close();
      await use({ user, storageState });
    },
    { scope: "worker" },
  ],
  storageState: ({ workerAccount }, use) => use(workerAccount.storageState),
  account: ({ workerAccount }, use) => use(workerAccount.user),
});

export { expect } from "@playwright/test";
