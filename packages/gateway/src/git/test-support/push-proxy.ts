// A stand-in for the git gateway in tests: forwards git's smart HTTP to `target` as it is, except
// that a push (`POST …/git-receive-pack`) is read with readPushHead, checked with checkPush, and
// either forwarded byte for byte or answered with a refusal that never reaches `target`.
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import { checkPush, type PushPolicy } from "../push-policy.ts";
import { type PushHead, ReceivePackError, readPushHead } from "../receive-pack.ts";
import { type GitResponse, reportFatal, reportRefusal } from "../report-status.ts";

export interface PushProxy {
  url: string;
  /** Every push head read, forwarded or not. */
  pushes: Array<Omit<PushHead, "body"> & { forwarded: boolean }>;
  close(): Promise<void>;
}

export async function startPushProxy(
  target: string,
  policy: PushPolicy,
  options: { maxBytes?: number } = {},
): Promise<PushProxy> {
  const pushes: PushProxy["pushes"] = [];
  const upstream = new URL(target);

  const forward = (req: IncomingMessage, res: ServerResponse, body: Readable) => {
    const headers = { ...req.headers, host: upstream.host };
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    body.pipe(out);
  };

  const answer = (req: IncomingMessage, res: ServerResponse, response: GitResponse) => {
    // The rest of the body (the pack) is read and dropped, so git can finish sending and read this.
    req.resume();
    res.writeHead(response.status, response.headers);
    res.end(response.body);
  };

  const server = createServer((req, res) => {
    const isPush =
      req.method === "POST" && new URL(req.url ?? "/", "http://x").pathname.endsWith("/git-receive-pack");
    if (!isPush) return forward(req, res, req);
    readPushHead(req, { contentEncoding: req.headers["content-encoding"], maxBytes: options.maxBytes }).then(
      (head) => {
        const decision = checkPush(head.commands, policy);
        const { body, ...parsed } = head;
        pushes.push({ ...parsed, forwarded: decision.allowed });
        if (decision.allowed) return forward(req, res, body);
        answer(req, res, reportRefusal(head.capabilities, decision.refs, decision.message));
      },
      (error: unknown) => {
        if (!(error instanceof ReceivePackError)) return res.destroy();
        answer(req, res, reportFatal(error.capabilities, error.message));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pushes,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
