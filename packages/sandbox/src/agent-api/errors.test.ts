import { describe, expect, it } from "vitest";
import { classifyGitFailure, redactSecrets } from "../workspace-git/git.ts";
import { errorFromResponse, redactPaths } from "./errors.ts";

describe("redactPaths", () => {
  it("hides absolute paths wherever they stand", () => {
    expect(redactPaths("path not found: /tmp/sbx-1/workspace/x")).toBe("path not found: <path>");
    expect(redactPaths("open '/home/me/a b' failed")).toBe("open '<path>' failed");
    expect(redactPaths("path not found: /tmp/a b/c d")).toBe("path not found: <path>");
    expect(redactPaths("relative/path stays")).toBe("relative/path stays");
    expect(redactPaths('stat "/a/b" then /c/d\nnext line')).toBe('stat "<path>" then <path>\nnext line');
  });
});

describe("errorFromResponse", () => {
  it("uses the problem's detail, without paths", async () => {
    const response = new Response(
      JSON.stringify({
        type: "urn:sandbox-agent:error:invalid_request",
        status: 400,
        detail: "invalid request: path not found: /srv/x",
      }),
      { status: 400 },
    );
    const error = await errorFromResponse(response, "Reading a file");
    expect(error.status).toBe(400);
    expect(error.problemType).toBe("urn:sandbox-agent:error:invalid_request");
    expect(error.message).toBe("Reading a file failed: invalid request: path not found: <path>");
  });
});

describe("git failures", () => {
  it("redacts environment values, URL credentials and the workspace path", () => {
    const text = "fatal: unable to access 'http://u:sekret-token@h/x' in /ws/dir: tok_abcdef";
    expect(redactSecrets(text, { workspaceDir: "/ws/dir", env: { T: "tok_abcdef" } })).toBe(
      "fatal: unable to access 'http://***@h/x' in .: ***",
    );
  });

  it("classifies git's own reasons", () => {
    expect(classifyGitFailure("fatal: couldn't find remote ref refs/heads/nope")).toBe("unknown_ref");
    expect(classifyGitFailure("fatal: Authentication failed for 'http://h/x'")).toBe("auth_failed");
    expect(classifyGitFailure("fatal: unable to access 'http://h/': Failed to connect to h port 9")).toBe(
      "unreachable",
    );
    expect(classifyGitFailure(" ! [remote rejected] HEAD -> b (pre-receive hook declined)")).toBe("refused");
    expect(classifyGitFailure("fatal: something else")).toBe("failed");
  });
});
