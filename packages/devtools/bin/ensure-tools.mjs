#!/usr/bin/env node
// Makes a fresh clone runnable: pnpm, the workspace's dependencies, bubblewrap, passt and socat
// (bubblewrap confines local sandboxes' files, pasta gives each a network of its own, socat serves
// its servers to the studio on private Unix sockets) and, with --browser (the tests, the benchmarks), Debian's Chromium,
// its headless shell (what the end-to-end suite runs headless) and ffmpeg for Playwright.
// Uses only Node's standard library because nothing else is installed yet.
import { execSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const wantBrowser = process.argv.includes("--browser");
const run = (cmd) => execSync(cmd, { cwd: root, stdio: "inherit" });
const has = (cmd) => {
  try {
    execSync(`command -v ${cmd}`, { stdio: "ignore", shell: "/bin/sh" });
    return true;
  } catch {
    return false;
  }
};

const pnpmVersion = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];
const installedPnpm = has("pnpm") ? execSync("pnpm --version", { encoding: "utf8" }).trim() : null;
if (installedPnpm !== pnpmVersion) {
  console.log(`[setup] installing pnpm ${pnpmVersion}`);
  run(`npm install --global --no-fund --no-audit pnpm@${pnpmVersion}`);
}

// Reinstall when the lockfile changed since the last successful install.
const marker = join(root, "node_modules", ".studio-installed");
const lockfile = join(root, "pnpm-lock.yaml");
const stale = !existsSync(marker) || statSync(lockfile).mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  console.log("[setup] installing dependencies");
  const frozen = process.env.CI ? "--frozen-lockfile" : "--prefer-offline";
  run(`pnpm install ${frozen} --reporter=append-only`);
  writeFileSync(marker, new Date().toISOString());
}

// Debian packages: what the tests need must be there (the local provider's confinement tests run
// only where bwrap does); for `npm start` bubblewrap is installed when that needs no password, and
// otherwise the studio runs its local sandboxes unconfined and says so.
const missing = (packages) => packages.filter(([, path]) => !existsSync(path)).map(([name]) => name);
const asRoot = process.getuid?.() === 0;
const canSudo = () => {
  try {
    execSync("sudo -n true", { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const wanted = missing([
  ["bubblewrap", "/usr/bin/bwrap"],
  ["passt", "/usr/bin/pasta"],
  ["socat", "/usr/bin/socat"],
  ...(wantBrowser
    ? [
        ["chromium", "/usr/bin/chromium"],
        ["chromium-headless-shell", "/usr/bin/chromium-headless-shell"],
      ]
    : []),
]);
if (wanted.length > 0) {
  if (wantBrowser || asRoot || canSudo()) {
    console.log(`[setup] installing Debian's ${wanted.join(", ")}`);
    const sudo = asRoot ? "" : "sudo ";
    run(
      `${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${wanted.join(" ")}`,
    );
  } else {
    console.log(
      `[setup] ${wanted.join(" and ")} not installed (sudo apt-get install ${wanted.join(" ")}): local sandboxes will run unconfined or share the host's network`,
    );
  }
}

// Playwright records videos (of CI's retries) with an ffmpeg of its own, which it downloads from a
// host these machines cannot reach: Debian's ffmpeg (with libvpx, the VP8 encoder it asks for) is
// put where Playwright looks for its own.
if (wantBrowser) {
  if (!existsSync("/usr/bin/ffmpeg") && (asRoot || canSudo())) {
    console.log("[setup] installing Debian's ffmpeg (Playwright's videos)");
    const sudo = asRoot ? "" : "sudo ";
    run(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg`);
  }
  linkPlaywrightFfmpeg();
}

function linkPlaywrightFfmpeg() {
  if (!existsSync("/usr/bin/ffmpeg")) return;
  const core = join(root, "node_modules", ".pnpm");
  const versions = existsSync(core)
    ? readdirSync(core).filter((name) => name.startsWith("playwright-core@"))
    : [];
  for (const version of versions) {
    const manifest = join(core, version, "node_modules", "playwright-core", "browsers.json");
    if (!existsSync(manifest)) continue;
    const ffmpeg = JSON.parse(readFileSync(manifest, "utf8")).browsers.find((b) => b.name === "ffmpeg");
    if (!ffmpeg) continue;
    const cache = process.env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), ".cache", "ms-playwright");
    const target = join(cache, `ffmpeg-${ffmpeg.revision}`, "ffmpeg-linux");
    if (existsSync(target)) continue;
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync("/usr/bin/ffmpeg", target);
  }
}
