// Live sessions on this replica: the LISTEN connection, the event bus subscribers wait on, the
// sandbox provider, the append queue every runner writes its events through, and the runner
// manager that runs the sessions whose lease this replica holds.
import path from "node:path";
import type { Context } from "@studio/api";
import {
  deleteUpload,
  expireUploads,
  installationId,
  type Keyring,
  openUpload,
  SessionEventBus,
  startWebhookDeliveries,
  type WebhookDeliveries,
} from "@studio/core";
import type { Db, SqlPool } from "@studio/db";
import { createNotificationListener, type NotificationListener } from "@studio/db/notifications";
import type { Logger } from "@studio/models";
import { AppendQueue, RunnerManager, type SessionRow } from "@studio/runner";
import {
  buildWorkspace,
  E2BSandboxProvider,
  LocalSandboxProvider,
  resolveAgentBinaries,
  type SandboxProvider,
} from "@studio/sandbox";
import type { Config } from "./config.ts";
import { keyForEnvironmentMode } from "./environment-keys.ts";
import type { AppLogger } from "./logger.ts";
import { sessionPreviews } from "./previews-port.ts";
import { sessionTerminals } from "./session-terminals.ts";
import { sessionWorkspaces } from "./session-workspaces.ts";
import { settleWithin } from "./shutdown.ts";

/** How long a clean shutdown waits for the runners (a flush, an ACP close, the leases handed back). */
const RUNNERS_STOP_MS = 5_000;
/** Only against a hang: the local provider's own waits (grace, SIGKILL, one more sweep) add up to ~10 s. */
const SANDBOXES_STOP_MS = 30_000;
/** An upload no session used within a day is removed; checked every hour. */
const UPLOAD_KEPT_MS = 24 * 3600_000;
const UPLOAD_SWEEP_MS = 3600_000;

/** The git gateway's URL for a session, as sandboxes reach the studio (beside the model gateway). */
export function gitRemoteUrl(gatewayUrl: string, sessionId: string): string {
  return `${gatewayUrl.replace(/\/api\/llm\/?$/, "")}/api/git/${sessionId}`;
}

export interface SessionRuntime {
  sessions: Context["sessions"];
  manager: RunnerManager;
  provider: SandboxProvider;
  /** The replica's append queue, on `pool`: every runner's events are written through it. */
  appendQueue: AppendQueue;
  /** The replica's one LISTEN connection, which the gateway's budget recalls share. */
  notifications: NotificationListener;
  /** Starts running sessions; call once the server listens (the gateway must be reachable). */
  startRunners(): Promise<void>;
  /** Ends the runners, then whatever `provider.shutdown()` ends (local sandboxes); never throws. */
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  config: Config;
  db: Db;
  /** The `pg` pool under `db` (`createDbClient`), which the event appends use. */
  pool: SqlPool;
  databaseUrl: string;
  /** The server's pino logger: the runtime gives its parts children of it. */
  logger: AppLogger;
  /** The model gateway's base URL as sandboxes reach it, e.g. http://127.0.0.1:3000/api/llm. */
  gatewayUrl: () => string;
  /** Opens organisation keys for environment-mode sandboxes. */
  keyring: Keyring;
}

/** Providers the platform can pay for: a key, or (custom) an endpoint, is configured. */
export function platformProvidersOf(config: Config): ReadonlySet<string> {
  return new Set(
    Object.entries(config.upstreams)
      .filter(([provider, upstream]) => upstream && (upstream.apiKey || provider === "custom"))
      .map(([provider]) => provider),
  );
}

/**
 * The studio's ports a local sandbox with a network of its own may reach: the gateway's, when
 * sandboxes reach it on this machine's loopback (the default GATEWAY_PUBLIC_URL). Any other
 * gateway address is reached like the internet.
 */
export function loopbackPortsOf(url: string): number[] {
  const { hostname, port, protocol } = new URL(url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(hostname) && !hostname.startsWith("127.")) return [];
  return [Number(port || (protocol === "https:" ? 443 : 80))];
}

function sandboxProviderFor(
  config: Config,
  logger: Logger,
  gatewayUrl: () => string,
  /** This studio's id (installationId), which tags its E2B sandboxes; null for the local provider. */
  installation: string | null,
): SandboxProvider {
  if (config.sandboxProvider === "e2b") {
    // loadConfig has refused e2b without a key, a template (or the opt-in) and a public gateway URL.
    if (!installation) throw new Error("The E2B provider needs the studio's installation id.");
    if (!config.e2b.template)
      logger.warn(
        { setting: "E2B_ALLOW_BASE_TEMPLATE" },
        "sessions run on E2B's base template (512 MiB) and install the agents at every start; build a template with `pnpm e2b:template` and set E2B_TEMPLATE",
      );
    return new E2BSandboxProvider({
      installationId: installation,
      ...(config.e2b.apiKey ? { apiKey: config.e2b.apiKey } : {}),
      ...(config.e2b.template ? { template: config.e2b.template } : {}),
      // Provisioning checks from inside each sandbox that the studio answers there.
      ...(config.gatewayPublicUrl ? { gatewayUrl } : {}),
    });
  }
  const binaries = resolveAgentBinaries();
  return new LocalSandboxProvider({
    rootDir: path.join(config.dataDir, "sandboxes"),
    niceness: config.localSandboxNiceness,
    binaries: config.opencodeBin ? { ...binaries, opencode: config.opencodeBin } : binaries,
    logger,
    studioPorts: () => loopbackPortsOf(gatewayUrl()),
  });
}

