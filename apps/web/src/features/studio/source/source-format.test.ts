import { describe, expect, it } from "vitest";
import {
  archiveDownloadUrl,
  archiveKind,
  branchName,
  clampPercent,
  describeStepProgress,
  formatBytes,
  formatFileCount,
  isCommitSha,
  looksLikeRepositoryUrl,
  patchDownloadUrl,
  refOptions,
  repositoryHost,
  repositoryLabel,
} from "./source-format.ts";
import { credentialMayHelp } from "./source-state.ts";

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [812, "812 B"],
    [1024, "1 KB"],
    [4300, "4.2 KB"],
    [38 * 1024 * 1024 + 1000, "38 MB"],
    [200 * 1024 * 1024, "200 MB"],
    [1.4 * 1024 ** 3, "1.4 GB"],
  ])("%d bytes reads %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("shows a dash for nonsense rather than NaN", () => {
    expect(formatBytes(Number.NaN)).toBe("–");
    expect(formatBytes(-1)).toBe("–");
  });

  it("counts files in words", () => {
    expect(formatFileCount(1)).toBe("1 file");
    expect(formatFileCount(12408)).toBe("12,408 files");
  });
});

describe("clone progress", () => {
  it("clamps and drops unknown percentages", () => {
    expect(clampPercent(142)).toBe(100);
    expect(clampPercent(-3)).toBe(0);
    expect(clampPercent(null)).toBeNull();
    expect(clampPercent(Number.NaN)).toBeNull();
  });

  it("says percent, objects and bytes received", () => {
    expect(describeStepProgress({ percent: 42.7, done: 1204, total: 2866, bytes: 3.1 * 1024 * 1024 })).toBe(
      "42% · 1,204 / 2,866 objects · 3.1 MB received",
    );
  });

  it("leaves out what the step did not report", () => {
    expect(describeStepProgress({ percent: null, done: null, total: null, bytes: 2048 })).toBe(
      "2 KB received",
    );
    expect(describeStepProgress({ percent: null, done: 17, total: null, bytes: null })).toBe("17 objects");
    expect(describeStepProgress({ percent: null, done: null, total: null, bytes: null })).toBe("");
  });
});

describe("repository URLs", () => {
  it("asks the server only about complete http(s) URLs", () => {
    expect(looksLikeRepositoryUrl("https://github.com/acme/api")).toBe(true);
    expect(looksLikeRepositoryUrl("  https://git.internal:8443/team/app.git ")).toBe(true);
    expect(looksLikeRepositoryUrl("https://localhost/x")).toBe(true);
    expect(looksLikeRepositoryUrl("https://github.com/")).toBe(false);
    expect(looksLikeRepositoryUrl("https://github")).toBe(false);
    expect(looksLikeRepositoryUrl("http://127.0.0.1:9418/acme/api.git")).toBe(true);
    expect(looksLikeRepositoryUrl("ftp://github.com/acme/api")).toBe(false);
    expect(looksLikeRepositoryUrl("git@github.com:acme/api.git")).toBe(false);
    expect(looksLikeRepositoryUrl("https://")).toBe(false);
  });

  it("names a repository by host and path", () => {
    expect(repositoryLabel("https://github.com/acme/api.git")).toBe("github.com/acme/api");
    expect(repositoryLabel("https://git.internal:8443/team/app/")).toBe("git.internal:8443/team/app");
    expect(repositoryLabel("not a url")).toBe("not a url");
    expect(repositoryHost("https://gitlab.example.com/a/b")).toBe("gitlab.example.com");
    expect(repositoryHost("nope")).toBeNull();
  });

  it("links to Git hosts only for refusals a credential fixes", () => {
    expect(
      credentialMayHelp(
        "github.com wants a credential for this repository. Add a credential for github.com in Settings → Git hosts.",
      ),
    ).toBe(true);
    expect(credentialMayHelp("github.com could not be reached.")).toBe(false);
  });
});

describe("refs", () => {
  it("puts the default branch first as the empty value, then branches, then tags newest-looking first", () => {
    const options = refOptions({
      defaultBranch: "main",
      branches: ["main", "release", "dev"],
      tags: ["v1.0.0", "v1.2.0"],
    });
    expect(options).toEqual([
      { value: "", label: "main (default)", group: "branch" },
      { value: "dev", label: "dev", group: "branch" },
      { value: "release", label: "release", group: "branch" },
      { value: "v1.2.0", label: "v1.2.0", group: "tag" },
      { value: "v1.0.0", label: "v1.0.0", group: "tag" },
    ]);
  });

  it("offers the remote's default even when it names none (an empty repository)", () => {
    expect(refOptions({ defaultBranch: null, branches: [], tags: [] })).toEqual([
      { value: "", label: "Default branch", group: "branch" },
    ]);
  });

  it("takes abbreviated and full commit ids only", () => {
    expect(isCommitSha("3f9c2ab")).toBe(true);
    expect(isCommitSha("3F9C2AB0123456789abcdef0123456789abcdef0")).toBe(true);
    expect(isCommitSha("3f9c2a")).toBe(false);
    expect(isCommitSha("main")).toBe(false);
    expect(isCommitSha("3f9c2ab; rm -rf /")).toBe(false);
  });

  it("shows pushed refs by branch name", () => {
    expect(branchName("refs/heads/studio/k3v9x2ab")).toBe("studio/k3v9x2ab");
    expect(branchName("refs/tags/v1")).toBe("refs/tags/v1");
  });
});

describe("archives and downloads", () => {
  it("recognises the archive types the server unpacks", () => {
    expect(archiveKind("project.ZIP")).toBe("zip");
    expect(archiveKind("project.tar.gz")).toBe("tar.gz");
    expect(archiveKind("project.tgz")).toBe("tar.gz");
    expect(archiveKind("project.tar")).toBeNull();
    expect(archiveKind("project.rar")).toBeNull();
  });

  it("builds the download links, escaping the session id", () => {
    expect(archiveDownloadUrl("abc", "tar.gz", true)).toBe("/api/sessions/abc/download?format=tar.gz&git=1");
    expect(archiveDownloadUrl("abc", "zip", false)).toBe("/api/sessions/abc/download?format=zip&git=0");
    expect(patchDownloadUrl("a/../b")).toBe("/api/sessions/a%2F..%2Fb/changes.patch");
  });
});
