import type { ProvisioningStep } from "./types.ts";

export class SandboxNotFoundError extends Error {
  override readonly name = "SandboxNotFoundError";
  constructor(readonly sandboxId: string) {
    super(`sandbox ${sandboxId} not found`);
  }
}

/** The sandbox exists but its agent server is not running: `resume` it. */
export class SandboxNotRunningError extends Error {
  override readonly name = "SandboxNotRunningError";
  constructor(readonly sandboxId: string) {
    super(`sandbox ${sandboxId} has no running agent server`);
  }
}

/** The provider was shut down (the studio is stopping): no sandbox of it starts again. */
export class SandboxProviderShutDownError extends Error {
  override readonly name = "SandboxProviderShutDownError";
  constructor() {
    super("the sandbox provider has shut down: no sandbox starts after that");
  }
}

/** Reports a provisioning step around `run`, including its failure. */
export async function step<T>(
  onStep: ((step: ProvisioningStep) => void) | undefined,
  name: string,
  label: string,
  run: () => Promise<T> | T,
): Promise<T> {
  onStep?.({ step: name, label, state: "started" });
  try {
    const result = await run();
    onStep?.({ step: name, label, state: "completed" });
    return result;
  } catch (error) {
    onStep?.({ step: name, label, state: "failed", detail: (error as Error).message });
    throw error;
  }
}