export async function createSessionRuntime({
  config,
  db,
  pool,
  databaseUrl,
  logger,
  gatewayUrl,
  keyring,
}: RuntimeOptions): Promise<SessionRuntime> {
  const listener = await createNotificationListener(databaseUrl, {
    onError: (error) => logger.warn({ err: error.message }, "notification connection lost"),
  });
  const bus = new SessionEventBus(listener);
  const appendQueue = new AppendQueue(pool);
  const stopAnnouncing = appendQueue.onStored((batch, lastSeq) =>
    bus.announce(batch.sessionId, lastSeq, batch.events),
  );
  const installation = config.sandboxProvider === "e2b" ? await installationId(db) : null;
  const provider = sandboxProviderFor(config, logger, gatewayUrl, installation);
  const previews = sessionPreviews(provider, config.previewDomain);
  const log = logger.child({ component: "shutdown" });
  const gitRemoteFor = (sessionId: string) => gitRemoteUrl(gatewayUrl(), sessionId);
  const sweepUploads = () =>
    void expireUploads(db, config.uploads.dir, new Date(Date.now() - UPLOAD_KEPT_MS)).catch((error: Error) =>
      logger.warn({ err: error.message }, "removing unused uploads failed"),
    );
  const uploadSweeper = setInterval(sweepUploads, UPLOAD_SWEEP_MS);
  uploadSweeper.unref();
  const organizationPolicy = async (organizationId: string) =>
    db.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { toolPermissions: true } });

  const manager = new RunnerManager({
    db,
    appendQueue,
    provider,
    listener,
    logger: logger.child({ component: "runner" }),
    leaseMs: config.leaseMs,
    provisioningConcurrency: config.provisioningConcurrency,
    sources: {
      gitRemoteFor,
      openUpload: (uploadId) => openUpload(config.uploads.dir, uploadId),
      discardUpload: (uploadId) => deleteUpload(db, config.uploads.dir, uploadId),
    },
    async workspaceFor(session: SessionRow, gatewayToken: string) {
      const { toolPermissions } = await organizationPolicy(session.organizationId);
      // OpenCode talks to where the calls go: OpenRouter (with its model name) when the key is one.
      const route = {
        agent: session.agent,
        provider: session.upstreamProvider,
        model: session.upstreamModel,
        toolPermissions,
      };
      if (config.keyDelivery === "gateway") {
        return buildWorkspace({ ...route, gateway: { baseUrl: gatewayUrl(), token: gatewayToken } });
      }
      // Explicitly configured for sandboxes that cannot reach the studio: the key itself goes in.
      const key = await keyForEnvironmentMode(db, keyring, config, session);
      return buildWorkspace({
        ...route,
        gateway: null,
        ...(session.upstreamProvider === "custom"
          ? { customEndpoint: { baseUrl: key.baseUrl ?? "", ...(key.apiKey ? { apiKey: key.apiKey } : {}) } }
          : key.apiKey
            ? { directKey: { apiKey: key.apiKey } }
            : {}),
      });
    },
  });
  let webhookDeliveries: WebhookDeliveries | undefined;
  return {
    notifications: listener,
    sessions: {
      bus,
      runtime: {
        sandboxProvider: config.sandboxProvider,
        keyDelivery: config.keyDelivery,
        platformProviders: platformProvidersOf(config),
        uploadDir: config.uploads.dir,
        sessionCaps: config.limits.liveSessions,
      },
      workspaces: sessionWorkspaces(provider, gitRemoteFor),
      terminals: sessionTerminals(provider),
      previews,
    },
    manager,
    provider,
    appendQueue,
    async startRunners() {
      await manager.start();
      // Alert webhooks: every replica delivers, each row by one of them (see alerts/worker.ts).
      webhookDeliveries ??= startWebhookDeliveries({
        db,
        keyring,
        logger: logger.child({ component: "webhooks" }),
        tenantPrivateNetwork: config.tenantPrivateNetwork,
        wakeups: listener,
      });
    },
    async stop() {
      // The runners let go of their agents and hand their leases back, which needs the database;
      // a signal to the whole process group may already be shutting the embedded one down. They
      // are marked stopped at once (none restarts an agent that goes away), so waiting for them is
      // bounded and the sandboxes are ended whatever the database did: nothing else would end them.
      clearInterval(uploadSweeper);
      await settleWithin(log, "webhook deliveries", async () => webhookDeliveries?.stop(), RUNNERS_STOP_MS);
      await settleWithin(log, "runners", () => manager.stop(), RUNNERS_STOP_MS);
      await settleWithin(log, "sandboxes", () => provider.shutdown(), SANDBOXES_STOP_MS);
      previews.close();
      stopAnnouncing();
      bus.close();
      await settleWithin(log, "notification listener", () => listener.close(), RUNNERS_STOP_MS);
    },
  };
}
