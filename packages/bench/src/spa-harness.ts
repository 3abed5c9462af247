// What the browser benchmarks share: the built SPA on one origin with /api forwarded to the bench
// stack (the stack serves no SPA), tRPC mutations from the signed-in page, and waiting for a
// session's status.
import { createReadStream, existsSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import type { Page } from "@playwright/test";
import type { BenchStack } from "./stack.ts";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
/** The production build the browser benchmarks load (STUDIO_WEB_DIST, as the studio reads it). */
export const webDist = path.resolve(process.env.STUDIO_WEB_DIST ?? path.join(root, "apps", "web", "dist"));

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

/** The built SPA on one origin with /api forwarded to the stack, as the studio serves it. */
export async function serveSpa(apiUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const api = new URL(apiUrl);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://spa");
    if (url.pathname.startsWith("/api/")) {
      // One site, as behind a reverse proxy at the studio's PUBLIC_URL: the studio answers only to
      // its own name and origin.
      const headers = {
        ...req.headers,
        host: api.host,
        ...(req.headers.origin ? { origin: api.origin } : {}),
      };
      const upstream = http.request(new URL(req.url ?? "/", apiUrl), { method: req.method, headers });
      upstream.on("response", (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => res.destroy());
      res.on("close", () => upstream.destroy());
      req.pipe(upstream);
      return;
    }
    const file = path.join(webDist, path.normalize(url.pathname));
    const found = file.startsWith(webDist) && existsSync(file) && statSync(file).isFile();
    const served = found ? file : path.join(webDist, "index.html");
    res.writeHead(200, { "content-type": types[path.extname(served)] ?? "application/octet-stream" });
    createReadStream(served).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A tRPC mutation from the signed-in browser context (its cookie, its origin). */
export async function mutate<T>(page: Page, origin: string, procedure: string, input: unknown): Promise<T> {
  const response = await page.request.post(`${origin}/api/trpc/${procedure}`, {
    headers: { origin },
    data: { json: input },
  });
  if (!response.ok()) throw new Error(`${procedure}: ${response.status()} ${await response.text()}`);
  return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
}

/** Waits until the session's row has `status`; a failed session, or 90 s, is an error. */
export async function waitForStatus(stack: BenchStack, sessionId: string, status: string) {
  for (const deadline = Date.now() + 90_000; ; ) {
    const row = await stack.db.studioSession.findUniqueOrThrow({
      where: { id: sessionId },
      select: { status: true, errorReason: true },
    });
    if (row.status === status) return;
    if (row.status === "error") throw new Error(`session failed: ${row.errorReason}`);
    if (Date.now() > deadline) throw new Error(`session not ${status} after 90 s (${row.status})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
