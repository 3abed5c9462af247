// What a shutdown needs to finish when the signal that started it reached more than the studio.
// Playwright, Ctrl-C and systemd signal the whole process group (or cgroup): the shell and pnpm the
// studio runs under end at once, taking the reader of its output with them, and the embedded
// PostgreSQL starts its own shutdown and refuses new connections. The sandboxes are only ended by
// the studio, so its shutdown must get that far whatever else has gone.
import type { Logger } from "@studio/models";

/**
 * Writes to stdout or stderr after their reader has gone fail with EPIPE (EIO for a closed
 * terminal), emitted as an `error` event that, unhandled, would end the process in the middle of its
 * shutdown. Output is only informative and there is nowhere left to report the failure: drop it.
 * (`console` already ignores these errors and pino's destination stops writing on EPIPE; this covers
 * any other writer.)
 */
export function ignoreLostOutput(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
}

/**
 * Runs one shutdown step and waits for it at most `ms`. A step that fails or takes longer (waiting
 * on a database that is going away, say) is logged and left behind, never thrown: the steps after
 * it, above all ending the sandboxes, must still run.
 */
export async function settleWithin(
  logger: Logger,
  step: string,
  work: () => Promise<unknown>,
  ms: number,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), ms);
  });
  try {
    const outcome = await Promise.race([work().then(() => "done" as const), late]);
    if (outcome === "late") logger.warn({ step, waitedMs: ms }, "shutdown step did not finish in time");
    return outcome === "done";
  } catch (error) {
    logger.warn(
      { step, err: error instanceof Error ? error.message : String(error) },
      "shutdown step failed",
    );
    return false;
  } finally {
    clearTimeout(timer);
  }
}
