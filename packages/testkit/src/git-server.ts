// A real git smart-HTTP server for tests, standing in for a hosted repository (GitHub-like): git's
// own `git http-backend` CGI behind HTTP Basic auth, one child process per request, streamed both
// ways. Public repositories can be fetched anonymously; private ones and every push need the one
// credential. A credential that is presented but wrong is refused everywhere (401), as GitHub does.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { DEFAULT_GIT_REPOS, type GitServerRepo, isolatedGitEnv, seedBareRepo } from "./git-server-seed.ts";

export { DEFAULT_GIT_REPOS, type GitServerRepo } from "./git-server-seed.ts";

const HTTP_BACKEND = "/usr/lib/git-core/git-http-backend";
const GIT_SERVICES = ["git-upload-pack", "git-receive-pack"];

export interface GitServerRequest {
  method: string;
  /** The URL path, e.g. `/private-demo.git/info/refs`. */
  path: string;
  /** The query string without `?`, e.g. `service=git-upload-pack` (empty when none). */
  query: string;
  /** `git-upload-pack` (fetch, clone, ls-remote), `git-receive-pack` (push), or null. */
  service: string | null;
  /** Whether the request carried the valid Basic credential. */
  authorized: boolean;
}

export interface GitServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The one valid Basic credential. */
  username: string;
  token: string;
  /** The clone URL without credentials: `${url}/${name}.git`. */
  repoUrl(name: string): string;
  /** The bare repository on disk, to inspect refs after a push. */
  bareDir(name: string): string;
  /** Every request received, in order. */
  requests: GitServerRequest[];
  close(): Promise<void>;
}

export interface GitServerOptions {
  /** Defaults to `public-demo` (public) and `private-demo` (private); see `seedBareRepo`. */
  repos?: GitServerRepo[];
}

const VALID_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const repos = options.repos ?? DEFAULT_GIT_REPOS;
  for (const repo of repos) {
    if (!VALID_NAME.test(repo.name) || repo.name.endsWith(".git")) {
      throw new Error(`Invalid repository name: ${repo.name}`);
    }
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "testkit-git-server-"));
  const projectRoot = path.join(dir, "repos");
  const home = path.join(dir, "home");
  try {
    await mkdir(home, { recursive: true });
    await mkdir(projectRoot, { recursive: true });
    await Promise.all(repos.map((repo) => seedBareRepo(projectRoot, path.join(dir, "seed"), home, repo)));
    await rm(path.join(dir, "seed"), { recursive: true, force: true });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const username = "testkit-git";
  const token = `gts_${randomBytes(20).toString("hex")}`;
  const expected = Buffer.from(`Basic ${Buffer.from(`${username}:${token}`).toString("base64")}`);
  const byName = new Map(repos.map((repo) => [repo.name, repo]));
  const requests: GitServerRequest[] = [];
  const children = new Set<ChildProcess>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://git.invalid");
    const query = url.search.slice(1);
    const method = req.method ?? "GET";
    let pathInfo: string;
    try {
      pathInfo = decodeURIComponent(url.pathname);
    } catch {
      pathInfo = url.pathname;
    }
    const last = pathInfo.split("/").pop() ?? "";
    const service = GIT_SERVICES.includes(last)
      ? last
      : pathInfo.endsWith("/info/refs") && GIT_SERVICES.includes(url.searchParams.get("service") ?? "")
        ? url.searchParams.get("service")
        : null;
    const presented = req.headers.authorization;
    const authorized =
      presented !== undefined &&
      Buffer.byteLength(presented) === expected.length &&
      timingSafeEqual(Buffer.from(presented), expected);
    requests.push({ method, path: url.pathname, query, service, authorized });

    const repo = byName.get(/^\/(.+?)\.git(\/|$)/.exec(pathInfo)?.[1] ?? "");
    const needsAuth = presented !== undefined || repo?.private || service === "git-receive-pack";
    if (needsAuth && !authorized) {
      req.resume();
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"', "Content-Type": "text/plain" });
      res.end("Authentication required\n");
      return;
    }
    if (!repo || pathInfo.split("/").includes("..")) {
      req.resume();
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("Repository not found\n");
      return;
    }

    const env = isolatedGitEnv(home, {
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      GATEWAY_INTERFACE: "CGI/1.1",
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
      REQUEST_METHOD: method,
      PATH_INFO: pathInfo,
      QUERY_STRING: query,
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    });
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(", ") : value;
    };
    const optional: Record<string, string | undefined> = {
      CONTENT_TYPE: header("content-type"),
      CONTENT_LENGTH: header("content-length"),
      GIT_PROTOCOL: header("git-protocol"),
      HTTP_CONTENT_ENCODING: header("content-encoding"),
      // git-http-backend enables receive-pack (push) only when REMOTE_USER is set.
      REMOTE_USER: authorized ? username : undefined,
    };
    for (const [name, value] of Object.entries(optional)) if (value !== undefined) env[name] = value;

    const child = spawn(HTTP_BACKEND, [], { env, stdio: ["pipe", "pipe", "pipe"] });
    children.add(child);
    child.on("close", () => children.delete(child));
    // The client went away before the response was complete: the backend is killed.
    res.on("close", () => {
      if (!res.writableFinished && child.exitCode === null) child.kill("SIGKILL");
    });
    child.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502, { "Content-Type": "text/plain" });
      res.end(`git http-backend failed: ${error.message}\n`);
    });
    child.stdin.on("error", () => {});
    req.on("error", () => child.kill("SIGKILL"));
    req.pipe(child.stdin);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 8192) stderr += chunk.toString();
    });
    streamCgiResponse(child, res, () => stderr);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    username,
    token,
    repoUrl: (name) => `${base}/${name}.git`,
    bareDir: (name) => path.join(projectRoot, `${name}.git`),
    requests,
    close: async () => {
      for (const child of children) child.kill("SIGKILL");
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(
        [...children].map((child) => new Promise<void>((resolve) => child.once("close", () => resolve()))),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Reads the CGI header block from the backend's stdout, then streams the rest as the body. */
function streamCgiResponse(child: ChildProcess, res: ServerResponse, stderr: () => string) {
  const stdout = child.stdout!;
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf("\r\n\r\n");
    const lf = head.indexOf("\n\n");
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    if (end < 0) {
      if (head.length > 64 * 1024) child.kill("SIGKILL");
      return;
    }
    stdout.off("data", onData);
    stdout.off("end", onEnd);
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString("latin1").split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 502;
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    const body = head.subarray(end + (end === crlf ? 4 : 2));
    if (body.length > 0) res.write(body);
    stdout.pipe(res);
  };
  const onEnd = () => {
    if (res.headersSent) return;
    res.writeHead(502, { "Content-Type": "text/plain" });
    res.end(`git http-backend gave no response\n${stderr()}`);
  };
  stdout.on("data", onData);
  stdout.on("end", onEnd);
}
