// What an agent in a local sandbox can reach, tried the way a prompt-injected agent would: through
// its own shell tool, in a real confined sandbox of a real studio (embedded PostgreSQL, as
// `npm start` runs it), with the scripted model standing in for the provider. It must reach the
// studio's gateway (the turn completes: the tool's result goes back to the model through it) and
// nothing else on this machine: not PostgreSQL, not another sandbox's sandbox-agent, not a server
// on the host's loopback.
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { createDb } from "@studio/db";
import { passwordFileOf, runningEmbeddedPostgresUrl } from "@studio/db/postgres";
import { probeBwrap, SANDBOX_ROOT_ENV, sandboxRootTag } from "@studio/sandbox";
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useDataDirs } from "./testing/data-dirs.ts";
import { collectEvents } from "./testing/session-events.ts";
import { type StudioProcess, signUpAccount, startStudioProcess } from "./testing/studio-process.ts";

const newDataDir = useDataDirs();
let upstream: ScriptedModelServer;
let studio: StudioProcess;
let dataDir: string;
let hostService: net.Server;
let hostServicePort: number;

const confined = probeBwrap().layout !== null;

beforeAll(async () => {
  if (!confined) return;
  hostService = net.createServer((socket) => socket.end("host service\n"));
  await new Promise<void>((resolve) => hostService.listen(0, "127.0.0.1", resolve));
  hostServicePort = (hostService.address() as net.AddressInfo).port;
  upstream = await startScriptedModelServer();
  dataDir = newDataDir("studio-network-");
  studio = await startStudioProcess({
    STUDIO_DATA_DIR: dataDir,
    LOG_LEVEL: "debug",
    CUSTOM_OPENAI_BASE_URL: `${upstream.url}/v1`,
  });
}, 120_000);

afterEach((context) => {
  if (context.task.result?.state === "fail") console.log(studio?.output.join("").slice(-6000));
});

afterAll(async () => {
  await studio?.stop();
  await upstream?.close();
  await new Promise((resolve) => (hostService ? hostService.close(resolve) : resolve(null)));
});

interface SandboxState {
  server: {
    port: number;
    opencodePort: number;
    opencodePassword: string;
    sockets: { dir: string } | null;
  } | null;
}

function sandboxServer(sandboxId: string) {
  const file = path.join(dataDir, "sandboxes", sandboxId, "sandbox.json");
  const state = JSON.parse(readFileSync(file, "utf8")) as SandboxState;
  return state.server!;
}

/** The command line of every process running in one of this studio's sandboxes. */
function sandboxCommandLines(): string[] {
  // Each of them, from the supervisor to what the agent runs, carries a digest of the studio's
  // sandbox directory in its environment, which is how the studio itself finds them.
  const marker = `${SANDBOX_ROOT_ENV}=${sandboxRootTag(realpathSync(path.join(dataDir, "sandboxes")))}`;
  const lines: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (
        !readFileSync(`/proc/${pid}/environ`, "utf8")
          .split("\0")
          .some((entry) => entry.startsWith(marker))
      )
        continue;
      lines.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" "));
    } catch {} // ended meanwhile
  }
  return lines;
}

/** A shell line that prints `<name>:open` or `<name>:closed` for a TCP port on the loopback. */
function tryPort(name: string, host: string, port: number): string {
  return `(timeout 3 bash -c 'exec 3<>/dev/tcp/${host}/${port}' 2>/dev/null && echo ${name}:open || echo ${name}:closed)`;
}

