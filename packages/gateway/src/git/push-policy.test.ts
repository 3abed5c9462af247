import { describe, expect, it } from "vitest";
import { checkPush, DEFAULT_BRANCH_PREFIX, refNameProblem } from "./push-policy.ts";
import type { PushCommand } from "./receive-pack.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const ZERO = "0".repeat(40);
const policy = { branchPrefix: DEFAULT_BRANCH_PREFIX };
const update = (ref: string, oldOid = A, newOid = B): PushCommand => ({ oldOid, newOid, ref });

describe("checkPush", () => {
  it("allows creating and updating branches under the prefix", () => {
    const decision = checkPush(
      [
        update("refs/heads/studio/x", ZERO, A),
        update("refs/heads/studio/a/b"),
        update("refs/heads/studio/x", A, "c".repeat(64)),
      ],
      policy,
    );
    expect(decision.allowed).toBe(true);
    expect(checkPush([], policy).allowed).toBe(true);
  });

  it.each([
    ["refs/heads/main", "outside-prefix"],
    ["refs/heads/studio", "outside-prefix"],
    ["refs/heads/studiox/y", "outside-prefix"],
    ["refs/heads/Studio/x", "outside-prefix"],
    ["refs/notes/studio/x", "outside-prefix"],
    ["refs/studio/x", "outside-prefix"],
    ["HEAD", "invalid-ref"],
    ["refs/tags/v1", "tag"],
    ["refs/tags/studio/v1", "tag"],
    ["refs/heads/studio/../main", "invalid-ref"],
    ["refs/heads/studio/x\u0001", "invalid-ref"],
    ["refs/heads/studio/x y", "invalid-ref"],
    ["refs/heads/studio/x@{1}", "invalid-ref"],
    ["refs/heads/studio/.hidden", "invalid-ref"],
    ["refs/heads/studio/x.lock", "invalid-ref"],
    ["refs/heads/studio/x.", "invalid-ref"],
    ["refs/heads/studio//x", "invalid-ref"],
    ["refs/heads/studio/", "invalid-ref"],
    ["refs/heads/studio/a~1", "invalid-ref"],
    ["refs/heads/studio/a^", "invalid-ref"],
    ["refs/heads/studio/a:b", "invalid-ref"],
    ["refs/heads/studio/a*", "invalid-ref"],
    ["refs/heads/studio/a?", "invalid-ref"],
    ["refs/heads/studio/a[b", "invalid-ref"],
    ["refs/heads/studio/a\\b", "invalid-ref"],
    ["refs/heads/studio/a\u007f", "invalid-ref"],
  ])("refuses %s (%s)", (ref, kind) => {
    const decision = checkPush([update(ref)], policy);
    expect(decision.allowed).toBe(false);
    expect(decision.refs).toEqual([expect.objectContaining({ ref, allowed: false, kind })]);
  });

  it("refuses deletions, under the prefix too", () => {
    const decision = checkPush([update("refs/heads/studio/x", A, ZERO)], policy);
    expect(decision.refs).toEqual([expect.objectContaining({ allowed: false, kind: "deletion" })]);
    const sha256 = checkPush([update("refs/heads/studio/x", "c".repeat(64), "0".repeat(64))], policy);
    expect(sha256.refs[0]).toMatchObject({ allowed: false, kind: "deletion" });
  });

  it("refuses a push as a whole when one ref is refused, with a reason for every ref", () => {
    const decision = checkPush(
      [update("refs/heads/studio/x"), update("refs/heads/main"), update("refs/tags/v3", ZERO, A)],
      policy,
    );
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(decision.refs.map((ref) => [ref.ref, ref.kind])).toEqual([
      ["refs/heads/studio/x", "other-ref-refused"],
      ["refs/heads/main", "outside-prefix"],
      ["refs/tags/v3", "tag"],
    ]);
    expect(decision.refs[1]?.reason).toContain("studio/");
    expect(decision.message).toContain("studio/");
    expect(decision.message).toContain("Nothing was pushed");
  });

  it("uses the organisation's prefix", () => {
    const acme = { branchPrefix: "agents/acme/" };
    expect(checkPush([update("refs/heads/agents/acme/fix-1")], acme).allowed).toBe(true);
    const refused = checkPush([update("refs/heads/studio/x")], acme);
    expect(refused.refs[0]).toMatchObject({ allowed: false, kind: "outside-prefix" });
    expect(refused.allowed === false && refused.refs[0]?.reason).toContain("agents/acme/");
  });

  it("throws on a prefix that is not a ref path ending in /", () => {
    for (const branchPrefix of ["", "studio", "/studio/", "st..udio/", "studio//", "a b/"])
      expect(() => checkPush([], { branchPrefix })).toThrow(/Invalid branch prefix/);
  });
});

describe("refNameProblem", () => {
  it("accepts what git accepts", () => {
    for (const name of [
      "refs/heads/main",
      "refs/heads/studio/feature-1.2",
      "refs/heads/ünïcode",
      "refs/heads/a@b",
      "refs/heads/a.b/c",
    ])
      expect(refNameProblem(name)).toBeNull();
  });

  it("rejects what git rejects", () => {
    for (const name of [
      "@",
      "main",
      "/refs/heads/x",
      "refs/heads/x/",
      "refs/heads/x.lock/y",
      "refs/heads/..",
      "refs/heads/a\tb",
    ])
      expect(refNameProblem(name)).not.toBeNull();
  });
});
