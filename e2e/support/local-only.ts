// Specs that need this machine's studio (its processes, its database, its command line) run only
// beside the studio this suite starts. Against a deployment (E2E_BASE_URL) they are skipped, with
// the reason in the report and printed once when the suite is listed.
import { test } from "@playwright/test";

/** The tag such specs carry: `--grep @local` runs only them, `--grep-invert @local` leaves them out. */
export const LOCAL_TAG = "@local";

/** Call at the top of a spec file: skips every test in it against a deployment, saying why. */
export function localOnly(spec: string, reason: string): void {
  if (!process.env.E2E_BASE_URL) return;
  // Printed by the runner while it lists the tests, not again by each worker.
  if (process.env.TEST_WORKER_INDEX === undefined)
    console.log(`Skipped against a deployment: ${spec}: ${reason}`);
  test.skip(true, `Needs the studio on this machine: ${reason}`);
}
