// Test support: throwaway studio data directories. One holds sandboxes, workspaces and often an
// embedded PostgreSQL, well over 100 MB a run, so each goes after the file's tests, pass or fail,
// with whatever still runs inside it (a studio, its sandboxes) killed first.
import { useTempDirs } from "@studio/testkit/vitest/temp-dirs";
import { killProcessesUnder } from "./processes.ts";

/** Call at the top of a test file, before its own hooks (see `useTempDirs`). */
export const useDataDirs = (): ((prefix: string) => string) => useTempDirs(killProcessesUnder);
