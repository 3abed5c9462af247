// The format-independent half: every entry of an archive passes through a Planner in order (the
// first reading), which refuses what may not be extracted as soon as it is seen, and at the end
// decides what the sanitised tar holds. Links can only be judged once every entry is known (a
// symlink may point through one that comes later), and so can a wrapping top folder.
import { type UploadLimits, UploadRejectedError } from "./errors.ts";
import {
  entryComponents,
  hardLinkComponents,
  normalisedMode,
  resolveSymlink,
  symlinkComponents,
} from "./paths.ts";

/** An archive member as a reader describes it, before any checks. */
export interface RawEntry {
  name: string;
  type: "file" | "directory" | "symlink" | "link" | "special" | "unknown";
  mode: number;
  /** Declared size of the contents (0 for anything but files). */
  size: number;
  mtime: Date;
  /** Target of a link when the format keeps it in the header (tar); zip keeps it as contents. */
  linkname?: string | undefined;
}

/** What the sanitised tar will hold for one archive member, by its position in the archive. */
export interface PlannedEntry {
  index: number;
  /** The name as written in the archive, to check the second reading sees the same member. */
  rawName: string;
  path: string;
  type: "file" | "directory" | "symlink" | "link";
  mode: number;
  size: number;
  mtime: Date;
  linkname?: string;
}

interface Pending {
  index: number;
  rawName: string;
  parts: string[];
  type: PlannedEntry["type"];
  mode: number;
  size: number;
  mtime: Date;
  /** Symlink target components, or a hard link's target path components. */
  target?: string[];
}

/** macOS's Finder adds resource forks under this top folder to zips: never part of a project. */
const MAC_RESOURCE_FORKS = "__MACOSX";

export class Planner {
  private count = 0;
  private declaredBytes = 0;
  private unpackedBytes = 0;
  private readonly entries: Pending[] = [];
  private readonly byPath = new Map<string, Pending>();

  constructor(private readonly limits: UploadLimits) {}

  /** Bytes of file contents the entries seen so far declare. */
  get declared(): number {
    return this.declaredBytes;
  }

  get seen(): number {
    return this.count;
  }

  /** Records one entry; returns false when it is left out of the result (its data unread). */
  add(raw: RawEntry): boolean {
    const index = this.count++;
    if (this.count > this.limits.files) {
      throw new UploadRejectedError("too_many_files", `more than ${this.limits.files} entries`, raw.name);
    }
    if (raw.type === "special")
      throw new UploadRejectedError("special_file", "a device, FIFO or socket", raw.name);
    if (raw.type === "unknown")
      throw new UploadRejectedError("unsupported_format", "an unknown entry type", raw.name);
    if (!(raw.size >= 0)) throw new UploadRejectedError("corrupt", "an invalid size", raw.name);
    if (raw.type === "file") {
      this.declaredBytes += raw.size;
      if (this.declaredBytes > this.limits.unpackedBytes) {
        throw new UploadRejectedError(
          "unpacked_too_large",
          `more than ${this.limits.unpackedBytes} bytes unpacked`,
          raw.name,
        );
      }
    }
    const parts = entryComponents(raw.name);
    if (parts.length === 0) {
      if (raw.type === "directory") return false; // `./`: the root itself
      throw new UploadRejectedError("path_escapes", "an entry without a name", raw.name);
    }
    if (parts[0] === MAC_RESOURCE_FORKS) return false;

    const pending: Pending = {
      index,
      rawName: raw.name,
      parts,
      type: raw.type,
      mode: normalisedMode(raw.type, raw.mode),
      size: raw.type === "file" ? raw.size : 0,
      mtime: Number.isNaN(raw.mtime.getTime()) ? new Date(0) : raw.mtime,
    };
    if (raw.type === "link") {
      // Only to a file already extracted, so the link can neither dangle nor reach out.
      const target = hardLinkComponents(raw.linkname ?? "", raw.name);
      if (this.byPath.get(target.join("/"))?.type !== "file") {
        throw new UploadRejectedError(
          "link_escapes",
          "a hard link to no earlier file of the upload",
          raw.name,
        );
      }
      pending.target = target;
    } else if (raw.type === "symlink" && raw.linkname !== undefined) {
      pending.target = symlinkComponents(raw.linkname, raw.name);
    }

    const key = parts.join("/");
    const earlier = this.byPath.get(key);
    if (earlier) {
      if (earlier.type === "directory" && raw.type === "directory") return false;
      // Tar allows replacing an entry; extractors differ in how (through a symlink, say): refuse.
      throw new UploadRejectedError("corrupt", "an entry appears twice", raw.name);
    }
    this.byPath.set(key, pending);
    this.entries.push(pending);
    return true;
  }

  /** A zip symlink's target, read from its contents. */
  setSymlinkTarget(raw: RawEntry, target: string): void {
    const pending = this.entries.at(-1);
    if (pending?.rawName !== raw.name || pending.type !== "symlink")
      throw new Error("no such symlink pending");
    pending.target = symlinkComponents(target, raw.name);
  }

  /** Counts contents as they are actually unpacked; stops the reading once over the limit. */
  countBytes(bytes: number, entry: string): void {
    this.unpackedBytes += bytes;
    if (this.unpackedBytes > this.limits.unpackedBytes) {
      throw new UploadRejectedError(
        "unpacked_too_large",
        `more than ${this.limits.unpackedBytes} bytes unpacked`,
        entry,
      );
    }
  }

  /** Judges links and the top folder once every entry is known; the entries to write, by index. */
  finish(): Map<number, PlannedEntry> {
    const strip = this.wrappingFolder();
    const kept = strip === undefined ? this.entries : this.entries.filter((entry) => entry.parts.length > 1);
    const cut = (parts: string[]) => (strip === undefined ? parts : parts.slice(1));

    const symlinks = new Map<string, string[]>();
    for (const entry of kept) {
      if (entry.type !== "symlink") continue;
      if (!entry.target) throw new UploadRejectedError("corrupt", "a symlink has no target", entry.rawName);
      symlinks.set(cut(entry.parts).join("/"), entry.target);
    }

    const planned = new Map<number, PlannedEntry>();
    for (const entry of kept) {
      const parts = cut(entry.parts);
      // Nothing is written through a symlink: an extractor would follow it wherever it points.
      for (let depth = 1; depth < parts.length; depth++) {
        if (symlinks.has(parts.slice(0, depth).join("/"))) {
          throw new UploadRejectedError("path_escapes", "an entry lies beneath a symlink", entry.rawName);
        }
      }
      const result: PlannedEntry = {
        index: entry.index,
        rawName: entry.rawName,
        path: parts.join("/"),
        type: entry.type,
        mode: entry.mode,
        size: entry.size,
        mtime: entry.mtime,
      };
      if (entry.type === "symlink") {
        resolveSymlink(parts, entry.target!, symlinks, entry.rawName);
        result.linkname = entry.target!.length === 0 ? "." : entry.target!.join("/");
      } else if (entry.type === "link") {
        result.linkname = cut(entry.target!).join("/");
      }
      planned.set(entry.index, result);
    }
    return planned;
  }

  /** The one folder everything sits in (as GitHub archives and zipped folders have), if any. */
  private wrappingFolder(): string | undefined {
    const top = this.entries[0]?.parts[0];
    if (top === undefined) return undefined;
    let nested = false;
    for (const entry of this.entries) {
      if (entry.parts[0] !== top) return undefined;
      if (entry.parts.length === 1 && entry.type !== "directory") return undefined;
      if (entry.parts.length > 1) nested = true;
    }
    return nested ? top : undefined;
  }
}
