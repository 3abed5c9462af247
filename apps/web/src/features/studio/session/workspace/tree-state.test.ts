import { describe, expect, it } from "vitest";
import { expandTo, type Listings, parentRowIndex, visibleRows } from "./tree-state.ts";
import type { FolderListing, TreeEntry } from "./workspace-types.ts";

const entry = (
  path: string,
  kind: TreeEntry["kind"] = "file",
  extra: Partial<TreeEntry> = {},
): TreeEntry => ({
  name: path.slice(path.lastIndexOf("/") + 1),
  path,
  kind,
  size: kind === "file" ? 1 : null,
  ignored: false,
  change: null,
  ...extra,
});
const listing = (path: string, entries: TreeEntry[], truncated = false): FolderListing => ({
  path,
  entries,
  truncated,
});

const listings: Listings = new Map([
  [
    "",
    listing("", [
      entry("src", "directory"),
      entry("node_modules", "directory", { ignored: true }),
      entry("README.md"),
    ]),
  ],
  ["src", listing("src", [entry("src/lib", "directory"), entry("src/main.ts", "file", { change: "added" })])],
  ["src/lib", listing("src/lib", [entry("src/lib/util.ts")])],
]);
const paths = (rows: ReturnType<typeof visibleRows>) =>
  rows.map((row) => (row.type === "entry" ? row.entry.path : `<${row.type} ${row.folder}>`));

describe("the file tree's rows", () => {
  it("shows only the root until folders are opened, never walking ignored ones", () => {
    expect(paths(visibleRows(listings, new Set()))).toEqual(["src", "node_modules", "README.md"]);
  });

  it("shows an open folder's entries one level deeper, and a loading row until they arrive", () => {
    const rows = visibleRows(listings, new Set(["src", "node_modules"]));
    expect(paths(rows)).toEqual([
      "src",
      "src/lib",
      "src/main.ts",
      "node_modules",
      "<loading node_modules>",
      "README.md",
    ]);
    expect(rows.map((row) => row.depth)).toEqual([0, 1, 1, 0, 1, 0]);
    expect(rows[0]).toMatchObject({ expanded: true });
    const failed = visibleRows(listings, new Set(["node_modules"]), "", new Set(["node_modules"]));
    expect(paths(failed)).toContain("<failed node_modules>");
  });

  it("filters by name across opened folders, opening the way to matches", () => {
    expect(paths(visibleRows(listings, new Set(["src", "src/lib"]), "UTIL"))).toEqual([
      "src",
      "src/lib",
      "src/lib/util.ts",
    ]);
    // Loaded folders are searched even when closed again; folders never loaded are not.
    expect(paths(visibleRows(listings, new Set(), "util"))).toEqual(["src", "src/lib", "src/lib/util.ts"]);
    expect(paths(visibleRows(new Map([["", listings.get("") as FolderListing]]), new Set(), "util"))).toEqual(
      [],
    );
    expect(paths(visibleRows(listings, new Set(), "readme"))).toEqual(["README.md"]);
  });

  it("says when a folder was cut short or is empty", () => {
    const cut: Listings = new Map([
      ["", listing("", [entry("big", "directory"), entry("void", "directory")], true)],
      ["big", listing("big", [entry("big/a")], true)],
      ["void", listing("void", [])],
    ]);
    expect(paths(visibleRows(cut, new Set(["big", "void"])))).toEqual([
      "big",
      "big/a",
      "<truncated big>",
      "void",
      "<empty void>",
      "<truncated >",
    ]);
  });

  it("finds a row's parent for ArrowLeft and opens the way to a file", () => {
    const rows = visibleRows(listings, new Set(["src", "src/lib"]));
    const util = paths(rows).indexOf("src/lib/util.ts");
    expect(paths(rows)[parentRowIndex(rows, util)]).toBe("src/lib");
    expect(parentRowIndex(rows, 0)).toBe(-1);
    expect(expandTo(new Set(["x"]), "a/b/c.txt")).toEqual(new Set(["x", "a", "a/b"]));
  });
});
