// The agent's start against a scripted sandbox-agent transport: a start that gets no answer in
// time is tried once more with a new agent process, and fails with its step after the second.
import type { StudioEvent } from "@studio/acp/events";
import { silentLogger } from "@studio/models";
import type { SandboxHandle, SandboxProvider } from "@studio/sandbox";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { answerJson, FakeTransport, type RecordedPost } from "../../acp/test/fake-transport.ts";
import { type ConnectOptions, ProvisioningError, startAgentSession } from "./agent-connection.ts";

let fake: FakeTransport;

beforeEach(async () => {
  fake = await FakeTransport.start();
  fake.onDelete = (res) => res.writeHead(204).end(); // the agent process ends at once
});

afterEach(async () => {
  await fake.stop();
});

function sandbox(): SandboxHandle {
  return {
    id: "sbx-1",
    provider: "local",
    sessionId: "ses-1",
    workspaceDir: "/workspace",
    agentUrl: fake.baseUrl,
    agentToken: null,
    opencodeUrl: "http://127.0.0.1:1",
  };
}

function connect(provider: Partial<SandboxProvider>) {
  const events: StudioEvent[] = [];
  const options: ConnectOptions = {
    provider: { health: async () => true, ...provider } as SandboxProvider,
    sessionId: "ses-1",
    logger: silentLogger,
    report: (event) => events.push(event),
    onClient: () => {},
    timeouts: { initializeMs: 300, newSessionMs: 300 },
  };
  return { options, events };
}

/** Answers like an agent, except the POSTs `hang` picks, which never get an answer. */
function agentThatHangs(hang: (post: RecordedPost, serverIndex: number) => boolean) {
  const servers: string[] = [];
  fake.onPost = (post) => {
    const server = post.url.split("?")[0]!;
    if (!servers.includes(server)) servers.push(server);
    if (hang(post, servers.indexOf(server))) return;
    const result = post.body.method === "initialize" ? { protocolVersion: 1 } : { sessionId: "agent-ses" };
    answerJson(post.res, 200, { jsonrpc: "2.0", id: post.body.id, result });
  };
  return servers;
}

const steps = (events: StudioEvent[]) =>
  events.map((event) =>
    event.type === "provisioning"
      ? `${event.step} ${event.state}${event.detail ? ` (${event.detail})` : ""}`
      : "",
  );

describe("startAgentSession", () => {
  it("tries a start that got no answer once more, with a new agent process", async () => {
    const servers = agentThatHangs((post, server) => server === 0 && post.body.method === "initialize");
    const { options, events } = connect({});
    const connection = await startAgentSession(options, sandbox(), null);
    expect(connection.agentSessionId).toBe("agent-ses");
    expect(servers).toHaveLength(2);
    expect(steps(events)).toEqual([
      "agent started",
      "agent started (initialize got no response in 300 ms; trying again)",
      "agent started",
      "agent completed",
      "session started",
      "session completed",
    ]);
    await connection.client.close();
  });

  it("restarts the sandbox's agent server first when it stopped answering", async () => {
    agentThatHangs((post, server) => server === 0 && post.body.method === "session/new");
    let restarted = 0;
    const { options, events } = connect({
      health: async () => false,
      restartAgentServer: async () => {
        restarted += 1;
        return sandbox();
      },
    });
    const connection = await startAgentSession(options, sandbox(), null);
    expect(restarted).toBe(1);
    expect(steps(events)).toContain("agent.server completed");
    await connection.client.close();
  });

  it("fails with the step after the second start gets no answer either", async () => {
    const servers = agentThatHangs((post) => post.body.method === "initialize");
    const { options, events } = connect({});
    const failure = await startAgentSession(options, sandbox(), null).catch((error) => error);
    expect(failure).toBeInstanceOf(ProvisioningError);
    expect(failure.label).toBe("Starting the agent");
    expect(servers).toHaveLength(2);
    expect(steps(events).at(-1)).toBe("agent failed (initialize got no response in 300 ms)");
  });

  it("does not try again when the runner is going away", async () => {
    const servers = agentThatHangs(() => true);
    const abort = new AbortController();
    const { options } = connect({});
    const started = startAgentSession({ ...options, signal: abort.signal }, sandbox(), null);
    await fake.until(() => fake.posts.length === 1);
    abort.abort();
    await expect(started).rejects.toThrow();
    expect(servers).toHaveLength(1);
  });
});
