// The JavaScript a first visit downloads before anything renders: the entry script in the built
// index.html and the chunks it preloads, gzipped. Lazy chunks (the session page) are listed apart.
// Exits non-zero above the budget. Usage: node scripts/bundle-size.mjs [--json]
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 250;
const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist");
const html = readFileSync(path.join(dist, "index.html"), "utf8");
const initial = [
  ...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/?([^"]+\.js)"/g),
].map((match) => match[1]);
const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length / 1024;
const all = readdirSync(path.join(dist, "assets"))
  .filter((name) => name.endsWith(".js"))
  .map((name) => `assets/${name}`);
const initialKb = initial.reduce((sum, file) => sum + gz(file), 0);
const lazy = all.filter((file) => !initial.includes(file)).map((file) => ({ file, kb: gz(file) }));
const result = { initialKb: Number(initialKb.toFixed(1)), budgetKb: BUDGET_KB, initial, lazy };
if (process.argv.includes("--json")) console.log(JSON.stringify(result));
else {
  console.log(`initial JS: ${result.initialKb} KB gzipped (budget ${BUDGET_KB} KB)`);
  for (const chunk of lazy) console.log(`  lazy ${chunk.file}: ${chunk.kb.toFixed(1)} KB gzipped`);
}
if (initialKb > BUDGET_KB) process.exitCode = 1;
