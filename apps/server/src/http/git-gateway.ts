// The git gateway: `<studio>/api/git/<sessionId>` is a git remote a sandbox (its agent, or a person
// in its terminal) fetches, pulls and pushes with plain git, while no long-lived credential ever
// enters the sandbox. git authenticates with the session's gateway token (HTTP Basic password, any
// user name, or a Bearer header); the studio forwards git's smart HTTP to the session's remote with
// the organisation's stored credential for that host, streaming both ways. Pushes are read up to
// their ref updates first and refused (in git's own report-status, so `git push` prints why) unless
// every ref is a branch under the organisation's push prefix; a push that lands is recorded in the
// session's log with a link to open a pull request.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { Readable } from "node:stream";
import { toHttpError } from "@studio/api";
import {
  AppError,
  DEFAULT_GIT_USERNAME,
  type GitGatewaySession,
  type Keyring,
  type PrivateNetworkPolicy,
  pullRequestUrlFor,
  type ResolveHost,
  recordGitPush,
  resolveGitGatewaySession,
} from "@studio/core";
import type { Db } from "@studio/db";
import {
  checkPush,
  type GitResponse,
  type PushHead,
  ReceivePackError,
  readPushHead,
  reportFatal,
  reportRefusal,
} from "@studio/gateway";
import type { Logger } from "@studio/models";
import { pushResultReader } from "./git-push-result.ts";

export const GIT_GATEWAY_PREFIX = "/api/git/";

export interface GitGatewayDeps {
  db: Db;
  keyring: Keyring;
  logger: Logger;
  /** TENANT_PRIVATE_NETWORK: which addresses a session's remote may be at (see prepareRemote). */
  privateNetwork: PrivateNetworkPolicy;
  /** Tests resolve names without DNS. */
  resolve?: ResolveHost;
  /** From the end of the request's body until the remote's response headers arrive. Default 60 s. */
  responseTimeoutMs?: number;
  /** Longest silence on the remote's connection once streaming. Default 5 min. */
  idleTimeoutMs?: number;
}

type Service = "git-upload-pack" | "git-receive-pack";
interface GitRoute {
  sessionId: string;
  /** Appended to the remote's URL: `info/refs?service=…` or the service's name. */
  suffix: string;
  service: Service;
  advertisement: boolean;
}

const SERVICES = new Set<string>(["git-upload-pack", "git-receive-pack"]);
/** Session ids are ours (`newId`); anything else cannot name a session. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The three requests of git's smart HTTP, and nothing else (no dumb HTTP, no other paths). */
export function parseGitRoute(method: string | undefined, rawUrl: string): GitRoute | null {
  const url = new URL(rawUrl, "http://studio");
  // Dot segments (plain or encoded) are resolved by the parser: such a path is not git's.
  if (!url.pathname.startsWith(GIT_GATEWAY_PREFIX) || rawUrl.split("?")[0] !== url.pathname) return null;
  const [id, ...rest] = url.pathname.slice(GIT_GATEWAY_PREFIX.length).split("/");
  const sessionId = (id ?? "").replace(/\.git$/, "");
  if (!SESSION_ID.test(sessionId)) return null;
  const path = rest.join("/");
  if (path === "info/refs" && method === "GET") {
    const service = url.searchParams.get("service") ?? "";
    if (!SERVICES.has(service) || [...url.searchParams.keys()].length !== 1) return null;
    return {
      sessionId,
      suffix: `info/refs?service=${service}`,
      service: service as Service,
      advertisement: true,
    };
  }
  if (SERVICES.has(path) && method === "POST" && url.search === "")
    return { sessionId, suffix: path, service: path as Service, advertisement: false };
  return null;
}

/** The gateway token from `Authorization: Basic <any>:<token>` or `Authorization: Bearer <token>`. */
export function presentedToken(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!scheme || !value) return null;
  if (scheme.toLowerCase() === "bearer") return value;
  if (scheme.toLowerCase() !== "basic") return null;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : null;
}

