import { describe, expect, it } from "vitest";
import { sandboxMounts, sandboxPaths, sandboxView } from "./layout.ts";

describe("sandboxView", () => {
  const first = sandboxPaths("/srv/studio/data/sandboxes", "sbx-0123456789abcdef");
  const second = sandboxPaths("/home/ops/other-studio/sandboxes", "sbx-fedcba9876543210");

  it("shows every confined sandbox the same neutral paths, none of them the host's", () => {
    const view = sandboxView(first, true);
    expect(view).toEqual(sandboxView(second, true));
    expect(view.workspace).toBe("/home/user/workspace");
    expect(view.home).toBe("/home/user");
    expect(view.tmp).toBe("/tmp");
    for (const inside of Object.values(view)) {
      expect(inside).not.toContain("/srv/studio");
      expect(inside).not.toContain("sbx-");
    }
  });

  it("shows an unconfined sandbox the host's paths, the only ones it has", () => {
    const view = sandboxView(first, false);
    expect(view.workspace).toBe(first.workspace);
    expect(view.home).toBe(first.home);
    expect(view.xdgData).toBe(first.xdgData);
  });
});

describe("sandboxMounts", () => {
  const paths = sandboxPaths("/srv/sandboxes", "sbx-0123456789abcdef");
  const view = sandboxView(paths, true);

  it("mounts home before what lives inside it, and the studio's agent config read-only", () => {
    const mounts = sandboxMounts(paths, true);
    expect(mounts.map((mount) => mount.target)).toEqual([
      view.home,
      view.workspace,
      "/home/user/.studio/xdg",
      view.agent,
    ]);
    expect(mounts.find((mount) => mount.target === view.workspace)?.source).toBe(paths.workspace);
    expect(mounts.filter((mount) => mount.readOnly)).toEqual([
      { source: paths.agent, target: view.agent, readOnly: true },
    ]);
    // The XDG mount holds every XDG directory the environment names.
    for (const dir of [view.xdgConfig, view.xdgData, view.xdgCache, view.xdgState])
      expect(dir.startsWith("/home/user/.studio/xdg/")).toBe(true);
  });

  it("leaves out an agent directory that does not exist (a sandbox from before it)", () => {
    expect(sandboxMounts(paths, false).map((mount) => mount.target)).not.toContain(view.agent);
  });
});
