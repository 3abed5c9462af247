import { describe, expect, it } from "vitest";
import { cleanEntryPath, folderEntries, folderName, isAlreadyCompressed } from "./folder-paths.ts";

const sources = (...paths: string[]) => paths.map((path) => ({ path, item: path }));

describe("cleanEntryPath", () => {
  it("keeps relative paths with / separators", () => {
    expect(cleanEntryPath("app/src/index.ts")).toBe("app/src/index.ts");
    expect(cleanEntryPath("app\\src\\index.ts")).toBe("app/src/index.ts");
  });

  it("never lets a path be absolute or climb out", () => {
    expect(cleanEntryPath("/app/a.txt")).toBe("app/a.txt");
    expect(cleanEntryPath("../../etc/passwd")).toBe("etc/passwd");
    expect(cleanEntryPath("app/./../x")).toBe("app/x");
    expect(cleanEntryPath("C:\\Users\\me\\a.txt")).toBe("Users/me/a.txt");
    expect(cleanEntryPath("//")).toBeNull();
    expect(cleanEntryPath("..")).toBeNull();
  });

  it("drops the desktop's litter", () => {
    expect(cleanEntryPath("app/.DS_Store")).toBeNull();
    expect(cleanEntryPath("app/__MACOSX/._a.txt")).toBeNull();
    expect(cleanEntryPath("app/Thumbs.db")).toBeNull();
    expect(cleanEntryPath("app/.gitignore")).toBe("app/.gitignore");
  });
});

describe("folderEntries", () => {
  it("keeps a chosen folder's name (the studio removes one wrapping folder itself)", () => {
    const entries = folderEntries(sources("my-app/package.json", "my-app/src/index.ts", "my-app/.git/HEAD"));
    expect(entries.map((entry) => entry.path)).toEqual([
      "my-app/package.json",
      "my-app/src/index.ts",
      "my-app/.git/HEAD",
    ]);
    expect(entries[1]?.item).toBe("my-app/src/index.ts");
  });

  it("takes a dropped folder's fullPath the same way, keeping a lone folder inside it", () => {
    const entries = folderEntries(sources("/my-app/src/a.txt", "/my-app/src/b/c.txt"));
    expect(entries.map((entry) => entry.path)).toEqual(["my-app/src/a.txt", "my-app/src/b/c.txt"]);
  });

  it("keeps top-level names when several things were dropped", () => {
    const entries = folderEntries(sources("/one/a.txt", "/two/b.txt", "/README.md"));
    expect(entries.map((entry) => entry.path)).toEqual(["one/a.txt", "two/b.txt", "README.md"]);
  });

  it("keeps a loose file's name when it is the only thing", () => {
    expect(folderEntries(sources("notes.txt")).map((entry) => entry.path)).toEqual(["notes.txt"]);
  });

  it("keeps the first of two files that clean to the same path", () => {
    const entries = folderEntries([
      { path: "app/a.txt", item: 1 },
      { path: "app//a.txt", item: 2 },
      { path: "app/b.txt", item: 3 },
    ]);
    expect(entries).toEqual([
      { path: "app/a.txt", item: 1 },
      { path: "app/b.txt", item: 3 },
    ]);
  });

  it("names the upload after the folder", () => {
    expect(folderName(sources("my-app/a.txt"))).toBe("my-app");
    expect(folderName(sources("/photos/x.png"))).toBe("photos");
    expect(folderName(sources("loose.txt"))).toBe("folder");
  });

  it("stores already-compressed files as they are", () => {
    expect(isAlreadyCompressed("assets/logo.PNG")).toBe(true);
    expect(isAlreadyCompressed("vendor/lib.tar.gz")).toBe(true);
    expect(isAlreadyCompressed("src/index.ts")).toBe(false);
  });
});