function sendText(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, {
    ...headers,
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
  });
  res.end(`${message}\n`);
}

function sendGit(res: ServerResponse, response: GitResponse) {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

function sendError(res: ServerResponse, error: AppError) {
  const { status, headers, body } = toHttpError(error);
  // git asks for credentials again (or says "Authentication failed") only on a 401 with a challenge.
  if (status === 401) headers["www-authenticate"] = 'Basic realm="Studio"';
  sendText(res, status, body.error, headers);
}

export async function serveGitGateway(req: IncomingMessage, res: ServerResponse, deps: GitGatewayDeps) {
  const route = parseGitRoute(req.method, req.url ?? "/");
  if (!route) return sendText(res, 404, "Not a git smart-HTTP request.");
  let session: GitGatewaySession;
  try {
    session = await resolveGitGatewaySession(
      deps.db,
      deps.keyring,
      route.sessionId,
      presentedToken(req.headers.authorization),
      { privateNetwork: deps.privateNetwork, resolve: deps.resolve },
    );
  } catch (error) {
    req.resume();
    if (error instanceof AppError) return sendError(res, error);
    deps.logger.error({ err: error, sessionId: route.sessionId }, "git gateway: session lookup failed");
    return sendText(res, 500, "The studio could not check this session. Try again in a moment.");
  }

  if (route.service !== "git-receive-pack" || route.advertisement)
    return forward(req, res, req, route, session, deps, null);

  let head: PushHead;
  try {
    head = await readPushHead(req, { contentEncoding: req.headers["content-encoding"] });
  } catch (error) {
    if (!(error instanceof ReceivePackError)) {
      req.destroy();
      return;
    }
    req.resume();
    // What git itself may send (a signed push, a huge list of refs) is answered so git prints it;
    // a body git would never send gets a plain 400.
    if (error.code === "push-cert" || error.code === "too-large")
      return sendGit(res, reportFatal(error.capabilities, error.message));
    return sendText(res, 400, error.message);
  }
  const decision = checkPush(head.commands, { branchPrefix: session.pushBranchPrefix });
  if (!decision.allowed) {
    head.body.resume();
    deps.logger.info(
      { sessionId: session.sessionId, refs: decision.refs.map((ref) => ref.ref) },
      "git gateway: push refused",
    );
    return sendGit(res, reportRefusal(head.capabilities, decision.refs, decision.message));
  }
  return forward(req, res, head.body, route, session, deps, head);
}

/** The pinned addresses of the remote's name, from prepareRemote's `host:port:addr[,addr]`. */
function pinnedLookup(session: GitGatewaySession): LookupFunction | undefined {
  const pin = session.target.pins?.[0];
  if (!pin) return undefined;
  // The name is a DNS name (literals are not pinned), so the addresses follow its second colon.
  const list = pin.slice(pin.indexOf(":", pin.indexOf(":") + 1) + 1);
  const addresses = list
    .split(",")
    .map((entry) => entry.replace(/^\[(.*)\]$/, "$1"))
    .filter((address) => isIP(address) !== 0)
    .map((address) => ({ address, family: isIP(address) }));
  if (addresses.length === 0) return undefined;
  return (_hostname, options, callback) => {
    if (options.all) return callback(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  };
}

function authorization(session: GitGatewaySession): Record<string, string> {
  const credential = session.credential;
  if (!credential) return {};
  const user = credential.username || DEFAULT_GIT_USERNAME;
  return { authorization: `Basic ${Buffer.from(`${user}:${credential.token}`, "utf8").toString("base64")}` };
}

const REQUEST_HEADERS = [
  "content-type",
  "content-encoding",
  "content-length",
  "accept",
  "git-protocol",
  "user-agent",
];
const RESPONSE_HEADERS = [
  "content-type",
  "content-encoding",
  "content-length",
  "cache-control",
  "expires",
  "pragma",
];

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  body: Readable,
  route: GitRoute,
  session: GitGatewaySession,
  deps: GitGatewayDeps,
  push: PushHead | null,
) {
  const base = session.remoteUrl.replace(/\/+$/, "");
  const target = new URL(`${base}/${route.suffix}`);
  const headers: Record<string, string> = { ...authorization(session) };
  for (const name of REQUEST_HEADERS) {
    const value = req.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  // Fetches may come back compressed, passed through as they are; a push's answer is read here.
  if (!push && typeof req.headers["accept-encoding"] === "string")
    headers["accept-encoding"] = req.headers["accept-encoding"];
  const client = target.protocol === "https:" ? https : http;
  const fail = (status: number, message: string) => {
    body.resume();
    sendText(res, status, message);
  };

  const outgoing = client.request(target, { method: req.method, headers, lookup: pinnedLookup(session) });
  // Counted from the body's end: a remote answers a push only once it has the whole pack.
  let responseTimer: NodeJS.Timeout | undefined;
  outgoing.on("finish", () => {
    responseTimer = setTimeout(
      () => outgoing.destroy(new Error("timed out waiting for the remote")),
      deps.responseTimeoutMs ?? 60_000,
    );
  });
  outgoing.setTimeout(deps.idleTimeoutMs ?? 300_000, () =>
    outgoing.destroy(new Error("the remote went silent")),
  );
  res.on("close", () => {
    if (!res.writableFinished) outgoing.destroy();
  });
  outgoing.on("error", (error) => {
    clearTimeout(responseTimer);
    body.unpipe(outgoing);
    // Node's messages name the host and the failure, never the request's headers.
    deps.logger.warn(
      { sessionId: session.sessionId, host: target.host, err: error.message },
      "git gateway: remote failed",
    );
    if (res.headersSent) res.destroy();
    else fail(502, `The studio could not reach ${target.host}: ${error.message}`);
  });
  outgoing.on("response", (answer) => {
    clearTimeout(responseTimer);
    const status = answer.statusCode ?? 502;
    if (status >= 300) {
      answer.resume();
      deps.logger.warn(
        { sessionId: session.sessionId, host: target.host, status },
        "git gateway: remote refused",
      );
      if (status < 400)
        return fail(502, `${target.host} answered with a redirect, which the studio does not follow.`);
      // Never 401: git would take it as a wrong gateway token and ask the person for another.
      if (status === 401 || status === 403)
        return fail(
          403,
          session.credential
            ? `${target.host} refused the organisation's git credential (${status}). An owner or admin can replace it in Settings → Git credentials.`
            : `${target.host} needs a credential (${status}) and the organisation has none for it. An owner or admin can add one in Settings → Git credentials.`,
        );
      if (status === 404) return fail(404, `${target.host} has no repository at ${session.remoteUrl}.`);
      return fail(502, `${target.host} answered ${status}.`);
    }
    const out: Record<string, string> = {};
    for (const name of RESPONSE_HEADERS) {
      const value = answer.headers[name];
      if (typeof value === "string") out[name] = value;
    }
    res.writeHead(status, out);
    if (!push) return void answer.pipe(res);
    const sideBand = push.capabilities.includes("side-band-64k") || push.capabilities.includes("side-band");
    const reader = pushResultReader(sideBand);
    answer.on("data", (chunk: Buffer) => reader.push(chunk));
    answer.on("end", () => {
      const result = reader.result();
      if (!result.unpackOk) return;
      const updated = push.commands.filter((command) => result.updated.includes(command.ref));
      if (updated.length === 0) return;
      recordGitPush(
        deps.db,
        session.sessionId,
        updated.map((command) => ({
          ref: command.ref,
          oldCommit: command.oldOid,
          newCommit: command.newOid,
          pullRequestUrl: pullRequestUrlFor(session, command.ref),
        })),
      ).catch((error: unknown) =>
        deps.logger.error({ err: error, sessionId: session.sessionId }, "git gateway: push not recorded"),
      );
    });
    answer.pipe(res);
  });
  body.on("error", () => outgoing.destroy());
  body.pipe(outgoing);
}
