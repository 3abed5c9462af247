// Stopping the studio with a signal to its whole process group, as Playwright stops its webServer,
// as Ctrl-C does in a terminal and as systemd does: the signal also reaches the wrappers the studio
// runs under (sh, pnpm) and its embedded PostgreSQL, and nobody reads its output afterwards. Every
// sandbox it started must still end, and the sessions must be there for the next start.
import { readFileSync } from "node:fs";
import path from "node:path";
import { createStudioClient, type StudioClient } from "@studio/client";
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useDataDirs } from "./testing/data-dirs.ts";
import { processesUnder } from "./testing/processes.ts";
import { agentText, collectEvents } from "./testing/session-events.ts";
import { startStudioGroup } from "./testing/studio-group.ts";
import { signUpAccount, startStudioProcess } from "./testing/studio-process.ts";

const newDataDir = useDataDirs();
let upstream: ScriptedModelServer;

beforeAll(async () => {
  upstream = await startScriptedModelServer();
});

afterAll(async () => {
  await upstream?.close();
});

async function waitForStatus(client: StudioClient, sessionIds: string[], status: string) {
  await vi.waitFor(
    async () => {
      for (const sessionId of sessionIds) {
        const session = await client.sessions.get.query({ sessionId });
        // A session that failed says why, so a failure here names its cause.
        expect(session.status, `${sessionId}: ${session.errorStep ?? ""} ${session.errorReason ?? ""}`).toBe(
          status,
        );
      }
    },
    { timeout: 120_000, interval: 250 },
  );
}

/** A studio started as Playwright starts it, with `count` sessions whose sandboxes are ready. */
async function studioWithReadySessions(count: number) {
  // No DATABASE_URL: the studio starts its embedded PostgreSQL, inside the group, as it does there.
  const dataDir = newDataDir("studio-group-");
  const env = { STUDIO_DATA_DIR: dataDir, CUSTOM_OPENAI_BASE_URL: `${upstream.url}/v1` };
  const studio = await startStudioGroup(env);
  const account = await signUpAccount(studio.url);
  const sessionIds: string[] = [];
  for (let index = 0; index < count; index++) {
    const session = await account.client.sessions.create.mutate({
      environment: "development",
      provider: "custom",
      model: "scripted-1",
    });
    sessionIds.push(session.id);
  }
  await waitForStatus(account.client, sessionIds, "ready");
  expect(processesUnder(path.join(dataDir, "sandboxes")).length).toBeGreaterThan(0);
  return { dataDir, env, studio, account, sessionIds };
}

/** Everything of the data directory ends: the sandboxes, the studio, its PostgreSQL. */
async function waitUntilNothingRunsIn(dataDir: string) {
  await vi.waitFor(() => expect(processesUnder(dataDir).map((found) => found.cmdline)).toEqual([]), {
    timeout: 60_000,
    interval: 250,
  });
}

// Each sandbox start (sandbox-agent and OpenCode) costs seconds of CPU. Every signal takes the same
// path to the sandboxes (the provider ends all it started, together, whatever the database does):
// SIGTERM's test shows with two that every one ends and every one carries on at the next start;
// the others need one to show their signal, or a database gone, still reaches that path.
describe("a signal to the studio's process group", { timeout: 360_000 }, () => {
  it("SIGTERM (Playwright, systemd) ends every sandbox; the next start carries the sessions on", async () => {
    const { dataDir, env, studio, account, sessionIds } = await studioWithReadySessions(2);
    // Held still for a moment as the signal lands, as a busy studio on a loaded machine is (two
    // browsers and the sandboxes under test, in Playwright's case): it must not be taken for one
    // that ignores the signal. Its output is no longer read once the group's shell has exited.
    await studio.signalGroup("SIGTERM", { busyMs: 300 });
    await waitUntilNothingRunsIn(dataDir);

    // The next start finds the sessions as they were and runs them again.
    const again = await startStudioProcess(env);
    try {
      const client = createStudioClient({ url: again.url, token: account.token });
      await waitForStatus(client, sessionIds, "ready");
      const events = collectEvents(client, sessionIds[0]!);
      upstream.enqueue([{ text: "Still here." }]);
      await client.sessions.sendMessage.mutate({ sessionId: sessionIds[0]!, text: "are you there?" });
      await events.waitFor("turn_ended", undefined, 90_000);
      expect(agentText(events.events)).toContain("Still here.");
      events.stop();
    } finally {
      await again.stop();
    }
    expect(processesUnder(dataDir)).toEqual([]);
  });

  it("SIGINT (Ctrl-C in a terminal) ends every sandbox", async () => {
    const { dataDir, studio } = await studioWithReadySessions(1);
    await studio.signalGroup("SIGINT", { busyMs: 300 });
    await waitUntilNothingRunsIn(dataDir);
  });

  it("SIGHUP (its terminal closed) ends every sandbox", async () => {
    const { dataDir, studio } = await studioWithReadySessions(1);
    await studio.signalGroup("SIGHUP", { busyMs: 300 });
    await waitUntilNothingRunsIn(dataDir);
  });

  it("with its PostgreSQL already gone, ends every sandbox and exits", async () => {
    const { dataDir, studio } = await studioWithReadySessions(1);
    // The database went first (a crash, or its own shutdown already over): every step that needs
    // it fails, and none of them may keep the sandboxes running or the studio from exiting.
    const pidFile = path.join(dataDir, "postgres", "postmaster.pid");
    process.kill(Number(readFileSync(pidFile, "utf8").split("\n")[0]), "SIGKILL");
    // The signal lands as the studio starts its cluster again: the one it starts must end too.
    await vi.waitFor(() => expect(studio.output.join("")).toContain("starting it again"), {
      timeout: 30_000,
    });
    await studio.signalGroup("SIGTERM");
    await waitUntilNothingRunsIn(dataDir);
  });
});
