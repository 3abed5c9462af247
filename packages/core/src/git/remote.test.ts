import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { normaliseGitHost } from "./host.ts";
import { classifyGitFailure, gitRemoteCommand, lsRemote } from "./remote.ts";
import { prepareRemote, repositoryUrlProblem } from "./remote-url.ts";

const TOKEN = "ghp_PLANTED_secret_token_9876";
const credential = { username: "deploy", token: TOKEN };

describe("a git host", () => {
  it("is normalised: lower case, punycode, no default https port", () => {
    expect(normaliseGitHost(" GitHub.com ")).toEqual({ ok: true, host: "github.com" });
    expect(normaliseGitHost("gitlab.example.com:443")).toEqual({ ok: true, host: "gitlab.example.com" });
    expect(normaliseGitHost("git.Example.com:8443")).toEqual({ ok: true, host: "git.example.com:8443" });
    expect(normaliseGitHost("127.0.0.1:3000")).toEqual({ ok: true, host: "127.0.0.1:3000" });
    expect(normaliseGitHost("[FD00::5]:3000")).toEqual({ ok: true, host: "[fd00::5]:3000" });
    expect(normaliseGitHost("bücher.example")).toEqual({ ok: true, host: "xn--bcher-kva.example" });
  });

  it("is a host and a port only", () => {
    for (const bad of [
      "",
      "https://github.com",
      "file:///etc/passwd",
      "ssh://git@github.com",
      "git@github.com",
      "user:pw@github.com",
      "github.com/acme",
      "github.com?x",
      "github.com#x",
      "git hub.com",
      "github.com:99999",
      "-github.com",
      "github..com",
      "exa_mple.com",
      "%67ithub.com",
      "a".repeat(300),
    ])
      expect(normaliseGitHost(bad), bad).toMatchObject({ ok: false });
  });
});

describe("a repository URL", () => {
  it("is http(s), without credentials, query or fragment, and names a repository", () => {
    expect(repositoryUrlProblem("https://github.com/acme/widgets.git")).toBeNull();
    expect(repositoryUrlProblem("ssh://git@github.com/acme/widgets.git")).toMatch(/https URL/);
    expect(repositoryUrlProblem("file:///srv/git/widgets.git")).toMatch(/https URL/);
    expect(repositoryUrlProblem("git@github.com:acme/widgets.git")).toMatch(/https URL/);
    expect(repositoryUrlProblem("https://me:ghp_x@github.com/acme/widgets.git")).toMatch(/no user name/);
    expect(repositoryUrlProblem("https://ghp_x@github.com/acme/widgets.git")).toMatch(/no user name/);
    expect(repositoryUrlProblem("https://github.com/acme/widgets.git?x=1")).toMatch(/query/);
    expect(repositoryUrlProblem("https://github.com/")).toMatch(/Name the repository/);
  });

  const resolve = (table: Record<string, string[]>) => async (name: string) => table[name] ?? [];

  it("must be on the credential's host", async () => {
    await expect(prepareRemote("https://gitlab.com/a/b.git", "github.com", "allow")).rejects.toThrow(
      "That URL is on gitlab.com, not on github.com.",
    );
    await expect(prepareRemote("https://github.com:8443/a/b.git", "github.com", "allow")).rejects.toThrow(
      /not on github.com/,
    );
    expect(await prepareRemote("https://GitHub.com:443/a/b.git", "github.com", "allow")).toEqual({
      ok: true,
      target: { url: "https://github.com/a/b.git" },
    });
  });

  it("uses http only for a loopback or private address, and only where the studio allows those", async () => {
    expect(await prepareRemote("http://127.0.0.1:3000/a.git", "127.0.0.1:3000", "allow")).toEqual({
      ok: true,
      target: { url: "http://127.0.0.1:3000/a.git" },
    });
    // A name is pinned to the addresses it was checked at.
    expect(
      await prepareRemote(
        "http://git.lan/a.git",
        "git.lan",
        "allow",
        resolve({ "git.lan": ["192.168.1.9"] }),
      ),
    ).toEqual({ ok: true, target: { url: "http://git.lan/a.git", pins: ["git.lan:80:192.168.1.9"] } });
    await expect(
      prepareRemote(
        "http://git.example.com/a.git",
        "git.example.com",
        "allow",
        resolve({ "git.example.com": ["93.184.216.34"] }),
      ),
    ).rejects.toThrow(/http is only for a git server on this machine or its private network/);
    await expect(prepareRemote("http://127.0.0.1:3000/a.git", "127.0.0.1:3000", "deny")).rejects.toThrow(
      /Use the repository's https URL/,
    );
  });

  it("under deny, refuses https to special addresses, after DNS, and pins what it checked", async () => {
    const table = resolve({ "git.internal": ["10.0.0.5"], "github.com": ["140.82.121.3"] });
    await expect(prepareRemote("https://git.internal/a.git", "git.internal", "deny", table)).rejects.toThrow(
      "git.internal is at a private address (10.0.0.5), which this studio does not allow.",
    );
    await expect(
      prepareRemote("https://169.254.169.254/a.git", "169.254.169.254", "deny", table),
    ).rejects.toThrow(/link-local/);
    expect(await prepareRemote("https://github.com/a/b.git", "github.com", "deny", table)).toEqual({
      ok: true,
      target: { url: "https://github.com/a/b.git", pins: ["github.com:443:140.82.121.3"] },
    });
    expect(
      await prepareRemote("https://nowhere.example/a.git", "nowhere.example", "deny", table),
    ).toMatchObject({
      ok: false,
      outcome: "unreachable",
    });
  });
});

