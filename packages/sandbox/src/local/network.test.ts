import { describe, expect, it } from "vitest";
import { pastaOptions, withNetwork } from "./network.ts";

const layout = { pasta: "/usr/bin/pasta", nsenter: "/usr/bin/nsenter", socat: "/usr/bin/socat" };

describe("pastaOptions", () => {
  it("forwards only the studio's ports out, nothing in, and never the gateway address", () => {
    const options = pastaOptions({ layout, studioPorts: [3000, 3000] });
    expect(options).toContain("--no-map-gw");
    // pasta's default for every direction is `auto` (all bound ports): each one is set.
    expect(options.join(" ")).toContain("-t none -u none -U none -T 3000");
  });

  it("forwards nothing to the host when the studio has no port on its loopback", () => {
    const options = pastaOptions({ layout, studioPorts: [] }).join(" ");
    expect(options).toContain("-t none");
    expect(options).toContain("-T none");
    expect(options).not.toMatch(/auto/);
  });
});

describe("withNetwork", () => {
  it("runs the sandbox's own argv under the supervisor, with pasta, its tmp dir and its sockets first", () => {
    const forwards = [
      { socket: "/data/sbx/run/agent.sock", port: 41000 },
      { socket: "/data/sbx/run/opencode.sock", port: 41001 },
    ];
    const argv = withNetwork({ layout, studioPorts: [3000] }, forwards, "/sbx/tmp", [
      "/usr/bin/bwrap",
      "--",
      "x",
    ]);
    expect(argv.slice(0, 2)).toEqual(["/bin/bash", "-c"]);
    expect(argv.slice(3, 4)).toEqual(["studio-sandbox"]);
    expect(argv[4]).toBe("/usr/bin/pasta");
    expect(argv.slice(6)).toEqual([
      "/sbx/tmp",
      "/usr/bin/nsenter",
      "/usr/bin/socat",
      "/data/sbx/run/agent.sock=41000 /data/sbx/run/opencode.sock=41001",
      "/usr/bin/bwrap",
      "--",
      "x",
    ]);
  });

  it("refuses socket paths that socat's address syntax or word splitting would misread", () => {
    for (const socket of [
      "/data/my dir/agent.sock",
      "/data/a,b/agent.sock",
      "/data/a:b/agent.sock",
      "run/x.sock",
    ])
      expect(() => withNetwork({ layout, studioPorts: [] }, [{ socket, port: 41000 }], "/t", [])).toThrow(
        /unsupported socket path/,
      );
  });
});
