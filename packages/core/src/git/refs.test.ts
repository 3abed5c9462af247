import { describe, expect, it } from "vitest";
import { workBranchFor } from "../sessions/sources.ts";
import { decideRef, MAX_REFS, parseLsRemote } from "./refs.ts";

const sha = (digit: string) => digit.repeat(40);

// What `git ls-remote --symref` prints (C locale), tabs between id and name.
const LISTING = [
  "ref: refs/heads/main\tHEAD",
  `${sha("a")}\tHEAD`,
  `${sha("b")}\trefs/heads/feature/x`,
  `${sha("a")}\trefs/heads/main`,
  `${sha("c")}\trefs/heads/Zeta`,
  `${sha("d")}\trefs/tags/v1`,
  `${sha("e")}\trefs/tags/v10`,
  `${sha("f")}\trefs/tags/v2`,
  `${sha("a")}\trefs/tags/v2^{}`,
  "",
].join("\n");

describe("the ls-remote parser", () => {
  it("reads the default branch, branches default first then sorted, tags newest-looking first", () => {
    const refs = parseLsRemote(LISTING);
    expect(refs.defaultBranch).toBe("main");
    expect(refs.branches).toEqual(["main", "Zeta", "feature/x"]);
    expect(refs.tags).toEqual(["v10", "v2", "v1"]);
    expect(refs.heads["feature/x"]).toBe(sha("b"));
    // An annotated tag is its peeled commit, whichever line comes first.
    expect(refs.tagCommits.v2).toBe(sha("a"));
    expect(refs.truncated).toBe(false);
  });

  it("has no default branch for an empty repository or a HEAD to a branch it does not list", () => {
    expect(parseLsRemote("")).toMatchObject({ defaultBranch: null, branches: [], tags: [] });
    const unborn = parseLsRemote(`ref: refs/heads/main\tHEAD\n${sha("b")}\trefs/heads/other\n`);
    expect(unborn.defaultBranch).toBeNull();
    expect(unborn.branches).toEqual(["other"]);
  });

  it("ignores lines that are not refs and names that would reach an object's prototype", () => {
    const refs = parseLsRemote(
      [
        "warning: redirecting to somewhere",
        `not-a-sha\trefs/heads/bad`,
        `${sha("1")}\trefs/heads/__proto__`,
        `${sha("2")}\trefs/heads/constructor`,
        `${sha("3")}\trefs/pull/1/head`,
      ].join("\n"),
    );
    expect(refs.branches).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(refs.heads)).toBeNull();
    expect(decideRef(refs, "toString")).toMatchObject({ ok: false });
  });

  it("stops at the ref limit and says so", () => {
    const lines = Array.from({ length: MAX_REFS + 5 }, (_, i) => `${sha("a")}\trefs/heads/b${i}`);
    const refs = parseLsRemote(lines.join("\n"));
    expect(refs.branches).toHaveLength(MAX_REFS);
    expect(refs.truncated).toBe(true);
    expect(decideRef(refs, "nope")).toMatchObject({
      ok: false,
      message: expect.stringContaining("more refs"),
    });
  });
});

describe("the ref a session asks for", () => {
  const refs = parseLsRemote(`${LISTING}${sha("9")}\trefs/tags/main\n${sha("8")}\trefs/heads/deadbeef\n`);

  it("is the default branch when absent", () => {
    expect(decideRef(refs, undefined)).toEqual({ ok: true, kind: "branch", ref: "main" });
    expect(decideRef(parseLsRemote(""), undefined)).toMatchObject({ ok: false });
  });

  it("is a branch before a tag, then a tag, with full names naming their kind", () => {
    expect(decideRef(refs, "feature/x")).toEqual({ ok: true, kind: "branch", ref: "feature/x" });
    expect(decideRef(refs, "main")).toEqual({ ok: true, kind: "branch", ref: "main" });
    expect(decideRef(refs, "refs/tags/main")).toEqual({ ok: true, kind: "tag", ref: "main" });
    expect(decideRef(refs, "v2")).toEqual({ ok: true, kind: "tag", ref: "v2" });
    expect(decideRef(refs, "refs/heads/feature/x")).toEqual({ ok: true, kind: "branch", ref: "feature/x" });
    expect(decideRef(refs, "refs/heads/v2")).toMatchObject({ ok: false });
    // A branch whose name looks like a commit id is the branch.
    expect(decideRef(refs, "deadbeef")).toEqual({ ok: true, kind: "branch", ref: "deadbeef" });
  });

  it("is a commit when it is 7 to 40 hex digits and no ref", () => {
    expect(decideRef(refs, "ABCDEF1")).toEqual({ ok: true, kind: "commit", ref: "abcdef1" });
    expect(decideRef(refs, sha("7"))).toEqual({ ok: true, kind: "commit", ref: sha("7") });
    expect(decideRef(refs, "abcdef")).toMatchObject({ ok: false });
    expect(decideRef(refs, `${sha("7")}0`)).toMatchObject({ ok: false });
    expect(decideRef(refs, "nope")).toEqual({
      ok: false,
      message: 'The repository has no branch or tag named "nope".',
    });
  });
});

describe("a session's work branch", () => {
  it("is the organisation's prefix and the session id's first 8 characters, lower case", () => {
    expect(workBranchFor("studio/", "K3V9X2ABCDEFGH")).toBe("studio/k3v9x2ab");
    expect(workBranchFor("ai/", "abc")).toBe("ai/abc");
  });
});