describe("git against a remote", () => {
  it("carries the credential in its environment only, never in its arguments", () => {
    const { command, args, env } = gitRemoteCommand(
      ["ls-remote", "--", "https://github.com/acme/widgets.git"],
      { url: "https://github.com/acme/widgets.git", pins: ["github.com:443:140.82.121.3"] },
      credential,
    );
    const basic = Buffer.from(`deploy:${TOKEN}`).toString("base64");
    expect(command).toBe("git");
    expect(args).toEqual(["ls-remote", "--", "https://github.com/acme/widgets.git"]);
    expect(args.join(" ")).not.toContain(TOKEN);
    expect(args.join(" ")).not.toContain(basic);
    const config = Object.fromEntries(
      Array.from({ length: Number(env.GIT_CONFIG_COUNT) }, (_, i) => [
        env[`GIT_CONFIG_KEY_${i}`],
        env[`GIT_CONFIG_VALUE_${i}`],
      ]),
    );
    expect(config).toEqual({
      "credential.helper": "",
      "core.askPass": "",
      "http.followRedirects": "false",
      "http.curloptResolve": "github.com:443:140.82.121.3",
      "http.https://github.com/.extraHeader": `Authorization: Basic ${basic}`,
    });
    expect(env).toMatchObject({
      GIT_TERMINAL_PROMPT: "0",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_ALLOW_PROTOCOL: "http:https",
    });
    // Nothing of the studio's own environment (its secrets among it) reaches git.
    expect(
      Object.keys(env)
        .filter((name) => !name.startsWith("GIT_CONFIG_"))
        .sort(),
    ).toEqual([
      "GCM_INTERACTIVE",
      "GIT_ALLOW_PROTOCOL",
      "GIT_TERMINAL_PROMPT",
      "HOME",
      "LANG",
      "LC_ALL",
      "PATH",
    ]);
  });

  it("says which failure git met", () => {
    const url = "https://git.example.com/a/b.git";
    const kind = (stderr: string) => classifyGitFailure(stderr, url).outcome;
    expect(
      kind("fatal: could not read Username for 'https://git.example.com': terminal prompts disabled"),
    ).toBe("authentication_failed");
    expect(kind("remote: HTTP Basic: Access denied\nfatal: Authentication failed for 'x'")).toBe(
      "authentication_failed",
    );
    expect(kind("fatal: repository 'https://git.example.com/a/b.git/' not found")).toBe("not_found");
    expect(kind("fatal: unable to access 'x': Could not resolve host: git.example.com")).toBe("unreachable");
    expect(kind("fatal: unable to access 'x': Failed to connect to git.example.com port 443")).toBe(
      "unreachable",
    );
    expect(kind("fatal: unable to access 'x': The requested URL returned error: 302")).toBe("failed");
    expect(classifyGitFailure("fatal: something odd", url)).toEqual({
      outcome: "failed",
      message: "git: something odd",
    });
  });

  let server: Server | null = null;
  afterEach(async () => {
    const open = server;
    server = null;
    if (!open) return;
    open.closeAllConnections();
    await new Promise((resolve) => open.close(resolve));
  });

  async function serve(handler: Parameters<typeof createServer>[1]) {
    server = createServer(handler);
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("gives up after its timeout and says so", async () => {
    const base = await serve(() => {}); // never answers
    const started = Date.now();
    const result = await lsRemote({ url: `${base}/slow.git` }, credential, { timeoutMs: 1_000 });
    expect(result).toMatchObject({ outcome: "timed_out", refCount: null });
    expect(result.message).toMatch(/No answer from 127\.0\.0\.1:\d+ within 1 s\./);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("follows no redirect, so the credential never goes to another host", async () => {
    const seen: (string | undefined)[] = [];
    const elsewhere = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(302, { Location: "http://127.0.0.2:9/stolen.git/info/refs?service=git-upload-pack" });
      res.end();
    });
    const result = await lsRemote({ url: `${elsewhere}/moved.git` }, credential, { timeoutMs: 5_000 });
    expect(result.outcome).toBe("failed");
    expect(result.message).toMatch(/redirect/);
    expect(seen.length).toBeGreaterThan(0);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });
});
