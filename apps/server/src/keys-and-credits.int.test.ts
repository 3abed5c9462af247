// Keys and credits end to end: a real studio process, real OpenCode in a local sandbox, the gateway
// in front of the scripted model server standing in for xAI. An organisation key is planted and
// searched for everywhere it must never appear; a session on platform credits runs out mid-turn.
import path from "node:path";
import { changeOrganizationCredits } from "@studio/core";
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useDataDirs } from "./testing/data-dirs.ts";
import { processesUnder } from "./testing/processes.ts";
import { filesUnder } from "./testing/sandbox-files.ts";
import { collectEvents } from "./testing/session-events.ts";
import {
  type StudioProcess,
  signUpAccount,
  startStudioProcess,
  type TestAccount,
} from "./testing/studio-process.ts";

const newDataDir = useDataDirs();
const database = useTestDatabase();
const PLATFORM_KEY = "xai-platform-key-0123456789";
const PLANTED_KEY = "xai-PLANTED-org-key-7f3a9c1e5b";
let upstream: ScriptedModelServer;
let studio: StudioProcess;
let dataDir: string;

beforeAll(async () => {
  upstream = await startScriptedModelServer({ expectedKey: [PLATFORM_KEY, PLANTED_KEY] });
  dataDir = newDataDir("studio-keys-");
  studio = await startStudioProcess({
    DATABASE_URL: database.url,
    STUDIO_DATA_DIR: dataDir,
    LOG_LEVEL: "debug",
    XAI_BASE_URL: upstream.url,
    XAI_API_KEY: PLATFORM_KEY,
  });
}, 120_000);

afterEach((context) => {
  if (context.task.result?.state === "fail") console.log(studio.output.join("").slice(-6000));
});

afterAll(async () => {
  await studio?.stop();
  await upstream?.close();
});

/** A tRPC call over plain HTTP, so the test sees the exact response body the studio sent. */
async function raw(
  account: TestAccount,
  procedure: string,
  input: unknown,
  bodies: string[],
  mutation = false,
) {
  const encoded = encodeURIComponent(JSON.stringify({ json: input }));
  const response = await fetch(
    mutation ? `${studio.url}/api/trpc/${procedure}` : `${studio.url}/api/trpc/${procedure}?input=${encoded}`,
    {
      method: mutation ? "POST" : "GET",
      headers: { authorization: `Bearer ${account.token}`, "content-type": "application/json" },
      ...(mutation ? { body: JSON.stringify({ json: input }) } : {}),
    },
  );
  const text = await response.text();
  bodies.push(text);
  return JSON.parse(text).result?.data?.json;
}

describe("an organisation key", { timeout: 180_000 }, () => {
  it("pays for the session's calls and appears in no response, log line, sandbox file or environment", async () => {
    const account = await signUpAccount(studio.url);
    const bodies: string[] = [];
    const saved = await raw(account, "keys.set", { provider: "xai", apiKey: PLANTED_KEY }, bodies, true);
    expect(saved).toMatchObject({ provider: "xai", lastFour: PLANTED_KEY.slice(-4) });
    expect(await raw(account, "keys.test", { provider: "xai" }, bodies, true)).toEqual({
      ok: true,
      message: "The provider accepted the key (HTTP 200).",
    });

    const session = await raw(
      account,
      "sessions.create",
      { environment: "development", provider: "xai", model: "grok-4-1-fast" },
      bodies,
      true,
    );
    expect(session).toMatchObject({ keySource: "direct", keyDelivery: "gateway", upstreamProvider: "xai" });
    const events = collectEvents(account.client, session.id);
    await events.waitFor("status_changed", (event) => event.to === "ready", 120_000);
    upstream.enqueue({
      steps: [{ text: "Paid with your own key." }],
      usage: { inputTokens: 900, outputTokens: 40 },
    });
    await account.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "hello on my key" });
    await events.waitFor("turn_ended", () => true, 90_000);
    const metered = await events.waitFor("metered", (event) => event.inputTokens === 900);
    expect(metered).toMatchObject({ model: "grok-4-1-fast", outputTokens: 40, chargedMicroUsd: 0 });

    // The key reached the provider, through the gateway, as the key of this organisation.
    const main = upstream.requests.find((request) => request.path === "/v1/responses" && !request.isTitle);
    expect(main?.headers.authorization).toBe(`Bearer ${PLANTED_KEY}`);

    for (const [procedure, input] of [
      ["keys.list", undefined],
      ["sessions.get", { sessionId: session.id }],
      ["sessions.list", {}],
      ["sessions.catalog", undefined],
      ["billing.balance", undefined],
      ["billing.prices", undefined],
    ] as const) {
      await raw(account, procedure, input ?? null, bodies);
    }
    for (const body of bodies) expect(body).not.toContain(PLANTED_KEY);
    expect(JSON.stringify(events.events)).not.toContain(PLANTED_KEY);
    expect(studio.output.join("")).not.toContain(PLANTED_KEY);

    const row = await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
    const sandboxDir = path.join(dataDir, "sandboxes", row.sandboxId!);
    const files = filesUnder(sandboxDir);
    expect(files.length).toBeGreaterThan(3);
    for (const { file, text } of files) expect(text, file).not.toContain(PLANTED_KEY);
    const processes = processesUnder(sandboxDir);
    expect(processes.some((p) => p.environ.includes("STUDIO_GATEWAY_TOKEN="))).toBe(true);
    for (const process of processes) expect(process.environ).not.toContain(PLANTED_KEY);
    events.stop();
    await account.client.sessions.stop.mutate({ sessionId: session.id });
  });
});

