// The in-sandbox gateway probe run for real with bash, against a local studio health endpoint:
// through curl, through Node where the image has no curl, and against nothing listening.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayProbeCommand } from "./commands.ts";

let server: Server;
let url: string;
const noCurl = mkdtempSync(path.join(tmpdir(), "studio-probe-"));

beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(req.url === "/api/health" ? 200 : 404, { "content-type": "application/json" });
    res.end(req.url === "/api/health" ? '{"status":"ok","database":{"status":"up"}}' : "{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/health`;
  symlinkSync(process.execPath, path.join(noCurl, "node"));
});

afterAll(() => {
  server.close();
  rmSync(noCurl, { recursive: true, force: true });
});

/** Asynchronously: the studio answering is in this process. stdin ignored, or bash reads .bashrc. */
function probe(target: string, PATH = process.env.PATH ?? "") {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      "/bin/bash",
      ["-c", gatewayProbeCommand(target)],
      { env: { PATH } },
      (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

/** A port nothing listens on (9 would do for curl, but fetch refuses it as a "bad port"). */
async function closedPort(): Promise<number> {
  const probeServer = createServer();
  await new Promise<void>((resolve) => probeServer.listen(0, "127.0.0.1", resolve));
  const { port } = probeServer.address() as AddressInfo;
  await new Promise((resolve) => probeServer.close(resolve));
  return port;
}

describe.skipIf(spawnSync("curl", ["--version"]).status !== 0)("gatewayProbeCommand", () => {
  it("prints the studio's health through curl", async () => {
    expect(await probe(url)).toMatchObject({
      status: 0,
      stdout: '{"status":"ok","database":{"status":"up"}}',
    });
  });

  it("falls back to Node where the image has no curl", async () => {
    expect(await probe(url, noCurl)).toMatchObject({
      status: 0,
      stdout: '{"status":"ok","database":{"status":"up"}}',
    });
  });

  it("fails with the reason when nothing answers, with either tool", async () => {
    const closed = `http://127.0.0.1:${await closedPort()}/api/health`;
    const viaCurl = await probe(closed);
    expect(viaCurl.status).not.toBe(0);
    expect(viaCurl.stderr).toMatch(/curl: \(7\)/);
    const viaNode = await probe(closed, noCurl);
    expect(viaNode.status).toBe(7);
    expect(viaNode.stderr).toMatch(/ECONNREFUSED/);
  });

  it("keeps a hostile URL one quoted argument", async () => {
    const hostile = `${url}?x='; touch /tmp/studio-probe-pwned; '`;
    await probe(hostile);
    expect(spawnSync("test", ["-e", "/tmp/studio-probe-pwned"]).status).not.toBe(0);
  });
});
