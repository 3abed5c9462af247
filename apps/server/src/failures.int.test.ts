// Provisioning that cannot succeed ends in a truthful error state, with the step that failed.
// Its own file: its own database, so no healthy replica picks the session up.
import path from "node:path";
import { createStudioClient } from "@studio/client";
import { findFreePort } from "@studio/db/postgres";
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useDataDirs } from "./testing/data-dirs.ts";
import { processesUnder } from "./testing/processes.ts";
import { agentText, collectEvents, sequenceProblems } from "./testing/session-events.ts";
import {
  type StudioProcess,
  signUpAccount,
  startStudioProcess,
  type TestAccount,
} from "./testing/studio-process.ts";

const newDataDir = useDataDirs();
const database = useTestDatabase();
let upstream: ScriptedModelServer;

beforeAll(async () => {
  upstream = await startScriptedModelServer();
});

afterAll(async () => {
  await upstream?.close();
});

describe("failures", { timeout: 180_000 }, () => {
  it("a sandbox whose agent cannot start ends in error with the step that failed", async () => {
    const dataDir = newDataDir("studio-broken-");
    const broken = await startStudioProcess({
      DATABASE_URL: database.url,
      STUDIO_DATA_DIR: dataDir,
      CUSTOM_OPENAI_BASE_URL: `${upstream.url}/v1`,
      // A misconfigured install: the OpenCode binary it names does not exist.
      OPENCODE_BIN: "/nonexistent/opencode",
    });
    try {
      const account = await signUpAccount(broken.url);
      const session = await account.client.sessions.create.mutate({
        environment: "development",
        provider: "custom",
        model: "scripted-1",
      });
      const events = collectEvents(account.client, session.id);
      // Provisioning may fail before the message arrives: then it is refused, and says why.
      const sent = await account.client.sessions.sendMessage
        .mutate({ sessionId: session.id, text: "hello?" })
        .then(
          () => true,
          (error: unknown) => {
            expect(error).toMatchObject({ data: { code: "CONFLICT" } });
            return false;
          },
        );
      const failed = await events.waitFor("status_changed", (event) => event.to === "error", 90_000);
      expect(failed.from).toBe("provisioning");
      const step = await events.waitFor("provisioning", (event) => event.state === "failed");
      const row = await account.client.sessions.get.query({ sessionId: session.id });
      expect(row.status).toBe("error");
      expect(row.errorStep).toBe(step.label);
      expect(row.errorReason).toBeTruthy();
      // The sandbox the failed attempt made does not run on: nothing refers to it any more.
      await vi.waitFor(() => expect(processesUnder(path.join(dataDir, "sandboxes"))).toEqual([]), {
        timeout: 20_000,
      });
      // A message that was accepted is still in the history; nothing was lost.
      if (sent)
        expect(events.events.find((event) => event.type === "user_message")).toMatchObject({
          text: "hello?",
        });
      expect(sequenceProblems(events.events)).toBeNull();
      await expect(
        account.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "again" }),
      ).rejects.toMatchObject({
        data: { code: "CONFLICT" },
      });
      events.stop();
    } finally {
      await broken.stop();
    }
  });
});

