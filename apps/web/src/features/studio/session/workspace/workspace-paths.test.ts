import { describe, expect, it } from "vitest";
import { foldersHolding, isWorkspacePath, languageOf, normalisePath, parentOf } from "./workspace-paths.ts";

describe("workspace paths", () => {
  it("accepts relative paths inside the workspace and refuses the rest", () => {
    expect(normalisePath("./src//a.ts")).toBe("src/a.ts");
    expect(normalisePath("notes.md")).toBe("notes.md");
    for (const hostile of [
      "",
      ".",
      "/etc/passwd",
      "../x",
      "a/../../b",
      "a\\b",
      "file:///x",
      "C:/x",
      "a\0b",
    ]) {
      expect(isWorkspacePath(hostile), hostile).toBe(false);
      expect(normalisePath(hostile), hostile).toBeNull();
    }
  });

  it("names a path's folders and language", () => {
    expect(foldersHolding("a/b/c.txt")).toEqual(["", "a", "a/b"]);
    expect(foldersHolding("c.txt")).toEqual([""]);
    expect(parentOf("a/b/c.txt")).toBe("a/b");
    expect(parentOf("c.txt")).toBe("");
    expect(languageOf("src/App.test.TSX")).toBe("tsx");
    expect(languageOf("Makefile")).toBeUndefined();
    expect(languageOf(".gitignore")).toBeUndefined();
  });
});
