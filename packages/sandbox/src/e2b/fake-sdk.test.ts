// The fake E2B SDK is only worth the provider tests run against it if it is as strict as the real
// one: these pin the behaviours read from e2b 2.51's sources, with the SDK's own error classes.
import {
  AuthenticationError,
  CommandExitError,
  FileNotFoundError,
  InvalidArgumentError,
  NotFoundError,
  SandboxError,
  SandboxNotFoundError,
  TimeoutError,
} from "@e2b/code-interpreter";
import { afterEach, describe, expect, it } from "vitest";
import { FakeE2BSdk } from "./fake-sdk.ts";

afterEach(() => {
  delete process.env.E2B_DOMAIN;
});

describe("FakeE2BSdk", () => {
  it("refuses commands and file operations on a paused sandbox, as the proxy's 502 does", async () => {
    const sdk = new FakeE2BSdk();
    const sandbox = await sdk.create("base");
    await sandbox.files.write([{ path: "/home/user/a.txt", data: "a" }]);
    expect(await sdk.pause(sandbox.sandboxId)).toBe(true);
    await expect(sandbox.commands.run("true")).rejects.toBeInstanceOf(SandboxNotFoundError);
    await expect(sandbox.files.read("/home/user/a.txt")).rejects.toBeInstanceOf(TimeoutError);
    await expect(sandbox.files.write([{ path: "/home/user/b", data: "b" }])).rejects.toBeInstanceOf(
      TimeoutError,
    );
    await expect(sdk.setTimeout(sandbox.sandboxId, 1000)).rejects.toBeInstanceOf(SandboxNotFoundError);
    const resumed = await sdk.connect(sandbox.sandboxId, { timeoutMs: 1000 });
    expect(await resumed.files.read("/home/user/a.txt")).toBe("a");
  });

  it("throws the SDK's own error classes", async () => {
    const sdk = new FakeE2BSdk();
    const sandbox = await sdk.create("base");
    const missing = sandbox.files.read("/nope");
    await expect(missing).rejects.toBeInstanceOf(FileNotFoundError);
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    sdk.script = ({ cmd }) => (cmd === "false" ? { exitCode: 1, stderr: "bad" } : undefined);
    const exit = await sandbox.commands.run("false").catch((error: unknown) => error);
    expect(exit).toBeInstanceOf(CommandExitError);
    expect(exit).toBeInstanceOf(SandboxError);
    expect(exit).toMatchObject({ exitCode: 1, stderr: "bad", stdout: "" });
    await expect(sdk.getInfo("nope")).rejects.toBeInstanceOf(SandboxNotFoundError);
    await expect(sdk.connect("nope")).rejects.toThrow(/Paused sandbox nope not found/);
    await expect(sdk.create("no-such-template")).rejects.toBeInstanceOf(SandboxError);
  });

  it("fails a start for an unknown user or a missing cwd; a background process can exit", async () => {
    const sdk = new FakeE2BSdk();
    const sandbox = await sdk.create("base");
    await expect(sandbox.commands.run("true", { user: "nobody" })).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    const noCwd = sandbox.commands.run("true", { background: true, cwd: "/home/user/workspace" });
    await expect(noCwd).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(noCwd).rejects.toThrow("cwd '/home/user/workspace' does not exist");

    const handle = await sandbox.commands.run("server", { background: true, timeoutMs: 0 });
    const [process] = sandbox.running();
    process!.exit(3, { stderr: "crashed" });
    await expect(handle.wait()).rejects.toBeInstanceOf(CommandExitError);
    const killed = await sandbox.commands.run("server", { background: true, timeoutMs: 0 });
    expect(await killed.kill()).toBe(true);
    await expect(killed.wait()).rejects.toMatchObject({ exitCode: -1 });
    expect(await killed.kill()).toBe(false);
    const followed = await sandbox.commands.run("server", { background: true, timeoutMs: 0 });
    await followed.disconnect();
    sandbox.running()[0]!.exit(0);
    await expect(followed.wait()).rejects.toThrow("Process exited without a result");
  });

  it("honours user, cwd, envs (create-time ones survive resume) and timeoutMs", async () => {
    const sdk = new FakeE2BSdk();
    const seen: unknown[] = [];
    sdk.script = ({ cmd, user, cwd, envs }) => {
      seen.push({ user, cwd, envs });
      return cmd === "sleep" ? { running: true } : undefined;
    };
    const sandbox = await sdk.create("base", { envs: { A: "create", B: "create" } });
    await sandbox.commands.run("env", { envs: { B: "command" } });
    await sandbox.commands.run("env", { user: "root", cwd: "/tmp" });
    await sdk.pause(sandbox.sandboxId);
    await sdk.connect(sandbox.sandboxId);
    await sandbox.commands.run("env");
    expect(seen).toEqual([
      { user: "user", cwd: "/home/user", envs: { A: "create", B: "command" } },
      { user: "root", cwd: "/tmp", envs: { A: "create", B: "create" } },
      { user: "user", cwd: "/home/user", envs: { A: "create", B: "create" } },
    ]);
    await expect(sandbox.commands.run("sleep", { timeoutMs: 5 })).rejects.toBeInstanceOf(TimeoutError);
    const background = await sandbox.commands.run("sleep", { background: true, timeoutMs: 5 });
    await expect(background.wait()).rejects.toBeInstanceOf(TimeoutError);
    expect(sandbox.running()).toEqual([]); // envd dropped both
  });

  it("builds hosts from the domain the SDK would use", async () => {
    const sdk = new FakeE2BSdk();
    expect((await sdk.create("base")).getHost(3000)).toBe("3000-sbx1.e2b.app");
    process.env.E2B_DOMAIN = "e2b.example.org";
    expect((await sdk.create("base")).getHost(3000)).toBe("3000-sbx2.e2b.example.org");
    expect((await sdk.create("base", { domain: "own.example" })).getHost(8)).toBe("8-sbx3.own.example");
  });

  it("pauses like the API: false when already paused (409), SandboxNotFoundError when gone (404)", async () => {
    const sdk = new FakeE2BSdk();
    const { sandboxId } = await sdk.create("base");
    expect(await sdk.pause(sandboxId)).toBe(true);
    expect(await sdk.pause(sandboxId)).toBe(false);
    expect(await sdk.kill(sandboxId)).toBe(true);
    expect(await sdk.kill(sandboxId)).toBe(false);
    await expect(sdk.pause(sandboxId)).rejects.toBeInstanceOf(SandboxNotFoundError);
  });

  it("returns create's metadata from getInfo; list filters by metadata and state and pages", async () => {
    const sdk = new FakeE2BSdk();
    sdk.pageSize = 2;
    const mine = { studioInstallation: "a" };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await sdk.create("base", { metadata: { ...mine, n: `${i}` } })).sandboxId);
    await sdk.create("base", { metadata: { studioInstallation: "b" } });
    await sdk.pause(ids[0]!);
    const info = await sdk.getInfo(ids[1]!);
    expect(info).toMatchObject({
      sandboxId: ids[1],
      metadata: { ...mine, n: "1" },
      state: "running",
      memoryMB: 512,
    });

    const paginator = sdk.list({ query: { metadata: mine } });
    expect(paginator.hasNext).toBe(true);
    expect((await paginator.nextItems()).map((s) => s.sandboxId)).toEqual(ids.slice(0, 2));
    expect(paginator.hasNext).toBe(true);
    expect((await paginator.nextItems()).map((s) => s.sandboxId)).toEqual(ids.slice(2));
    expect(paginator.hasNext).toBe(false);
    await expect(paginator.nextItems()).rejects.toThrow("No more items to fetch");
    const paused = sdk.list({ query: { metadata: mine, state: ["paused"] } });
    expect((await paused.nextItems()).map((s) => s.sandboxId)).toEqual([ids[0]]);
    const none = sdk.list({ query: { metadata: { studioInstallation: "c" } } });
    expect(none.hasNext).toBe(true);
    expect(await none.nextItems()).toEqual([]);
    expect(none.hasNext).toBe(false);
  });

  it("answers a paused sandbox's ports with the proxy's 502", async () => {
    const sdk = new FakeE2BSdk();
    const sandbox = await sdk.create("base");
    sandbox.listen(3000, () => Response.json({ status: "ok" }));
    const url = `https://${sandbox.getHost(3000)}/v1/health`;
    expect((await sdk.fetch(url)).status).toBe(200);
    expect((await sdk.fetch(`https://${sandbox.getHost(3001)}/`)).status).toBe(502);
    await sdk.pause(sandbox.sandboxId);
    expect((await sdk.fetch(url)).status).toBe(502);
    await sdk.connect(sandbox.sandboxId);
    expect((await sdk.fetch(url)).status).toBe(200); // the server lived on in the snapshot
    await sdk.kill(sandbox.sandboxId);
    expect((await sdk.fetch(url)).status).toBe(502);
  });
});
