import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { type GitServer, startGitServer } from "../../packages/testkit/src/git-server.ts";
import { LOCAL_TAG, localOnly } from "../support/local-only.ts";
import { script } from "../support/model-server.ts";
import {
  chooseScriptedModel,
  marker,
  PROVISION_TIMEOUT,
  replies,
  TURN_TIMEOUT,
  waitForTurnEnd,
  waitUntilReady,
} from "../support/session.ts";
import { createOrganization, newUser, signUp, snap } from "../support/studio.ts";

localOnly(
  "projects.spec.ts",
  "serves repositories from a git server on this machine, which a deployment cannot reach",
);

// Two people, two sandboxes with real clones and uploads: more than the default minute.
test.describe.configure({ timeout: 240_000 });

// A real git server on this machine's loopback, behind HTTP Basic auth, with a private repository
// under an owner (so a Gitea-style pull-request link can be made for it). The e2e studio listens on
// the loopback with PUBLIC_URL unset, so TENANT_PRIVATE_NETWORK allows http to it.
const REPO = "acme/widgets";
let git: GitServer;
let scratch: string;
test.beforeAll(async () => {
  git = await startGitServer({ repos: [{ name: REPO, private: true }] });
  scratch = mkdtempSync(path.join(os.tmpdir(), "studio-e2e-projects-"));
});
test.afterAll(async () => {
  await git?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const run = (cwd: string, command: string, ...args: string[]) =>
  execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

async function takeItAway(page: Page, item: string) {
  await page.getByRole("button", { name: "Take it away" }).click();
  await page.getByRole("menuitem", { name: item }).click();
}

test(
  "a person starts from a private repository, has the agent edit it, pushes a branch and downloads the archive",
  { tag: LOCAL_TAG },
  async ({ page }, testInfo) => {
    const owner = newUser("repo");
    await signUp(page, owner);
    await createOrganization(page, `Repos ${owner.name.split(" ")[1]}`);

    // Settings → Git hosts: the organisation's token for the git server, named as a Gitea server.
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Git hosts" }).click();
    await page.getByRole("button", { name: "Add host" }).click();
    const add = page.getByRole("dialog", { name: "Add a git host" });
    await add.getByLabel("Host", { exact: true }).fill(new URL(git.url).host);
    await add.getByLabel("Access token").fill(git.token);
    await add.getByLabel("User name (optional)").fill(git.username);
    await add.getByLabel("Host software").selectOption({ label: "Gitea or Forgejo" });
    await add.getByRole("button", { name: "Save host" }).click();
    await expect(add).toBeHidden();

    // A new session from the repository: its branches are listed, the default first.
    const tag = marker();
    await script(
      tag,
      [
        {
          toolCall: {
            name: "write",
            arguments: { filePath: "README.md", content: "# Widgets\n\nEdited by the agent.\n" },
          },
        },
      ],
      [{ text: "README rewritten." }],
    );
    await page.goto("/");
    await chooseScriptedModel(page);
    await page.getByText("Repository", { exact: true }).click();
    await page.getByLabel("Repository URL").fill(git.repoUrl(REPO));
    const ref = page.getByLabel("Branch, tag or commit");
    await expect(ref.locator("option:checked")).toHaveText("main (default)", { timeout: 20_000 });
    await expect(ref.locator("option", { hasText: "feature/x" })).toBeAttached();
    await snap(page, testInfo, "new-session-repository");
    await page.getByLabel("What should the agent work on?").fill(`${tag} rewrite the README`);
    await page.getByRole("button", { name: "Start session" }).click();
    await page.waitForURL(/\/sessions\/[^/]+$/);
    const sessionId = new URL(page.url()).pathname.split("/").pop() ?? "";

    // The clone is a provisioning step of its own.
    await expect(page.getByText(`Cloning ${REPO}`)).toBeVisible({ timeout: PROVISION_TIMEOUT });
    await snap(page, testInfo, "cloning");

    // The first message runs as soon as the agent is there: it edits a file (asking first), and says so.
    const permission = page.locator(".tool-card").last().locator(".permission-card");
    await expect(permission).toHaveAttribute("data-state", "waiting", { timeout: PROVISION_TIMEOUT });
    await permission.getByRole("button", { name: "Allow once" }).click();
    await expect(replies(page).filter({ hasText: "README rewritten." })).toBeVisible({
      timeout: TURN_TIMEOUT,
    });
    await waitForTurnEnd(page);

    // Commit & push: the message is suggested and editable; the result links to a pull request.
    await takeItAway(page, "Commit & push…");
    const dialog = page.getByRole("dialog", { name: "Commit & push" });
    const message = dialog.getByLabel("Commit message");
    await expect(message).not.toHaveValue("");
    await message.fill("Rewrite the README");
    await snap(page, testInfo, "commit-and-push");
    await dialog.getByRole("button", { name: "Commit & push" }).click();
    const pushed = page.getByRole("dialog", { name: "Pushed" });
    await expect(pushed).toBeVisible({ timeout: 60_000 });
    const branch = `studio/${sessionId.slice(0, 8).toLowerCase()}`;
    await expect(pushed.getByText(branch, { exact: true })).toBeVisible();
    await expect(pushed.getByRole("link", { name: /Open a pull request/ })).toHaveAttribute(
      "href",
      `${git.url}/${REPO}/compare/main...${branch}`,
    );
    await snap(page, testInfo, "pushed");
    // The branch is on the remote, with the agent's edit, authored by the person who pushed.
    expect(run(git.bareDir(REPO), "git", "show", `refs/heads/${branch}:README.md`)).toBe(
      "# Widgets\n\nEdited by the agent.\n",
    );
    expect(run(git.bareDir(REPO), "git", "log", "-1", "--format=%an|%s", `refs/heads/${branch}`).trim()).toBe(
      `${owner.name}|Rewrite the README`,
    );
    await page.keyboard.press("Escape");
    await expect(pushed).toBeHidden();
    await expect(page.getByText(`Pushed ${branch}`).first()).toBeVisible();

    // The workspace as a zip, with the edit in it.
    const downloading = page.waitForEvent("download");
    await takeItAway(page, "Download .zip");
    const download = await downloading;
    const zip = path.join(scratch, "workspace.zip");
    await download.saveAs(zip);
    const unzipped = path.join(scratch, "unzipped");
    run(scratch, "unzip", "-q", zip, "-d", unzipped);
    expect(readFileSync(path.join(unzipped, "README.md"), "utf8")).toBe(
      "# Widgets\n\nEdited by the agent.\n",
    );
    expect(readFileSync(path.join(unzipped, "src/hello.txt"), "utf8")).toMatch(/hello/i);
  },
);

test("a second person starts from a folder they upload", { tag: LOCAL_TAG }, async ({ page }, testInfo) => {
  const person = newUser("upload");
  await signUp(page, person);
  const folder = path.join(scratch, "my-app");
  mkdirSync(path.join(folder, "src"), { recursive: true });
  writeFileSync(path.join(folder, "package.json"), '{ "name": "my-app" }\n');
  writeFileSync(path.join(folder, "src", "index.ts"), "export const answer = 42;\n");

  await page.goto("/");
  await chooseScriptedModel(page);
  await page.getByText("Upload", { exact: true }).click();
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Choose folder" }).click();
  await (await chooser).setFiles(folder);
  await expect(page.getByText(/2 files/)).toBeVisible({ timeout: 30_000 });
  await snap(page, testInfo, "uploaded");
  await page.getByRole("button", { name: "Start session" }).click();
  await page.waitForURL(/\/sessions\/[^/]+$/);
  await waitUntilReady(page);

  // What was uploaded is the workspace, at its root.
  const downloading = page.waitForEvent("download");
  await takeItAway(page, "Download .tar.gz");
  const archive = path.join(scratch, "upload.tar.gz");
  await (await downloading).saveAs(archive);
  const listing = run(scratch, "tar", "-tzf", archive);
  expect(listing).toMatch(/^\.\/package\.json$/m);
  expect(listing).toMatch(/^\.\/src\/index\.ts$/m);
  // No repository behind it: nothing to push to.
  await page.getByRole("button", { name: "Take it away" }).click();
  await expect(page.getByRole("menuitem", { name: "Commit & push…" })).toHaveCount(0);
  await page.keyboard.press("Escape");
});
