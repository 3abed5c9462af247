// Environment mode: the key a session resolved to is the one that goes into its sandbox.
import { NO_SOURCE, newId, newKeyring, setProviderKey } from "@studio/core";
import type { SessionRow } from "@studio/runner";
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { keyForEnvironmentMode } from "./environment-keys.ts";

const database = useTestDatabase();
const keyring = newKeyring();
const config = loadConfig({
  KEY_DELIVERY: "environment",
  XAI_API_KEY: "xai-platform-env-key-0001",
  STUDIO_DATA_DIR: "/nonexistent",
});

async function organization() {
  const userId = newId();
  const organizationId = newId();
  await database.db.user.create({
    data: { id: userId, email: `${userId}@example.com`, name: "E", passwordHash: "x" },
  });
  await database.db.organization.create({ data: { id: organizationId, name: "E", slug: organizationId } });
  return { userId, organizationId, role: "owner" as const };
}

const row = (organizationId: string, fields: Partial<SessionRow>): SessionRow => ({
  id: newId(),
  status: "provisioning",
  provider: "xai",
  model: "grok-4",
  upstreamProvider: "xai",
  upstreamModel: "grok-4",
  keySource: "platform",
  organizationId,
  sandboxId: null,
  agentSessionId: null,
  acpServerId: null,
  agentEventCursor: null,
  currentTurnId: null,
  ...NO_SOURCE,
  baseCommit: null,
  agent: "opencode",
  ...fields,
});

describe("keys for environment mode", () => {
  it("are the platform's on platform credits, the organisation's own key or OpenRouter key otherwise", async () => {
    const owner = await organization();
    expect(await keyForEnvironmentMode(database.db, keyring, config, row(owner.organizationId, {}))).toEqual({
      apiKey: "xai-platform-env-key-0001",
      baseUrl: "https://api.x.ai",
    });
    await setProviderKey(database.db, keyring, owner, {
      provider: "anthropic",
      apiKey: "sk-ant-env-direct-0002",
    });
    await setProviderKey(database.db, keyring, owner, {
      provider: "openrouter",
      apiKey: "sk-or-env-router-0003",
    });
    const direct = row(owner.organizationId, {
      provider: "anthropic",
      upstreamProvider: "anthropic",
      keySource: "direct",
    });
    expect((await keyForEnvironmentMode(database.db, keyring, config, direct)).apiKey).toBe(
      "sk-ant-env-direct-0002",
    );
    const routed = row(owner.organizationId, { upstreamProvider: "openrouter", keySource: "openrouter" });
    expect((await keyForEnvironmentMode(database.db, keyring, config, routed)).apiKey).toBe(
      "sk-or-env-router-0003",
    );
  });

  it("refuse to provision when the organisation's key was removed", async () => {
    const owner = await organization();
    const session = row(owner.organizationId, {
      upstreamProvider: "openai",
      provider: "openai",
      keySource: "direct",
    });
    await expect(keyForEnvironmentMode(database.db, keyring, config, session)).rejects.toThrow(
      /openai key was removed/,
    );
  });
});