describe.skipIf(!confined)("a local sandbox's network", () => {
  it("reaches the gateway and nothing else on the host", async () => {
    const account = await signUpAccount(studio.url);
    const client = account.client;
    const create = () =>
      client.sessions.create.mutate({ environment: "development", provider: "custom", model: "scripted-1" });
    const [probing, other] = [await create(), await create()];
    const events = collectEvents(client, probing.id);
    const otherEvents = collectEvents(client, other.id);
    await events.waitFor("status_changed", (event) => event.to === "ready", 120_000);
    await otherEvents.waitFor("status_changed", (event) => event.to === "ready", 120_000);
    otherEvents.stop();

    const databaseUrl = runningEmbeddedPostgresUrl(path.join(dataDir, "postgres"));
    expect(databaseUrl).not.toBeNull();
    const socketDir = new URL(databaseUrl!).searchParams.get("host")!;
    const db = createDb(databaseUrl!, { maxConnections: 1 });
    const rows = await db.studioSession.findMany({ where: { id: { in: [probing.id, other.id] } } });
    await db.$disconnect();
    const sandboxOf = new Map(rows.map((row) => [row.id, row.sandboxId]));
    const otherServer = sandboxServer(sandboxOf.get(other.id)!);
    const ownServer = sandboxServer(sandboxOf.get(probing.id)!);

    const command = [
      "echo probe-start",
      tryPort("postgres-tcp", "127.0.0.1", 5432),
      `(test -e ${socketDir} && echo postgres-socket:visible || echo postgres-socket:hidden)`,
      tryPort("other-sandbox-agent", "127.0.0.1", otherServer.port),
      tryPort("other-opencode", "127.0.0.1", otherServer.opencodePort),
      `(test -e ${otherServer.sockets!.dir} && echo other-sockets:visible || echo other-sockets:hidden)`,
      `(test -e ${ownServer.sockets!.dir} && echo own-sockets:visible || echo own-sockets:hidden)`,
      tryPort("host-service", "127.0.0.1", hostServicePort),
      tryPort("host-service-v6", "::1", hostServicePort),
      // Its own servers are where they always were, inside its own namespace.
      tryPort("own-sandbox-agent", "127.0.0.1", ownServer.port),
      "echo probe-end",
    ].join("; ");
    const before = upstream.requests.length;
    upstream.enqueue({
      steps: [{ toolCall: { name: "bash", arguments: { command, description: "Probe the network" } } }],
    });
    upstream.enqueue({ steps: [{ text: "done probing" }] });
    await client.sessions.sendMessage.mutate({ sessionId: probing.id, text: "probe the network" });
    const asked = await events.waitFor("permission_requested", () => true, 90_000);
    await client.sessions.respondToPermission.mutate({
      sessionId: probing.id,
      interactionId: asked.interactionId,
      optionId: asked.options.find((option) => option.kind === "allow_once")!.optionId,
    });
    const ended = await events.waitFor("turn_ended", () => true, 90_000);
    expect(ended.stopReason).toBe("end_turn");

    // What the command printed (its text output), not the command itself, which names every outcome.
    const output = events.events
      .flatMap((event) => (event.type === "tool_call_update" ? (event.content ?? []) : []))
      .map((content) => (content.type === "text" ? content.text : ""))
      .join("\n");
    const results = Object.fromEntries(
      [...output.matchAll(/([a-z0-9-]+):(open|closed|visible|hidden)/g)].map((match) => [match[1], match[2]]),
    );
    expect(results).toEqual({
      "postgres-tcp": "closed",
      "postgres-socket": "hidden",
      "other-sandbox-agent": "closed",
      "other-opencode": "closed",
      "other-sockets": "hidden",
      "own-sockets": "hidden",
      "host-service": "closed",
      "host-service-v6": "closed",
      "own-sandbox-agent": "open",
    });
    // The tool's result went back to the model through the gateway: a second model call was made.
    const calls = upstream.requests.slice(before).filter((request) => !request.isTitle);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    events.stop();

    // Every user of the machine reads command lines (`ps`): no sandbox process carries a secret
    // there. sandbox-agent runs without a token, reached only through the studio's sockets.
    const commandLines = sandboxCommandLines();
    expect(commandLines.some((argv) => argv.includes("sandbox-agent") && argv.includes("server"))).toBe(true);
    for (const argv of commandLines) {
      expect(argv).not.toContain("--token");
      for (const server of [ownServer, otherServer]) expect(argv).not.toContain(server.opencodePassword);
    }
  }, 240_000);

  it("keeps the embedded PostgreSQL behind a random password, never the old constant one", async () => {
    const databaseUrl = runningEmbeddedPostgresUrl(path.join(dataDir, "postgres"))!;
    const password = readFileSync(passwordFileOf(path.join(dataDir, "postgres")), "utf8").trim();
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    const legacy = new URL(databaseUrl);
    legacy.password = "studio";
    const db = createDb(legacy.toString(), { maxConnections: 1 });
    await expect(db.user.count()).rejects.toThrow(/Authentication failed/);
    await db.$disconnect();
  });
});
