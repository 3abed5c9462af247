// At every start OpenCode installs its plugin package (`@opencode-ai/plugin`, about 60 MB with its
// dependencies) into its global config directory from the npm registry, in the background, for
// plugins a user keeps there. A studio sandbox has none: the install only costs a download per
// start and the disk of every sandbox. OpenCode 1.18 skips it when that directory already has a
// `node_modules` and its `package-lock.json` lists every `package.json` dependency (read from the
// binary's `Npm.install`); these files say so. Should a later OpenCode check otherwise, it installs
// as before, so nothing breaks. Plugins of a project (its own `.opencode/`) are installed as usual.
import type { WorkspaceFile } from "../types.ts";

const PLUGIN_PACKAGE = "@opencode-ai/plugin";

/** The files, for OpenCode's global config directory (`$XDG_CONFIG_HOME/opencode`). */
export function skipPluginInstallFiles(configDir: string): WorkspaceFile[] {
  const dir = configDir.replace(/\/+$/, "");
  const dependencies = { [PLUGIN_PACKAGE]: "*" };
  return [
    { path: `${dir}/package.json`, content: `${JSON.stringify({ dependencies }, null, 2)}\n` },
    {
      path: `${dir}/package-lock.json`,
      content: `${JSON.stringify({ lockfileVersion: 3, packages: { "": { dependencies } } }, null, 2)}\n`,
    },
    {
      path: `${dir}/node_modules/.studio`,
      content: "Written by the studio so that OpenCode does not install its plugin package here.\n",
    },
  ];
}
