// Entry names and link targets, reduced to components below the upload's root. Archives come from
// every kind of system, so Windows separators are read as separators; anything that could name a
// place outside the root (absolute, drive letter, `..`, NUL) is refused rather than repaired,
// because no archive made by an honest tool contains one.
import { UploadRejectedError } from "./errors.ts";

/** Longer than Linux's PATH_MAX: no extraction could create it. */
const MAX_PATH_BYTES = 4095;
/** Symlink hops allowed while resolving one link, as Linux's own ELOOP limit. */
const MAX_LINK_HOPS = 40;

function components(name: string, reason: "path_escapes" | "link_escapes", entry: string): string[] {
  if (name.includes("\0")) throw new UploadRejectedError(reason, "a name contains a NUL byte", entry);
  if (Buffer.byteLength(name) > MAX_PATH_BYTES)
    throw new UploadRejectedError(reason, "a name is too long", entry);
  const slashed = name.replaceAll("\\", "/");
  if (slashed.startsWith("/")) throw new UploadRejectedError(reason, "an absolute path", entry);
  if (/^[A-Za-z]:/.test(slashed)) throw new UploadRejectedError(reason, "a Windows drive path", entry);
  return slashed.split("/").filter((part) => part !== "" && part !== ".");
}

/** An entry's name as components under the root; `[]` is the root itself (`./`). */
export function entryComponents(name: string): string[] {
  const parts = components(name, "path_escapes", name);
  if (parts.includes("..")) throw new UploadRejectedError("path_escapes", "a path climbs out with ..", name);
  return parts;
}

/** A hard link's target: a path from the archive's root, like an entry name. */
export function hardLinkComponents(target: string, entry: string): string[] {
  const parts = components(target, "link_escapes", entry);
  if (parts.includes("..") || parts.length === 0) {
    throw new UploadRejectedError("link_escapes", "a hard link leads outside the upload", entry);
  }
  return parts;
}

/** A symlink's target, relative to the link's directory; `..` is kept for resolution. */
export function symlinkComponents(target: string, entry: string): string[] {
  if (target === "") throw new UploadRejectedError("corrupt", "a symlink has no target", entry);
  return components(target, "link_escapes", entry);
}

/**
 * Where a symlink leads, following the archive's other symlinks like the kernel would once all are
 * extracted (`a -> b/..` with `b -> .` is the parent of the root although `b/..` alone is not).
 * `symlinks` maps a link's path (components joined by `/`) to its target's components. Throws
 * `link_escapes` when the result would leave the root or the chain does not end.
 */
export function resolveSymlink(
  linkPath: string[],
  target: string[],
  symlinks: ReadonlyMap<string, string[]>,
  entry: string,
): string[] {
  let hops = 0;
  const walk = (from: string[], parts: string[]): string[] => {
    const current = [...from];
    for (const part of parts) {
      if (part === "..") {
        if (current.length === 0) {
          throw new UploadRejectedError("link_escapes", "a symlink leads outside the upload", entry);
        }
        current.pop();
        continue;
      }
      current.push(part);
      const next = symlinks.get(current.join("/"));
      if (next === undefined) continue;
      if (++hops > MAX_LINK_HOPS) {
        throw new UploadRejectedError("link_escapes", "symlinks loop or chain too deep", entry);
      }
      current.splice(0, current.length, ...walk(current.slice(0, -1), next));
    }
    return current;
  };
  return walk(linkPath.slice(0, -1), target);
}

/** Permissions every extracted entry gets: executables stay executable, nothing else survives. */
export function normalisedMode(type: "file" | "directory" | "symlink" | "link", mode: number): number {
  if (type === "directory") return 0o755;
  if (type === "symlink") return 0o777;
  return mode & 0o111 ? 0o755 : 0o644;
}
