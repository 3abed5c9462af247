import { describe, expect, it } from "vitest";
import { pastaOptions, withNetwork } from "./network.ts";

const layout = { pasta: "/usr/bin/pasta" };

describe("pastaOptions", () => {
  it("forwards exactly the ports given, in each direction, and never the gateway address", () => {
    const options = pastaOptions({ layout, studioPorts: [3000, 3000] }, [41000, 41001]);
    expect(options).toContain("--no-map-gw");
    // pasta's default for every direction is `auto` (all bound ports): each one is set.
    expect(options.join(" ")).toContain("-t 127.0.0.1/41000 -t 127.0.0.1/41001");
    expect(options.join(" ")).toContain("-u none -U none -T 3000");
  });

  it("forwards nothing to the host when the studio has no port on its loopback", () => {
    const options = pastaOptions({ layout, studioPorts: [] }, []).join(" ");
    expect(options).toContain("-t none");
    expect(options).toContain("-T none");
    expect(options).not.toMatch(/auto/);
  });
});

describe("withNetwork", () => {
  it("runs the sandbox's own argv under the supervisor, pasta and the sandbox's tmp dir first", () => {
    const argv = withNetwork({ layout, studioPorts: [3000] }, [41000], "/sbx/tmp", [
      "/usr/bin/bwrap",
      "--",
      "x",
    ]);
    expect(argv.slice(0, 2)).toEqual(["/bin/bash", "-c"]);
    expect(argv.slice(3, 4)).toEqual(["studio-sandbox"]);
    expect(argv[4]).toBe("/usr/bin/pasta");
    expect(argv.slice(6)).toEqual(["/sbx/tmp", "/usr/bin/bwrap", "--", "x"]);
  });
});
