// A studio that does not run as root must get the same network for its sandboxes. bwrap, run by a
// user without privileges, nests a second user namespace unless told to run the sandbox as uid 0
// of its own, and then neither pasta nor the socket forwarders can enter the network namespace.
// Run as root, this test takes the part of such a user (nobody) with system programs only.
import { spawn } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bwrapArgs, findExecutable, probeBwrap } from "./confine.ts";
import { AWAIT_NETWORK, withNetwork } from "./network.ts";
import { terminate } from "./terminate.ts";

const NOBODY = 65_534;
const bwrap = probeBwrap().layout;
const tools = {
  pasta: findExecutable("pasta"),
  nsenter: findExecutable("nsenter"),
  socat: findExecutable("socat"),
};
const runnable = process.getuid?.() === 0 && bwrap !== null && Object.values(tools).every(Boolean);
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function readSocket(socket: string): Promise<string | null> {
  return new Promise((resolve) => {
    const connection = net.connect(socket);
    let text = "";
    connection.setEncoding("utf8");
    connection.on("data", (chunk: string) => {
      text += chunk;
    });
    connection.on("end", () => resolve(text));
    connection.on("error", () => resolve(null));
  });
}

describe.skipIf(!runnable)("a sandbox's network, for a studio without privileges", () => {
  it("comes up, and serves the sandbox's server on the studio's socket", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "studio-netns-"));
    dirs.push(dir);
    chownSync(dir, NOBODY, NOBODY);
    const socket = path.join(dir, "server.sock");
    const server = [
      tools.socat!,
      "TCP-LISTEN:4555,bind=127.0.0.1,reuseaddr,fork",
      "SYSTEM:id -u; cat /proc/net/route",
    ];
    const confined = [
      bwrap!.bwrap,
      ...bwrapArgs(bwrap!, { mounts: [], readOnly: [], tmpDir: dir, cwd: "/", isolateNetwork: true }),
      "--",
      ...AWAIT_NETWORK,
      ...server,
    ];
    const network = {
      layout: { pasta: tools.pasta!, nsenter: tools.nsenter!, socat: tools.socat! },
      studioPorts: [],
    };
    const [command, ...args] = withNetwork(network, [{ socket, port: 4555 }], dir, confined);
    const child = spawn(command!, args, { uid: NOBODY, gid: NOBODY, detached: true, stdio: "ignore" });
    try {
      let answer: string | null = null;
      // Nothing (no socket yet) or an empty answer (the forwarder is up, the server not yet).
      for (let attempt = 0; attempt < 200 && !answer; attempt++) {
        answer = await readSocket(socket);
        if (!answer) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // uid 0 of its own user namespace, with pasta's default route: the network is its own.
      expect(answer).toMatch(/^0\n/);
      expect(answer).toMatch(/^\w+\t00000000\t/m);
    } finally {
      await terminate({ pgid: child.pid! }, 1_000);
    }
  }, 30_000);
});
