import { describe, expect, it } from "vitest";
import { changeMarks } from "./operations.ts";
import {
  compareEntries,
  completeUtf8End,
  decodeText,
  parseFindRecords,
  parseNameStatusZ,
  parseNumstatZ,
  parseStatusV2Z,
  unquoteGitPath,
  WorkspacePathError,
  workspacePath,
} from "./parse.ts";

describe("workspacePath", () => {
  it("normalises relative paths", () => {
    expect(workspacePath("")).toBe("");
    expect(workspacePath("./src//app.ts/")).toBe("src/app.ts");
    expect(workspacePath("a b/ü:x")).toBe("a b/ü:x");
    expect(workspacePath("..foo/bar..")).toBe("..foo/bar..");
  });

  it.each(["../x", "a/../../b", "a/..", "/etc/passwd", "//etc", "a\\..\\b", "a\0b", "x".repeat(4097)])(
    "refuses %j",
    (raw) => {
      expect(() => workspacePath(raw)).toThrow(WorkspacePathError);
    },
  );
});

describe("git -z outputs", () => {
  it("parses name-status with renames and odd names", () => {
    expect(
      parseNameStatusZ("M\0src/a.ts\0R087\0old name.txt\0new\nname.txt\0A\0b\tc\0D\0gone\0T\0link\0"),
    ).toEqual([
      { path: "src/a.ts", oldPath: null, status: "modified" },
      { path: "new\nname.txt", oldPath: "old name.txt", status: "renamed" },
      { path: "b\tc", oldPath: null, status: "added" },
      { path: "gone", oldPath: null, status: "deleted" },
      { path: "link", oldPath: null, status: "modified" },
    ]);
    expect(parseNameStatusZ("")).toEqual([]);
  });

  it("parses numstat with binary files and renames", () => {
    expect(parseNumstatZ("3\t1\tsrc/a.ts\0-\t-\timg.png\0" + "0\t0\t\0old\0new\0")).toEqual([
      { path: "src/a.ts", oldPath: null, additions: 3, deletions: 1 },
      { path: "img.png", oldPath: null, additions: null, deletions: null },
      { path: "new", oldPath: "old", additions: 0, deletions: 0 },
    ]);
  });

  it("parses status porcelain v2", () => {
    const out = [
      "# branch.oid abc",
      "1 .M N... 100644 100644 100644 aaa bbb src/a b.ts",
      "2 R. N... 100644 100644 100644 aaa bbb R100 new.txt",
      "old.txt",
      "u UU N... 100644 100644 100644 100644 a b c conflict.txt",
      "? new file",
      "! node_modules/",
      "",
    ].join("\0");
    expect(parseStatusV2Z(out)).toEqual([
      { xy: ".M", path: "src/a b.ts", oldPath: null },
      { xy: "R.", path: "new.txt", oldPath: "old.txt" },
      { xy: "UU", path: "conflict.txt", oldPath: null },
      { xy: "??", path: "new file", oldPath: null },
      { xy: "!!", path: "node_modules/", oldPath: null },
    ]);
  });

  it("unquotes C-quoted paths", () => {
    expect(unquoteGitPath("plain name.txt")).toBe("plain name.txt");
    expect(unquoteGitPath('"w\\303\\251ird\\n\\"q\\".log"')).toBe('wéird\n"q".log');
    expect(unquoteGitPath('"tab\\there\\\\"')).toBe("tab\there\\");
  });

  it("parses find records", () => {
    expect(parseFindRecords(["d/4096/src", "f/12/a b.txt", "l/7/link", "p/0/fifo", "bad"])).toEqual([
      { kind: "directory", size: 4096, name: "src" },
      { kind: "file", size: 12, name: "a b.txt" },
      { kind: "symlink", size: 7, name: "link" },
      { kind: "other", size: 0, name: "fifo" },
    ]);
  });
});

describe("text or binary", () => {
  it("takes UTF-8 as text and NUL or invalid UTF-8 as binary", () => {
    expect(decodeText(Buffer.from("héllo\n"), false)).toBe("héllo\n");
    expect(decodeText(Buffer.from([0x61, 0, 0x62]), false)).toBeNull();
    expect(decodeText(Buffer.from([0xff, 0xfe, 0x41]), false)).toBeNull();
  });

  it("drops a character cut at the end of a head, not the whole text", () => {
    const bytes = Buffer.from("aé€😀");
    for (let end = 1; end <= bytes.length; end++) {
      const head = bytes.subarray(0, end);
      expect(decodeText(head, true)).not.toBeNull();
    }
    expect(completeUtf8End(Buffer.from("ab"))).toBe(2);
    expect(completeUtf8End(Buffer.from("a€").subarray(0, 3))).toBe(1);
    // Not cut: an incomplete character is invalid.
    expect(decodeText(Buffer.from("a€").subarray(0, 3), false)).toBeNull();
  });
});

describe("ordering and marks", () => {
  it("puts folders first, then names without regard to case", () => {
    const names = [
      { name: "b.txt", kind: "file" },
      { name: "Zeta", kind: "directory" },
      { name: "A.txt", kind: "file" },
      { name: "alpha", kind: "directory" },
      { name: "a.txt", kind: "symlink" },
    ];
    expect(names.sort(compareEntries).map((entry) => entry.name)).toEqual([
      "alpha",
      "Zeta",
      "A.txt",
      "a.txt",
      "b.txt",
    ]);
  });

  it("marks direct children and folders with changes under them", () => {
    const marks = changeMarks(
      [
        { path: "src/a.ts", oldPath: null, status: "modified" },
        { path: "src/lib/b.ts", oldPath: null, status: "added" },
        { path: "old/x", oldPath: null, status: "deleted" },
        { path: "old/y", oldPath: null, status: "deleted" },
        { path: "top.md", oldPath: "was.md", status: "renamed" },
      ],
      "",
    );
    expect(Object.fromEntries(marks)).toEqual({
      src: { kind: "directory", change: "modified" },
      old: { kind: "directory", change: "deleted" },
      "top.md": { kind: "file", change: "renamed" },
    });
    expect(
      Object.fromEntries(changeMarks([{ path: "src/a.ts", oldPath: null, status: "added" }], "src")),
    ).toEqual({
      "a.ts": { kind: "file", change: "added" },
    });
    expect(changeMarks([{ path: "srcx/a.ts", oldPath: null, status: "added" }], "src").size).toBe(0);
  });
});