describe("a server restart", { timeout: 240_000 }, () => {
  interface StudioWithSession {
    dataDir: string;
    first: StudioProcess;
    /** The same studio again, after `stop`: another port, so the sandbox must learn the new address. */
    restartOnNewPort: () => Promise<StudioProcess>;
    account: TestAccount;
    session: { id: string };
  }

  /** A studio of its own data directory, an account on it and a new session. */
  async function firstStudioWithSession(): Promise<StudioWithSession> {
    const dataDir = newDataDir("studio-restart-");
    const env = {
      DATABASE_URL: database.url,
      STUDIO_DATA_DIR: dataDir,
      CUSTOM_OPENAI_BASE_URL: `${upstream.url}/v1`,
    };
    const studio = await startStudioProcess({ ...env, PORT: String(await findFreePort()) });
    const account = await signUpAccount(studio.url);
    const session = await account.client.sessions.create.mutate({
      environment: "development",
      provider: "custom",
      model: "scripted-1",
    });
    const restartOnNewPort = async () => startStudioProcess({ ...env, PORT: String(await findFreePort()) });
    return { dataDir, first: studio, restartOnNewPort, account, session };
  }

  /**
   * A running studio whose live session has had a turn, left by the test before: a test that needs
   * one takes it rather than start a studio and a sandbox of its own (OpenCode's start alone is
   * seconds of CPU). Run alone, it makes its own.
   */
  let passedOn: StudioWithSession | undefined;
  const takePassedOn = () => {
    const taken = passedOn;
    passedOn = undefined;
    return taken;
  };
  afterAll(async () => {
    await passedOn?.first.stop();
  });

  it("in the middle of provisioning ends the sandbox being created and leaves the session to the next start", async () => {
    const { dataDir, first, restartOnNewPort, account, session } = await firstStudioWithSession();
    const events = collectEvents(account.client, session.id);
    // sandbox-agent has been started and is not healthy yet: the sandbox is half made.
    await events.waitFor(
      "provisioning",
      (event) => event.step === "sandbox.agent-server" && event.state === "started",
      90_000,
    );
    events.stop();
    await first.stop();

    // Nothing of the half-made sandbox runs on unseen, and nothing failed: the session waits.
    expect(processesUnder(path.join(dataDir, "sandboxes"))).toEqual([]);
    const row = await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.status).toBe("provisioning");

    const second = await restartOnNewPort();
    try {
      const client = createStudioClient({ url: second.url, token: account.token });
      await vi.waitFor(
        async () => expect((await client.sessions.get.query({ sessionId: session.id })).status).toBe("ready"),
        { timeout: 90_000, interval: 250 },
      );
    } finally {
      await second.stop();
    }
    expect(processesUnder(path.join(dataDir, "sandboxes"))).toEqual([]);
  });

  it("while the agent is being restarted leaves the session to the next start instead of failing it", async () => {
    const { dataDir, first, restartOnNewPort, account, session } = await firstStudioWithSession();
    const sandboxes = path.join(dataDir, "sandboxes");
    await vi.waitFor(
      async () =>
        expect((await account.client.sessions.get.query({ sessionId: session.id })).status).toBe("ready"),
      { timeout: 120_000, interval: 250 },
    );
    // The sandbox-agent server dies; the runner's watchdog notices and starts a new one, and the
    // studio is told to stop while that restart is under way. What fails then is the studio
    // stopping, not the session.
    // The binary itself, not the wrappers that start it (bubblewrap, the niceness launcher).
    const server = processesUnder(sandboxes).find((found) => {
      const [binary, command] = found.cmdline.split(" ");
      return binary?.endsWith("/sandbox-agent") && command === "server";
    });
    expect(server, "the session's sandbox-agent server").toBeDefined();
    process.kill(server!.pid, "SIGKILL");
    await vi.waitFor(
      () => expect(first.output.join("")).toContain("the sandbox's agent server stopped answering"),
      { timeout: 60_000, interval: 20 },
    );
    await first.stop();

    expect(processesUnder(sandboxes)).toEqual([]);
    const row = await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.status).toBe("ready");
    expect(row.errorReason).toBeNull();

    const second = await restartOnNewPort();
    const client = createStudioClient({ url: second.url, token: account.token });
    try {
      const events = collectEvents(client, session.id);
      upstream.enqueue([{ text: "Back after the restart." }]);
      await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "still there?" });
      await events.waitFor("turn_ended", undefined, 90_000);
      expect(agentText(events.events)).toContain("Back after the restart.");
      events.stop();
    } catch (error) {
      await second.stop();
      throw error;
    }
    // Running, with a live session that has had a turn: what the next test starts from.
    passedOn = { dataDir, first: second, restartOnNewPort, account: { ...account, client }, session };
  });

  it("re-attaches live sessions: the conversation goes on", async () => {
    const { first, restartOnNewPort, account, session } = takePassedOn() ?? (await firstStudioWithSession());
    const before = collectEvents(account.client, session.id);
    upstream.enqueue([{ text: "The code word is MARMALADE." }]);
    await account.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "remember this" });
    // A passed-on session has had turns before: the one to wait for comes after this message.
    const said = await before.waitFor("user_message", (event) => event.text === "remember this");
    await before.waitFor("turn_ended", (event) => event.seq > said.seq, 90_000);
    before.stop();
    await first.stop();

    // Back on another port: the sandbox is restarted with the gateway's new address.
    const second = await restartOnNewPort();
    try {
      const client = createStudioClient({ url: second.url, token: account.token });
      expect((await client.sessions.get.query({ sessionId: session.id })).status).toBe("idle");
      const after = collectEvents(client, session.id, before.events.at(-1)!.seq);
      upstream.enqueue([{ text: "It was MARMALADE." }]);
      await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "what was it?" });
      await after.waitFor("turn_ended", undefined, 90_000);
      const last = upstream.requests.filter((request) => !request.isTitle).at(-1)!;
      expect(JSON.stringify(last.body)).toContain("The code word is MARMALADE.");
      expect(sequenceProblems([...before.events, ...after.events])).toBeNull();
      expect(upstream.queued).toBe(0);
      after.stop();
    } finally {
      await second.stop();
    }
  });
});
