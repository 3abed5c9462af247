// The SPA's initial JavaScript, gzipped, measured on a fresh production build by the web app's
// own size script (issue 4's budget: 250 KB).
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..", "..", "..");

export interface BundleResult {
  initialKb: number;
  budgetKb: number;
  lazyKb: number;
}

export function benchBundle(): BundleResult {
  execFileSync("pnpm", ["--filter", "@studio/web", "build"], { cwd: root, stdio: "ignore" });
  const output = execFileSync("node", [path.join(root, "apps/web/scripts/bundle-size.mjs"), "--json"], {
    cwd: root,
    encoding: "utf8",
  });
  const result = JSON.parse(output) as { initialKb: number; budgetKb: number; lazy: Array<{ kb: number }> };
  const lazyKb = Math.round(result.lazy.reduce((sum, chunk) => sum + chunk.kb, 0) * 10) / 10;
  return { initialKb: result.initialKb, budgetKb: result.budgetKb, lazyKb };
}
