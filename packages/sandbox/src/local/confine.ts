// Optional filesystem confinement for local sandboxes with bubblewrap (`bwrap`), which works
// without root through unprivileged user namespaces. The agent then sees: read-only /usr and the
// usual /bin, /lib symlinks, a short allow-list of /etc, the npm binaries it needs (read-only), its
// own sandbox subdirectories (read-write, at neutral paths: layout.ts's `sandboxView`), a private
// /tmp, /proc of its own PID namespace and a minimal /dev. Not the studio's files, other sandboxes,
// the state file or the host's /home. The network is confined apart (`network.ts`): bwrap
// only unshares it. See README.md for what this does and does not protect.
import { spawnSync } from "node:child_process";
import { accessSync, constants, lstatSync, readlinkSync } from "node:fs";
import path from "node:path";

export type ConfinementMode = "auto" | "bwrap" | "none";

/** /etc entries a shell, git, TLS and DNS need; the rest of /etc (shadow, ssh keys, app config) stays hidden. */
export const ETC_ALLOW_LIST = [
  "passwd",
  "group",
  "nsswitch.conf",
  "hosts",
  "host.conf",
  "hostname",
  "resolv.conf",
  "gai.conf",
  "services",
  "protocols",
  "localtime",
  "timezone",
  "ssl",
  "ca-certificates",
  "ca-certificates.conf",
  "pki",
  "alternatives",
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "profile",
  "profile.d",
  "bash.bashrc",
  "inputrc",
  "environment",
  "login.defs",
  "mime.types",
  "os-release",
  "debian_version",
  "gitconfig",
  "terminfo",
  "locale.alias",
];

/** Top-level directories that merged-/usr systems make symlinks and older ones keep as directories. */
const ROOT_LINKS = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

export type RootEntry = { path: string; symlink: string } | { path: string; dir: true };

export interface BwrapLayout {
  bwrap: string;
  rootEntries: RootEntry[];
}

export interface BwrapMount {
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface BwrapOptions {
  /** The sandbox's own directories (workspace, home, XDG dirs, the studio's agent config), in order. */
  mounts: BwrapMount[];
  /** Bound read-only at the same path (directories of the binaries), unless already under /usr. */
  readOnly: string[];
  /** Bound at /tmp. */
  tmpDir: string;
  cwd: string;
  /** A network namespace of its own (connected by pasta, `network.ts`), else the host's network. */
  isolateNetwork?: boolean;
}

/** The bwrap argument vector (before `--` and the command). Pure; unit-tested. */
export function bwrapArgs(layout: BwrapLayout, options: BwrapOptions): string[] {
  const args = ["--ro-bind", "/usr", "/usr"];
  for (const entry of layout.rootEntries) {
    if ("symlink" in entry) args.push("--symlink", entry.symlink, entry.path);
    else args.push("--ro-bind", entry.path, entry.path);
  }
  for (const name of ETC_ALLOW_LIST) args.push("--ro-bind-try", `/etc/${name}`, `/etc/${name}`);
  // /tmp first: a sandbox root under /tmp (tests) would otherwise be hidden by the /tmp mount.
  args.push("--bind", options.tmpDir, "/tmp", "--proc", "/proc", "--dev", "/dev");
  const readOnly = [...new Set(options.readOnly)].filter((dir) => !dir.startsWith("/usr/"));
  for (const dir of readOnly) args.push("--ro-bind", dir, dir);
  for (const mount of options.mounts)
    args.push(mount.readOnly ? "--ro-bind" : "--bind", mount.source, mount.target);
  // A user namespace even when the studio runs as root, so dropped capabilities are really gone; a
  // PID namespace so that when sandbox-agent's tree dies the kernel kills every process left in it.
  // No --die-with-parent: sandboxes must outlive a studio restart (connect re-attaches).
  args.push(
    "--unshare-user",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    // Root of its own user namespace (no capabilities): for a studio that is not root, bwrap would
    // otherwise map that user in a second, nested namespace (to mount /dev/pts as root first), and
    // only the outer one, which no process stays in, could enter the network namespace: pasta and
    // the socket forwarders could not attach.
    ...(options.isolateNetwork ? ["--unshare-net", "--uid", "0", "--gid", "0"] : []),
    "--hostname",
    "sandbox",
    "--cap-drop",
    "ALL",
    "--chdir",
    options.cwd,
  );
  return args;
}

export function findExecutable(name: string): string | null {
  const dirs = (process.env.PATH ?? "").split(":").filter(Boolean);
  for (const dir of [...dirs, "/usr/bin", "/usr/local/bin"]) {
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}

function rootEntries(): RootEntry[] {
  const entries: RootEntry[] = [];
  for (const dir of ROOT_LINKS) {
    try {
      const stat = lstatSync(dir);
      if (stat.isSymbolicLink()) entries.push({ path: dir, symlink: readlinkSync(dir) });
      else if (stat.isDirectory()) entries.push({ path: dir, dir: true });
    } catch {}
  }
  return entries;
}

export interface ConfinementProbe {
  layout: BwrapLayout | null;
  /** Why bwrap is not usable, when it is not. */
  reason: string | null;
}

/**
 * Finds bwrap and runs it once with the same namespaces and mounts we use. It fails where
 * unprivileged user namespaces are off (sysctl, Ubuntu's AppArmor restriction, some containers).
 */
export function probeBwrap(): ConfinementProbe {
  const bwrap = findExecutable("bwrap");
  if (!bwrap)
    return { layout: null, reason: "bwrap not found on PATH (Debian/Ubuntu: apt-get install bubblewrap)" };
  const layout: BwrapLayout = { bwrap, rootEntries: rootEntries() };
  const args = [
    ...bwrapArgs(layout, { mounts: [], readOnly: [], tmpDir: "/tmp", cwd: "/" }),
    "--",
    "/bin/sh",
    "-c",
    "exit 0",
  ];
  const result = spawnSync(bwrap, args, { timeout: 10_000, encoding: "utf8" });
  if (result.status === 0) return { layout, reason: null };
  const detail = (result.stderr || result.error?.message || `exit ${result.status}`).trim();
  return { layout: null, reason: `bwrap probe failed: ${detail}` };
}
