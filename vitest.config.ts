import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** What a file that starts real studios, sandboxes, agents or CLI processes calls: those take minutes. */
const STARTS_PROCESSES =
  /useLiveStudio\(|start(StudioProcess|StudioGroup|InertStudio|EmbeddedPostgres|SandboxAgent|CuttablePostgres|Claude)\(|useLocalSandbox(es|Providers)\(|startOpencodeServer\(|new LocalSandboxProvider\(|\bexecFile\b/;

/**
 * The base order (each project's files longest first when an earlier run's durations are cached,
 * else largest first), with the files that start processes ahead of the rest of their project.
 * Without a cache (a fresh CI checkout) file size says little: a short file that starts five
 * studios would start last, and the run would end with one worker on it and the others idle.
 */
class ProcessesFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const projectRank = new Map<string, number>();
    for (const spec of sorted)
      if (!projectRank.has(spec.project.name)) projectRank.set(spec.project.name, projectRank.size);
    const startsProcesses = (spec: TestSpecification) => {
      try {
        return STARTS_PROCESSES.test(readFileSync(spec.moduleId, "utf8"));
      } catch {
        return false;
      }
    };
    const rank = new Map(
      sorted.map((spec) => [spec, projectRank.get(spec.project.name)! * 2 + (startsProcesses(spec) ? 0 : 1)]),
    );
    // Array.prototype.sort is stable: within each rank the base order stays.
    return [...sorted].sort((a, b) => rank.get(a)! - rank.get(b)!);
  }
}

// Unit tests (`*.test.ts`) run without any service. Integration tests (`*.int.test.ts`) get one
// real PostgreSQL for the run, started by the global setup; each file clones a migrated database.
export default defineConfig({
  test: {
    sequence: { sequencer: ProcessesFirstSequencer },
    projects: [
      {
        test: {
          name: "unit",
          include: ["{apps,packages}/*/src/**/*.test.{ts,tsx}"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
          // Vitest's default leaves a core free (one worker on two cores): 65 s against 43 s here.
          maxWorkers: availableParallelism(),
        },
      },
      {
        test: {
          name: "integration",
          include: ["{apps,packages}/*/src/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["packages/testkit/src/vitest/global-setup.ts"],
          // Real agents, studios and clusters starting, and waits on them: one file more than there
          // are cores keeps the cores busy while a file waits (two cores: 753 s with two workers, 665 s
          // with three, the machine 96 % busy; more would only queue for the same cores).
          maxWorkers: availableParallelism() + 1,
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Real processes on a shared, loaded machine: a second (the default) is no time to wait for
          // something another process does. A poll that waits longer says so itself.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
