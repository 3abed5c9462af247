// Git's `--progress` output, e.g. `Receiving objects:  45% (450/1000), 1.20 MiB | 2.00 MiB/s`,
// each update ended by `\r` and the last by `, done.\n`. Only the transfer is reported: "Receiving
// objects" (index-pack) or, for small fetches (under fetch.unpackLimit, 100 objects), "Unpacking
// objects" (unpack-objects): the phase that takes the time and the only one with a byte count.
import type { StepProgress } from "../types.ts";

const UNITS: Record<string, number> = { bytes: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };
const RECEIVING =
  /(?:Receiving|Unpacking) objects:\s+(\d{1,3})% \((\d+)\/(\d+)\)(?:,\s+(\d+(?:\.\d+)?) (bytes|KiB|MiB|GiB|TiB))?/g;

/** The last "Receiving objects" (or "Unpacking objects") update in `text` (any number of `\r`/`\n`-separated lines), or null. */
export function parseGitProgress(text: string): StepProgress | null {
  let last: StepProgress | null = null;
  for (const match of text.matchAll(RECEIVING)) {
    const [, percent, done, total, amount, unit] = match;
    last = {
      percent: Math.min(100, Number(percent)),
      done: Number(done),
      total: Number(total),
      bytes: amount && unit ? Math.round(Number(amount) * (UNITS[unit] ?? 1)) : null,
    };
  }
  return last;
}

/**
 * Feeds git's stderr as it arrives and calls `report` with the newest progress at most once per
 * `intervalMs` (and once more at `flush`, so the final state is always reported). A line split
 * across two chunks is kept until its end arrives.
 */
export function progressReporter(report: (progress: StepProgress) => void, intervalMs = 300) {
  let pending = "";
  let latest: StepProgress | null = null;
  let reported: StepProgress | null = null;
  let lastAt = 0;
  const emit = () => {
    if (latest && latest !== reported) {
      reported = latest;
      lastAt = Date.now();
      report(latest);
    }
  };
  return {
    write(chunk: string) {
      const text = pending + chunk;
      const cut = Math.max(text.lastIndexOf("\r"), text.lastIndexOf("\n"));
      pending = text.slice(cut + 1).slice(-4096);
      latest = parseGitProgress(text.slice(0, cut + 1)) ?? latest;
      if (Date.now() - lastAt >= intervalMs) emit();
    },
    flush() {
      latest = parseGitProgress(pending) ?? latest;
      pending = "";
      emit();
    },
  };
}
