import { describe, expect, it } from "vitest";
import { bwrapArgs, ETC_ALLOW_LIST } from "./confine.ts";

const layout = {
  bwrap: "/usr/bin/bwrap",
  rootEntries: [
    { path: "/bin", symlink: "usr/bin" },
    { path: "/lib64", dir: true as const },
  ],
};

describe("bwrapArgs", () => {
  const args = bwrapArgs(layout, {
    mounts: [
      { source: "/data/sbx/home", target: "/home/user" },
      { source: "/data/sbx/workspace", target: "/home/user/workspace" },
      { source: "/data/sbx/agent", target: "/home/user/.studio/agent", readOnly: true },
    ],
    readOnly: ["/opt/agents/bin", "/usr/bin", "/opt/agents/bin"],
    tmpDir: "/data/sbx/tmp",
    cwd: "/home/user/workspace",
  });
  const joined = args.join(" ");

  it("mounts system directories read-only and only allow-listed /etc entries", () => {
    expect(joined).toContain("--ro-bind /usr /usr --symlink usr/bin /bin --ro-bind /lib64 /lib64");
    expect(joined).toContain("--ro-bind-try /etc/resolv.conf /etc/resolv.conf");
    expect(ETC_ALLOW_LIST).not.toContain("shadow");
    expect(joined).not.toMatch(/--(ro-)?bind \/etc /);
    expect(joined).not.toMatch(/--(dev-)?bind \/ \//);
  });

  it("mounts the sandbox's directories at their places inside, in order, after the private /tmp", () => {
    const tmp = args.indexOf("/data/sbx/tmp");
    const workspace = args.indexOf("/data/sbx/workspace");
    expect(args.slice(tmp - 1, tmp + 2)).toEqual(["--bind", "/data/sbx/tmp", "/tmp"]);
    expect(workspace).toBeGreaterThan(tmp);
    expect(joined).toContain(
      "--bind /data/sbx/home /home/user --bind /data/sbx/workspace /home/user/workspace " +
        "--ro-bind /data/sbx/agent /home/user/.studio/agent",
    );
    // Binary dirs read-only, once; those under /usr are already there.
    expect(joined.match(/--ro-bind \/opt\/agents\/bin/g)).toHaveLength(1);
    expect(joined).not.toContain("--ro-bind /usr/bin");
  });

  it("isolates users, PIDs and capabilities but keeps the network and survives the studio", () => {
    expect(args).toEqual(expect.arrayContaining(["--unshare-user", "--unshare-pid", "--cap-drop", "ALL"]));
    expect(args).not.toContain("--unshare-net");
    expect(args).not.toContain("--die-with-parent");
    expect(args.slice(-2)).toEqual(["--chdir", "/home/user/workspace"]);
  });

  it("with a network of its own, runs the sandbox as root of a single user namespace", () => {
    const isolated = bwrapArgs(layout, {
      mounts: [],
      readOnly: [],
      tmpDir: "/t",
      cwd: "/",
      isolateNetwork: true,
    });
    // Else bwrap nests a second user namespace for a studio without privileges (network.int.test.ts).
    expect(isolated.join(" ")).toContain("--unshare-net --uid 0 --gid 0");
    expect(args).not.toContain("--uid");
  });
});
