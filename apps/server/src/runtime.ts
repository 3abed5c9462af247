// Live sessions on this replica: the LISTEN connection, the event bus subscribers wait on, the
// sandbox provider, and the runner manager that runs the sessions whose lease this replica holds.
import path from "node:path";
import type { Context } from "@studio/api";
import { SessionEventBus } from "@studio/core";
import type { Db } from "@studio/db";
import { createNotificationListener } from "@studio/db/notifications";
import { RunnerManager, type SessionRow } from "@studio/runner";
import { buildWorkspace, LocalSandboxProvider, type SandboxProvider } from "@studio/sandbox";
import type { Config } from "./config.ts";
import type { AppLogger } from "./logger.ts";

export interface SessionRuntime {
  sessions: Context["sessions"];
  manager: RunnerManager;
  provider: SandboxProvider;
  /** Starts running sessions; call once the server listens (the gateway must be reachable). */
  startRunners(): Promise<void>;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  config: Config;
  db: Db;
  databaseUrl: string;
  logger: AppLogger;
  /** The model gateway's base URL as sandboxes reach it, e.g. http://127.0.0.1:3000/api/llm. */
  gatewayUrl: () => string;
}

function sandboxProviderFor(config: Config): SandboxProvider {
  if (config.sandboxProvider === "e2b") {
    throw new Error("SANDBOX_PROVIDER=e2b is not wired into the server yet; use the local provider.");
  }
  return new LocalSandboxProvider({ rootDir: path.join(config.dataDir, "sandboxes") });
}

export async function createSessionRuntime({
  config,
  db,
  databaseUrl,
  logger,
  gatewayUrl,
}: RuntimeOptions): Promise<SessionRuntime> {
  const listener = await createNotificationListener(databaseUrl, {
    onError: (error) => logger.warn({ err: error.message }, "notification connection lost"),
  });
  const bus = new SessionEventBus(listener);
  const provider = sandboxProviderFor(config);
  const organizationPolicy = async (organizationId: string) =>
    db.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { toolPermissions: true } });

  const manager = new RunnerManager({
    db,
    provider,
    listener,
    logger: logger.child({ component: "runner" }),
    leaseMs: config.leaseMs,
    async workspaceFor(session: SessionRow, gatewayToken: string) {
      const { toolPermissions } = await organizationPolicy(session.organizationId);
      return buildWorkspace({
        provider: session.provider,
        model: session.model,
        gateway: { baseUrl: gatewayUrl(), token: gatewayToken },
        toolPermissions,
      });
    },
  });
  return {
    sessions: {
      bus,
      runtime: { sandboxProvider: config.sandboxProvider, keyDelivery: config.keyDelivery },
      platformProviders: new Set(
        Object.entries(config.upstreams)
          .filter(([provider, upstream]) => upstream && (upstream.apiKey || provider === "custom"))
          .map(([provider]) => provider),
      ),
    },
    manager,
    provider,
    startRunners: () => manager.start(),
    async stop() {
      await manager.stop();
      await provider.shutdown();
      bus.close();
      await listener.close();
    },
  };
}
