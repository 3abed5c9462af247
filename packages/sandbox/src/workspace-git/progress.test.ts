import { describe, expect, it } from "vitest";
import { parseGitProgress, progressReporter } from "./progress.ts";

describe("parseGitProgress", () => {
  it("reads percent, objects and bytes of the newest update", () => {
    const text =
      "remote: Enumerating objects: 1000, done.\n" +
      "Receiving objects:  12% (120/1000)\r" +
      "Receiving objects:  45% (450/1000), 1.20 MiB | 2.00 MiB/s\r";
    expect(parseGitProgress(text)).toEqual({
      percent: 45,
      done: 450,
      total: 1000,
      bytes: Math.round(1.2 * 1024 ** 2),
    });
  });

  it("reads the final line, in bytes and KiB", () => {
    expect(parseGitProgress("Receiving objects: 100% (5/5), 512 bytes | 512.00 KiB/s, done.\n")).toEqual({
      percent: 100,
      done: 5,
      total: 5,
      bytes: 512,
    });
    expect(parseGitProgress("Receiving objects: 100% (12/12), 3.50 KiB | 1 MiB/s, done.")?.bytes).toBe(3584);
  });

  it("reads unpack-objects' progress, which small fetches show instead", () => {
    expect(parseGitProgress("Unpacking objects: 100% (9/9), 730 bytes | 730.00 KiB/s, done.\n")).toEqual({
      percent: 100,
      done: 9,
      total: 9,
      bytes: 730,
    });
  });

  it("has no byte count when git shows none, and ignores other phases and noise", () => {
    expect(parseGitProgress("Receiving objects:  50% (1/2)\r")).toEqual({
      percent: 50,
      done: 1,
      total: 2,
      bytes: null,
    });
    expect(parseGitProgress("Resolving deltas:  50% (1/2)\rremote: Counting objects: 3\n")).toBeNull();
    expect(parseGitProgress("Receiving objects: lots\nfatal: nope")).toBeNull();
    expect(parseGitProgress("")).toBeNull();
  });
});

describe("progressReporter", () => {
  it("joins a line split across chunks and always reports the final state on flush", () => {
    const seen: (number | null)[] = [];
    const reporter = progressReporter((progress) => seen.push(progress.percent), 60_000);
    reporter.write("Receiving objects:  10% (1/10)\rReceiving obj");
    reporter.write("ects:  60% (6/10)\rReceiving objects: 100% (10/10), done.");
    reporter.flush();
    // The first write reports at once; the rest waits for the interval, except the final flush.
    expect(seen).toEqual([10, 100]);
  });

  it("reports nothing when git printed no progress", () => {
    const seen: unknown[] = [];
    const reporter = progressReporter((progress) => seen.push(progress));
    reporter.write("fatal: couldn't find remote ref refs/heads/nope\n");
    reporter.flush();
    expect(seen).toEqual([]);
  });
});
