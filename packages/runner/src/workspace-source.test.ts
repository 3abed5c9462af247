import { describe, expect, it } from "vitest";
import { progressDetail, repositoryLabel } from "./workspace-source.ts";

describe("repositoryLabel", () => {
  it("names a repository by its path, without .git", () => {
    expect(repositoryLabel("https://github.com/acme/widgets.git")).toBe("acme/widgets");
    expect(repositoryLabel("http://127.0.0.1:9000/private-demo.git/")).toBe("private-demo");
    expect(repositoryLabel("not a url")).toBe("not a url");
  });
});

describe("progressDetail", () => {
  it("says what a clone has received", () => {
    expect(progressDetail({ percent: 45.4, done: 450, total: 1000, bytes: 1258291 })).toBe(
      "Receiving 45% (450/1,000 objects) 1.2 MiB",
    );
    expect(progressDetail({ percent: null, done: null, total: null, bytes: 2097152 })).toBe(
      "Receiving 2.0 MiB",
    );
    expect(progressDetail({ percent: null, done: null, total: null, bytes: null })).toBeNull();
  });
});
