import { existsSync } from "node:fs";
import http from "node:http";
import type { Duplex } from "node:stream";
import {
  appRouter,
  type Context,
  SESSION_EVENTS_PATH,
  serveSessionEvents,
  toTRPCError,
  trpcErrorHeaders,
} from "@studio/api";
import { type AppError, isLimitExempt, type Keyring } from "@studio/core";
import type { Db, SqlPool } from "@studio/db";
import type { NotificationListener } from "@studio/db/notifications";
import { createGateway, createModelListing, GATEWAY_PREFIX, type Gateway, probeKey } from "@studio/gateway";
import type { Logger } from "@studio/models";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import sirv from "sirv";
import type { Config } from "./config.ts";
import { clientAddress } from "./http/client-address.ts";
import { ClientRequestLimits, isClientLimitedPath } from "./http/client-limits.ts";
import { createRequestContext } from "./http/context.ts";
import { webAppPolicy } from "./http/csp.ts";
import { isDownloadPath, serveDownload } from "./http/downloads.ts";
import { GIT_GATEWAY_PREFIX, serveGitGateway } from "./http/git-gateway.ts";
import { LEDGER_CSV_PATH, serveLedgerCsv } from "./http/ledger-csv.ts";
import { type StudioOrigins, studioOrigins } from "./http/origins.ts";
import { isPreviewPath } from "./http/preview-access.ts";
import { createPreviewProxy } from "./http/preview-proxy.ts";
import {
  authorizePreview,
  createSubdomainPreviews,
  isUnderPreviewDomain,
  PREVIEW_AUTHORIZE_PATH,
} from "./http/preview-subdomain.ts";
import { refuseWith } from "./http/respond.ts";
import { createTerminalSockets, isTerminalSocketPath } from "./http/terminal-socket.ts";
import { serveUpload, UPLOADS_PATH } from "./http/uploads.ts";

export interface StudioServerDeps {
  config: Config;
  db: Db;
  /** The `pg` pool under `db`: the gateway's metering and the ledger export use it. */
  pool: SqlPool;
  logger: Logger;
  sessions: Context["sessions"];
  keyring: Keyring;
  /** The replica's LISTEN connection (the runtime's): lets the gateway's budgets recall allowances. */
  notifications?: NotificationListener;
}

export interface StudioServer {
  server: http.Server;
  gateway: Gateway;
  /** Resolves once listening; the URL the studio is reachable at. */
  listen(): Promise<string>;
  /** The port it listens on (useful with PORT=0). */
  port(): number;
  close(): Promise<void>;
}