describe("platform credits", { timeout: 180_000 }, () => {
  it("run out mid-turn: the gateway answers 402, the session says why, nothing is charged twice", async () => {
    const account = await signUpAccount(studio.url);
    const { client } = account;
    // grok-4 at $3 in / $15 out per million: 10,000 in + 1,000 out costs 45,000 micro-USD.
    // Granted as the studio's platform admin would (platform.int.test.ts covers who may).
    const { userId, organizationId } = await database.db.membership.findFirstOrThrow({
      where: { user: { email: account.email } },
    });
    await changeOrganizationCredits(
      database.db,
      { userId, platformAdmin: true },
      {
        organizationId,
        kind: "grant",
        amountUsd: 40_000n,
        reason: "trial",
        requestId: "trial-0001",
      },
    );
    const session = await client.sessions.create.mutate({
      environment: "development",
      provider: "xai",
      model: "grok-4",
    });
    expect(session.keySource).toBe("platform");
    const events = collectEvents(client, session.id);
    await events.waitFor("status_changed", (event) => event.to === "ready", 120_000);
    const before = upstream.requests.length;
    upstream.enqueue({
      steps: [{ toolCall: { name: "bash", arguments: { command: "echo ok", description: "Say ok" } } }],
      usage: { inputTokens: 10_000, outputTokens: 1_000 },
    });
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "run a command" });
    const asked = await events.waitFor("permission_requested", () => true, 90_000);
    const allow = asked.options.find((option) => option.kind === "allow_once")!;
    await client.sessions.respondToPermission.mutate({
      sessionId: session.id,
      interactionId: asked.interactionId,
      optionId: allow.optionId,
    });
    // The follow-up call carrying the tool's result is refused: the balance is below zero now.
    const notice = await events.waitFor("notice", (event) => event.code === "out_of_credits", 90_000);
    expect(notice.message).toMatch(/Out of platform credits/);
    await events.waitFor("turn_ended", () => true, 90_000);
    await expect(
      client.sessions.sendMessage.mutate({ sessionId: session.id, text: "again" }),
    ).rejects.toMatchObject({
      data: { code: "PAYMENT_REQUIRED", httpStatus: 402 },
    });

    const answered = upstream.requests.slice(before).filter((request) => request.path === "/v1/responses");
    expect(session.organizationId).toBe(organizationId);
    const usage = await database.db.ledgerEntry.findMany({ where: { organizationId, kind: "usage" } });
    // One entry per call the provider answered, never more.
    expect(usage.length).toBe(answered.length);
    expect(new Set(usage.map((entry) => entry.idempotencyKey)).size).toBe(usage.length);
    const credit = await database.db.creditAccount.findUniqueOrThrow({ where: { organizationId } });
    const charged = usage.reduce((sum, entry) => sum - entry.amountMicroUsd, 0n);
    expect(credit.balanceMicroUsd).toBe(40_000n - charged);
    expect(credit.balanceMicroUsd).toBeLessThanOrEqual(0n);
    events.stop();
  });
});
