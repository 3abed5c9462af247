// Connecting a session to its agent: a sandbox (new, resumed or re-attached), an ACP server inside
// it, and an ACP session (new or loaded). Each step is reported as a `provisioning` event.
import { AcpClient, AcpHttpError } from "@studio/acp";
import type { StudioEvent } from "@studio/acp/events";
import { newId } from "@studio/core";
import type { ProvisioningStep, SandboxHandle, SandboxProvider, WorkspaceFile } from "@studio/sandbox";
import type { RunnerLogger } from "./logger.ts";

export interface AgentConnection {
  sandbox: SandboxHandle;
  client: AcpClient;
  acpServerId: string;
  agentSessionId: string;
}

export interface ConnectOptions {
  provider: SandboxProvider;
  sessionId: string;
  logger: RunnerLogger;
  report: (event: StudioEvent) => void;
  /**
   * Called with the client (and the sandbox it talks to) before any ACP request, so its stream has
   * its consumer from the start.
   */
  onClient: (client: AcpClient, sandbox: SandboxHandle) => void;
  /** The runner is going away: stop creating the sandbox, and close the agent's client. */
  signal?: AbortSignal;
}

export class ProvisioningError extends Error {
  override name = "ProvisioningError";
  constructor(
    readonly step: string,
    readonly label: string,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** Runs one named step, reporting started / completed / failed. */
async function step<T>(
  report: ConnectOptions["report"],
  id: string,
  label: string,
  run: () => Promise<T>,
): Promise<T> {
  report({ type: "provisioning", step: id, label, state: "started", detail: null });
  try {
    const result = await run();
    report({ type: "provisioning", step: id, label, state: "completed", detail: null });
    return result;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    report({ type: "provisioning", step: id, label, state: "failed", detail });
    throw new ProvisioningError(id, label, error);
  }
}

function sandboxStepReporter(report: ConnectOptions["report"]) {
  return (progress: ProvisioningStep) =>
    report({
      type: "provisioning",
      step: `sandbox.${progress.step}`,
      label: progress.label,
      state: progress.state,
      detail: progress.detail ?? null,
    });
}

function openClient(
  options: ConnectOptions,
  sandbox: SandboxHandle,
  acpServerId: string,
  lastEventId: string | null,
) {
  const client = new AcpClient({
    baseUrl: sandbox.agentUrl,
    token: sandbox.agentToken,
    ...(sandbox.agentFetch ? { fetch: sandbox.agentFetch } : {}),
    serverId: acpServerId,
    lastEventId,
    logger: options.logger,
  });
  options.onClient(client, sandbox);
  const close = () => void client.close().catch(() => {});
  if (options.signal?.aborted) close();
  else options.signal?.addEventListener("abort", close, { once: true });
  return client;
}

/** A brand-new sandbox and ACP session. */
export async function provisionAgent(
  options: ConnectOptions,
  workspace: { files: WorkspaceFile[]; env: Record<string, string> },
): Promise<AgentConnection> {
  const { report, provider } = options;
  const sandbox = await step(report, "sandbox", "Creating the sandbox", () =>
    provider.create({
      sessionId: options.sessionId,
      env: workspace.env,
      files: workspace.files,
      onStep: sandboxStepReporter(report),
      ...(options.signal ? { signal: options.signal } : {}),
    }),
  );
  try {
    return await startAgentSession(options, sandbox, null);
  } catch (error) {
    // Nothing refers to this sandbox yet, so nothing else would ever end it.
    await provider.destroy(sandbox.id).catch(() => {});
    throw error;
  }
}

/** An ACP server in an existing sandbox: a new session, or `session/load` of an existing one. */
export async function startAgentSession(
  options: ConnectOptions,
  sandbox: SandboxHandle,
  loadSessionId: string | null,
  onLoading?: (loading: boolean) => void,
): Promise<AgentConnection> {
  const acpServerId = `studio-${newId()}`;
  const client = openClient(options, sandbox, acpServerId, null);
  try {
    await step(options.report, "agent", "Starting the agent", () => client.initialize());
    let agentSessionId = loadSessionId;
    if (loadSessionId) {
      onLoading?.(true);
      try {
        await step(options.report, "session", "Restoring the conversation", () =>
          client.loadSession(loadSessionId, sandbox.workspaceDir),
        );
      } finally {
        onLoading?.(false);
      }
    } else {
      const created = await step(options.report, "session", "Opening an agent session", () =>
        client.newSession(sandbox.workspaceDir),
      );
      agentSessionId = created.sessionId;
    }
    return { sandbox, client, acpServerId, agentSessionId: agentSessionId! };
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
}

/**
 * Re-attaches to a running agent after a takeover or restart: the same ACP server, resuming its
 * stream after the last stored event. Null when the server is gone (its agent restarted).
 */
export async function reattachAgent(
  options: ConnectOptions,
  sandbox: SandboxHandle,
  acpServerId: string,
  agentSessionId: string,
  cursor: string | null,
): Promise<AgentConnection | null> {
  const client = openClient(options, sandbox, acpServerId, cursor);
  try {
    client.start();
    // A cheap request proves the ACP server still knows this id (404 when the agent is gone).
    await client.setMode(agentSessionId, "build");
    return { sandbox, client, acpServerId, agentSessionId };
  } catch (error) {
    await client.close().catch(() => {});
    if (error instanceof AcpHttpError || (error as Error).name === "AgentExitedError") return null;
    options.logger.warn({ err: (error as Error).message }, "re-attach failed");
    return null;
  }
}