async function databaseHealth(db: Db) {
  const started = performance.now();
  try {
    await db.$queryRaw`SELECT 1`;
    return { status: "up" as const, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch {
    return { status: "down" as const, latencyMs: null };
  }
}

/**
 * Calls one HTTP request may batch. tRPC runs a batch's calls concurrently, so an unbounded batch
 * is a way round every per-call limit (a thousand sign-in attempts in one POST). The web app's
 * client batches no more than this (`maxItems`).
 */
export const MAX_BATCH_SIZE = 10;

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

export function createStudioServer({
  config,
  db,
  pool,
  logger,
  sessions,
  keyring,
  notifications,
}: StudioServerDeps): StudioServer {
  let publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  let origins: StudioOrigins = studioOrigins(config, config.port);

  const gateway = createGateway({
    db,
    pool,
    keyring,
    upstreams: config.upstreams,
    tenantPrivateNetwork: config.tenantPrivateNetwork,
    logger,
    platformMarkupBps: config.creditsMarkupBps,
    rateLimits: config.limits.modelCallsPerMinute,
    ...(notifications ? { notifications } : {}),
  });
  const modelListing = createModelListing({
    db,
    keyring,
    upstreams: config.upstreams,
    privateNetwork: config.tenantPrivateNetwork,
  });
  const keys: Context["keys"] = {
    keyring,
    privateNetwork: config.tenantPrivateNetwork,
    probe: (provider, key) => probeKey(provider, key, config.upstreams, config.tenantPrivateNetwork),
    changed: (organizationId) => {
      gateway.access.forgetKeys(organizationId);
      modelListing.forget(organizationId);
    },
    endpointModels: (organizationId) => modelListing.forOrganization(organizationId),
  };

  // One context per request: `sessions.events` is served by its own SSE writer, which hands what it
  // does not serve to tRPC's handler with the context it already made (nothing runs twice).
  const contexts = new WeakMap<http.IncomingMessage, Promise<Context>>();
  const contextOf = (req: http.IncomingMessage, res: http.ServerResponse) => {
    let context = contexts.get(req);
    if (!context) {
      context = createRequestContext(req, res, { config, db, logger, publicUrl, origins, sessions, keys });
      contexts.set(req, context);
    }
    return context;
  };
  // API requests per client address; a request past the allowance is answered before any work.
  const clientLimits = new ClientRequestLimits(config.limits.apiRequestsPerMinutePerAddress);
  const limitRefusals = new WeakMap<http.IncomingMessage, AppError>();
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    maxBodySize: 1024 * 1024,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: ({ req, res }) => {
      // Refused in tRPC's own shape, so its clients read the reason like any procedure's error.
      const refusal = limitRefusals.get(req);
      if (refusal) throw toTRPCError(refusal);
      return contextOf(req, res);
    },
    responseMeta: ({ errors }) => ({ headers: trpcErrorHeaders(errors) }),
  });

  const webAppCsp = webAppPolicy(config.webDist);
  const spa = existsSync(config.webDist)
    ? sirv(config.webDist, {
        single: true,
        etag: true,
        setHeaders: (res, pathname) => {
          // Hashed bundles never change; index.html must always be revalidated.
          const immutable = pathname.startsWith("/assets/");
          res.setHeader("cache-control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
        },
      })
    : null;

  const previews = createPreviewProxy();
  const subdomainPreviews = createSubdomainPreviews(previews);
  // PREVIEW_DOMAIN's names are answered by the preview proxy only, never by the studio's routes.
  const isPreviewHost = (host: string | undefined) =>
    !origins.hostAllowed(host) && isUnderPreviewDomain(host, config.previewDomain);
  const server = http.createServer(async (req, res) => {
    const url = req.url ?? "/";
    // DNS rebinding: a page whose name now resolves to this machine sends its own name as Host.
    // Refused before anything else runs, for every route.
    if (isPreviewHost(req.headers.host))
      return subdomainPreviews.serve(req, res, { config, db, logger, publicUrl, origins, sessions, keys });
    if (!origins.hostAllowed(req.headers.host)) {
      res.writeHead(421, {
        "content-type": "text/plain; charset=utf-8",
        "x-content-type-options": "nosniff",
      });
      res.end("This studio is not served under that name.");
      return;
    }
    const started = performance.now();
    res.on("finish", () => {
      // Paths only: query strings can carry tokens (invitation previews, Google's `?key=`).
      logger.debug(
        {
          method: req.method,
          path: url.split("?")[0],
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        },
        "request",
      );
    });
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("referrer-policy", "same-origin");
    if (isClientLimitedPath(url)) {
      const address = clientAddress(
        req.socket.remoteAddress,
        req.headers["x-forwarded-for"],
        config.trustProxy,
      );
      const exempt = isLimitExempt(address, config.limits.exemptAddresses);
      const refusal = exempt ? null : await clientLimits.admit(address);
      if (refusal && url.startsWith("/api/trpc/") && !url.startsWith(`${SESSION_EVENTS_PATH}?`)) {
        limitRefusals.set(req, refusal);
        return trpc(req, res);
      }
      if (refusal) return refuseWith(res, refusal);
    }
    if (url.startsWith(`${SESSION_EVENTS_PATH}?`))
      return serveSessionEvents(
        req,
        res,
        () => contextOf(req, res),
        () => trpc(req, res),
      );
    if (url.startsWith("/api/trpc/")) return trpc(req, res);
    if (url.startsWith(GATEWAY_PREFIX)) return gateway.handle(req, res);
    if (url.startsWith(GIT_GATEWAY_PREFIX))
      return serveGitGateway(req, res, { db, keyring, logger, privateNetwork: config.tenantPrivateNetwork });
    if (url === LEDGER_CSV_PATH || url.startsWith(`${LEDGER_CSV_PATH}?`))
      return serveLedgerCsv(req, res, { config, db, pool, logger, publicUrl, origins, sessions, keys });
    if (isDownloadPath(url))
      return serveDownload(req, res, { config, db, logger, publicUrl, origins, sessions, keys });
    if (url === UPLOADS_PATH || url.startsWith(`${UPLOADS_PATH}?`))
      return serveUpload(req, res, { config, db, logger, publicUrl, origins, sessions, keys });
    if (url.startsWith(`${PREVIEW_AUTHORIZE_PATH}?`))
      return authorizePreview(req, res, { config, db, logger, publicUrl, origins, sessions, keys });
    if (isPreviewPath(url))
      return previews.serve(req, res, { config, db, logger, publicUrl, origins, sessions, keys });
    if (url === "/api/health" || url.startsWith("/api/health?")) {
      const database = await databaseHealth(db);
      return sendJson(res, database.status === "up" ? 200 : 503, {
        status: database.status === "up" ? "ok" : "degraded",
        database,
      });
    }
    if (url.startsWith("/api/")) return sendJson(res, 404, { error: "Not found" });
    if (spa) {
      res.setHeader("x-frame-options", "DENY");
      res.setHeader("content-security-policy", webAppCsp);
      return spa(req, res);
    }
    res.writeHead(503, { "content-type": "text/plain" });
    res.end("The web app is not built. Run `npm start` (or `pnpm build`) first.");
  });

  // Terminals: WebSocket upgrades, on the studio's own names only (like every request).
  const terminalSockets = createTerminalSockets();
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const deps = { config, db, logger, publicUrl, origins, sessions, keys };
    if (isPreviewHost(req.headers.host)) return void subdomainPreviews.upgrade(req, socket, head, deps);
    if (origins.hostAllowed(req.headers.host) && isPreviewPath(req.url ?? ""))
      return void previews.upgrade(req, socket, head, deps);
    if (!origins.hostAllowed(req.headers.host) || !isTerminalSocketPath(req.url ?? "")) {
      socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    terminalSockets.upgrade(req, socket, head, { config, db, logger, publicUrl, origins, sessions, keys });
  });

  return {
    server,
    gateway,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          const address = server.address();
          const port = typeof address === "object" && address ? address.port : config.port;
          if (!config.publicUrl) publicUrl = `http://localhost:${port}`;
          origins = studioOrigins(config, port);
          resolve(publicUrl);
        });
      }),
    port: () => {
      const address = server.address();
      return typeof address === "object" && address ? address.port : config.port;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Open SSE streams would otherwise hold close() forever; upgraded sockets are not the
        // server's connections any more.
        server.closeAllConnections();
        terminalSockets.closeAll();
        previews.closeAll();
      }),
  };
}
