// Seeds the bare repositories the test git server serves, with git's own commands and no reliance on
// the machine's or the user's git configuration. Dates are fixed, so the commit ids are the same on
// every run for the same files.
import { execFile } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface GitServerRepo {
  /** The URL path without `.git`, e.g. `demo` or `acme/widgets`. */
  name: string;
  /** Private: every request needs the credential. Public: anonymous fetch and clone are allowed. */
  private: boolean;
  /** Written by the third commit on `main`, over the default README.md and src/hello.txt. */
  files?: Record<string, string>;
}

export const DEFAULT_GIT_REPOS: GitServerRepo[] = [
  { name: "public-demo", private: false },
  { name: "private-demo", private: true },
];

export const GIT_AUTHOR = { name: "Testkit Seeder", email: "seeder@testkit.invalid" };

/** The environment for git commands run by the server and the seeder: nothing from the user's. */
export function isolatedGitEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    LANG: "C",
    ...extra,
  };
}

/**
 * Creates `<root>/<name>.git`, a bare repository with HEAD → main: on `main` three commits
 * (README.md; src/hello.txt; README.md updated plus `files`), `feature/x` one commit past `main`
 * (adds feature.txt), the lightweight tag `v1` on `main~1` and the annotated tag `v2` on `main`.
 */
export async function seedBareRepo(root: string, work: string, home: string, repo: GitServerRepo) {
  const bare = path.join(root, `${repo.name}.git`);
  const tree = path.join(work, repo.name);
  await mkdir(tree, { recursive: true });
  let clock = Date.UTC(2026, 0, 1, 12) / 1000;
  const git = (cwd: string, ...args: string[]) => {
    const date = `${clock} +0000`;
    return run(
      "git",
      [
        "-c",
        `user.name=${GIT_AUTHOR.name}`,
        "-c",
        `user.email=${GIT_AUTHOR.email}`,
        "-c",
        "init.defaultBranch=main",
        "-c",
        "commit.gpgSign=false",
        "-c",
        "tag.gpgSign=false",
        ...args,
      ],
      { cwd, env: isolatedGitEnv(home, { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }) },
    );
  };
  const write = async (files: Record<string, string>) => {
    for (const [file, content] of Object.entries(files)) {
      const target = path.join(tree, file);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
  };
  const commit = async (message: string) => {
    clock += 60;
    await git(tree, "add", "--all");
    await git(tree, "commit", "--quiet", "-m", message);
  };

  const readme = `# ${repo.name}\n\nA repository served by the testkit's git server.\n`;
  await git(tree, "init", "--quiet", "--initial-branch=main");
  await write({ "README.md": readme });
  await commit("Initial commit");
  await write({ "src/hello.txt": "Hello from the test repository.\n" });
  await commit("Add src/hello.txt");
  await git(tree, "tag", "v1");
  await write({ "README.md": `${readme}\nUpdated by the third commit.\n`, ...repo.files });
  await commit("Update README");
  clock += 60;
  await git(tree, "tag", "-a", "v2", "-m", "Version 2");
  await git(tree, "switch", "--quiet", "-c", "feature/x");
  await write({ "feature.txt": "Work on feature x.\n" });
  await commit("Start feature x");

  await mkdir(path.dirname(bare), { recursive: true });
  await git(root, "init", "--quiet", "--bare", "--initial-branch=main", bare);
  await git(bare, "config", "uploadpack.allowFilter", "true");
  await git(tree, "push", "--quiet", bare, "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*");
  await rm(tree, { recursive: true, force: true });
}
