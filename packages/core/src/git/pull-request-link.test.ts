import { describe, expect, it } from "vitest";
import { AppError } from "../shared/errors.ts";
import { pullRequestUrlFor } from "./gateway-session.ts";
import { PULL_REQUEST_HOST_KINDS, pullRequestLink } from "./pull-request-link.ts";

const link = (remoteUrl: string, extra: Partial<Parameters<typeof pullRequestLink>[0]> = {}) =>
  pullRequestLink({ remoteUrl, base: "main", branch: "studio/fix-login", ...extra });

const refused = (run: () => unknown, message: RegExp) => {
  let error: unknown;
  try {
    run();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("BAD_REQUEST");
  expect((error as AppError).message).toMatch(message);
};

describe("a pull-request link", () => {
  it("lists the host kinds once", () => {
    expect(PULL_REQUEST_HOST_KINDS).toEqual(["github", "gitlab", "bitbucket", "gitea"]);
  });

  it("is GitHub's compare page on github.com", () => {
    expect(link("https://github.com/acme/widgets.git")).toEqual({
      hostKind: "github",
      url: "https://github.com/acme/widgets/compare/main...studio/fix-login?expand=1",
    });
  });

  it("is GitLab's new merge request page on gitlab.com, nested groups included", () => {
    expect(link("https://gitlab.com/acme/widgets.git")).toEqual({
      hostKind: "gitlab",
      url: "https://gitlab.com/acme/widgets/-/merge_requests/new?merge_request[source_branch]=studio%2Ffix-login&merge_request[target_branch]=main",
    });
    expect(link("https://gitlab.com/acme/platform/web/widgets.git")?.url).toBe(
      "https://gitlab.com/acme/platform/web/widgets/-/merge_requests/new?merge_request[source_branch]=studio%2Ffix-login&merge_request[target_branch]=main",
    );
  });

  it("is Bitbucket Cloud's new pull request page on bitbucket.org", () => {
    expect(link("https://bitbucket.org/acme/widgets.git")).toEqual({
      hostKind: "bitbucket",
      url: "https://bitbucket.org/acme/widgets/pull-requests/new?source=studio%2Ffix-login&dest=main",
    });
  });

  it("is Gitea's compare page on codeberg.org (Forgejo)", () => {
    expect(link("https://codeberg.org/acme/widgets.git")).toEqual({
      hostKind: "gitea",
      url: "https://codeberg.org/acme/widgets/compare/main...studio/fix-login",
    });
  });

  it("is the same with or without .git and trailing slashes, and with the host in any case", () => {
    for (const remoteUrl of [
      "https://github.com/acme/widgets",
      "https://github.com/acme/widgets/",
      "https://github.com/acme/widgets.git",
      "https://github.com/acme/widgets.git/",
      "https://GitHub.com:443/acme/widgets.git",
      "http://github.com/acme/widgets.git",
      "  https://github.com/acme/widgets.git ",
    ])
      expect(link(remoteUrl)?.url, remoteUrl).toBe(
        "https://github.com/acme/widgets/compare/main...studio/fix-login?expand=1",
      );
  });

  it("keeps a .git that is part of the name and only drops the suffix", () => {
    expect(link("https://github.com/acme/widgets.github.io.git")?.url).toBe(
      "https://github.com/acme/widgets.github.io/compare/main...studio/fix-login?expand=1",
    );
  });

  it("is null on an unknown host unless its kind is named", () => {
    expect(link("https://git.example.com/acme/widgets.git")).toBeNull();
    expect(link("https://git.example.com/acme/widgets.git", { hostKind: null })).toBeNull();
    expect(link("https://www.github.com/acme/widgets.git")).toBeNull();
  });

  it("uses the named kind on a self-hosted host, keeping its scheme and port", () => {
    expect(link("https://git.example.com:8443/acme/widgets.git", { hostKind: "gitea" })).toEqual({
      hostKind: "gitea",
      url: "https://git.example.com:8443/acme/widgets/compare/main...studio/fix-login",
    });
    expect(link("http://10.0.0.5:3000/acme/widgets", { hostKind: "gitea" })?.url).toBe(
      "http://10.0.0.5:3000/acme/widgets/compare/main...studio/fix-login",
    );
    expect(link("https://gitlab.example.com:8443/a/b/c/widgets.git", { hostKind: "gitlab" })).toEqual({
      hostKind: "gitlab",
      url: "https://gitlab.example.com:8443/a/b/c/widgets/-/merge_requests/new?merge_request[source_branch]=studio%2Ffix-login&merge_request[target_branch]=main",
    });
    // GitHub Enterprise Server has github.com's URLs.
    expect(link("https://github.example.com/acme/widgets.git", { hostKind: "github" })?.url).toBe(
      "https://github.example.com/acme/widgets/compare/main...studio/fix-login?expand=1",
    );
    expect(link("https://[fd00::5]:3000/acme/widgets.git", { hostKind: "gitea" })?.url).toBe(
      "https://[fd00::5]:3000/acme/widgets/compare/main...studio/fix-login",
    );
  });

  it("keeps a self-hosted Gitea's sub-path in front of owner/repo", () => {
    expect(link("https://example.com/git/acme/widgets.git", { hostKind: "gitea" })?.url).toBe(
      "https://example.com/git/acme/widgets/compare/main...studio/fix-login",
    );
  });

  it("goes by the public host, not a named kind, on the public hosts", () => {
    expect(link("https://github.com/acme/widgets.git", { hostKind: "gitlab" })?.hostKind).toBe("github");
    expect(link("https://codeberg.org/acme/widgets.git", { hostKind: "github" })?.hostKind).toBe("gitea");
  });

  it("is null for a self-hosted Bitbucket, whose Data Center URLs differ from Cloud's", () => {
    expect(link("https://bitbucket.example.com/acme/widgets.git", { hostKind: "bitbucket" })).toBeNull();
  });

  describe("encodes branch names", () => {
    const special = "studio/a b#c?d%e&f=g+h'i";
    const cases = [
      ["https://github.com/acme/widgets.git", undefined],
      ["https://codeberg.org/acme/widgets.git", undefined],
      ["https://gitlab.com/acme/widgets.git", undefined],
      ["https://bitbucket.org/acme/widgets.git", undefined],
      ["https://git.example.com:8443/acme/widgets.git", "gitea"],
    ] as const;

    it("keeping `/` in compare paths and escaping `#`, `?`, `%`, spaces", () => {
      expect(link("https://github.com/acme/widgets.git", { base: "release/2.x", branch: special })?.url).toBe(
        "https://github.com/acme/widgets/compare/release/2.x...studio/a%20b%23c%3Fd%25e%26f%3Dg%2Bh%27i?expand=1",
      );
      expect(
        link("https://codeberg.org/acme/widgets.git", { base: "release/2.x", branch: special })?.url,
      ).toBe(
        "https://codeberg.org/acme/widgets/compare/release/2.x...studio/a%20b%23c%3Fd%25e%26f%3Dg%2Bh%27i",
      );
    });

    it("escaping `/` and the rest in query values", () => {
      expect(
        link("https://bitbucket.org/acme/widgets.git", { base: "release/2.x", branch: special })?.url,
      ).toBe(
        "https://bitbucket.org/acme/widgets/pull-requests/new?source=studio%2Fa%20b%23c%3Fd%25e%26f%3Dg%2Bh%27i&dest=release%2F2.x",
      );
    });

    it("so that the host reads back exactly the names given", () => {
      for (const [remoteUrl, hostKind] of cases)
        for (const branch of [special, "studio/ü-naïve", "feature/(1)!*~", "a/b/c/d"]) {
          const base = "release/2.x";
          const result = link(remoteUrl, { base, branch, hostKind });
          if (!result) throw new Error(`no link for ${remoteUrl}`);
          const parsed = new URL(result.url);
          // Already in the form a browser shows: nothing left for it to re-escape or resolve.
          expect(parsed.href).toBe(result.url);
          if (result.hostKind === "gitlab") {
            expect(parsed.searchParams.get("merge_request[source_branch]")).toBe(branch);
            expect(parsed.searchParams.get("merge_request[target_branch]")).toBe(base);
          } else if (result.hostKind === "bitbucket") {
            expect(parsed.searchParams.get("source")).toBe(branch);
            expect(parsed.searchParams.get("dest")).toBe(base);
          } else {
            const compare = parsed.pathname.split("/compare/")[1] ?? "";
            expect(decodeURIComponent(compare)).toBe(`${base}...${branch}`);
            expect(compare.split("...").map((name) => name.split("/").length)).toEqual([
              2,
              branch.split("/").length,
            ]);
          }
        }
    });

    it("and encodes owner and repository segments too", () => {
      expect(link("https://git.example.com/acme%20co/wid%23gets.git", { hostKind: "gitea" })?.url).toBe(
        "https://git.example.com/acme%20co/wid%23gets/compare/main...studio/fix-login",
      );
    });
  });

  it("refuses branch names that would make a wrong link", () => {
    for (const branch of [
      "",
      "studio/../main",
      "a..b",
      "/studio",
      "studio/",
      "studio//x",
      "studio/./x",
      "a\nb",
    ])
      refused(() => link("https://github.com/acme/widgets.git", { branch }), /branch name cannot be linked/);
    refused(() => link("https://github.com/acme/widgets.git", { base: "" }), /base branch name/);
  });

  it("refuses credentials in the URL", () => {
    for (const remoteUrl of [
      "https://me:ghp_secret@github.com/acme/widgets.git",
      "https://ghp_secret@github.com/acme/widgets.git",
      "https://oauth2:glpat-x@gitlab.example.com/a/b.git",
    ])
      refused(() => link(remoteUrl, { hostKind: "gitlab" }), /no user name or token/);
  });

  it("refuses anything but http(s)", () => {
    for (const remoteUrl of [
      "ssh://git@github.com/acme/widgets.git",
      "git@github.com:acme/widgets.git",
      "git://github.com/acme/widgets.git",
      "file:///srv/git/widgets.git",
      "javascript:alert(1)//github.com/acme/widgets",
      "not a url",
    ])
      refused(() => link(remoteUrl), /https URL/);
  });

  it("refuses a query string or fragment", () => {
    refused(() => link("https://github.com/acme/widgets.git?x=1"), /query/);
    refused(() => link("https://github.com/acme/widgets.git#readme"), /fragment/);
  });

  it("refuses a URL without owner and repository", () => {
    for (const remoteUrl of [
      "https://github.com/",
      "https://github.com",
      "https://github.com/acme",
      "https://github.com/acme/",
      "https://github.com/acme/.git",
      "https://github.com/acme/widgets/tree/main",
      "https://bitbucket.org/acme",
      "https://codeberg.org/acme/widgets/src",
      "https://github.com/acme%2Fwidgets",
    ])
      refused(() => link(remoteUrl), /must name an owner|Name the repository/);
    refused(() => link("https://gitlab.com/widgets.git"), /must name a namespace/);
    refused(() => link("https://git.example.com/widgets.git", { hostKind: "gitea" }), /must name an owner/);
    refused(() => link("https://github.com/acme/%E0%A4%A.git"), /validly encoded/);
  });

  it("refuses a kind it does not know", () => {
    refused(
      () => link("https://git.example.com/a/b.git", { hostKind: "svn" as unknown as "gitea" }),
      /Unknown kind/,
    );
  });
});

describe("the pull-request link of a pushed ref", () => {
  it("builds pull-request links for known hosts", () => {
    expect(
      pullRequestUrlFor(
        { remoteUrl: "https://github.com/acme/widgets.git", baseBranch: "main" },
        "refs/heads/studio/x",
      ),
    ).toBe("https://github.com/acme/widgets/compare/main...studio/x?expand=1");
    expect(
      pullRequestUrlFor(
        { remoteUrl: "https://github.com/acme/widgets.git", baseBranch: null },
        "refs/heads/x",
      ),
    ).toBeNull();
  });
});
