// Connecting a session to its agent: a sandbox (new, resumed or re-attached), an ACP server inside
// it, and an ACP session (new or loaded). Each step is reported as a `provisioning` event.
import { AcpClient, AcpHttpError, AcpRpcError, AcpTimeoutError, AgentExitedError } from "@studio/acp";
import type { StudioEvent } from "@studio/acp/events";
import { newId } from "@studio/core";
import type { Logger } from "@studio/models";
import { DEFAULT_AGENT, type KnownAgent } from "@studio/models/lists";
import type { ProvisioningStep, SandboxHandle, SandboxProvider, WorkspaceFile } from "@studio/sandbox";

export interface AgentConnection {
  sandbox: SandboxHandle;
  client: AcpClient;
  acpServerId: string;
  agentSessionId: string;
  agent: KnownAgent;
  /**
   * Asked to load a conversation the agent cannot load (no ACP `session/load`): this is a new agent
   * session, and the next prompt carries the conversation rebuilt from the log (memory-rebuild.ts).
   */
  memoryRebuilt: boolean;
}

/**
 * How long the agent's start may take before it is tried again, then failed. Without these the
 * requests inherited the ACP client's 5-minute default (and their POSTs undici's 300 s header
 * timeout), so a start that was stuck failed only after five minutes. A start takes 2-3 s on an
 * idle 2-core machine; on the same machine with a load average of 20 (others' work at full
 * priority, the sandbox at niceness 10) one start alone took 34 s for `initialize` and 20 s for
 * `session/new`. The provisioning queue keeps starts from sharing the CPU among themselves, so
 * that is about the worst a start that is slow, not stuck, takes: these allow it with a margin.
 */
export const AGENT_START_TIMEOUTS = {
  /** `initialize` spawns OpenCode, most of a start's cost. */
  initializeMs: 90_000,
  /** `session/new` loads the project's configuration and tools in OpenCode. */
  newSessionMs: 90_000,
  /** `session/load` also replays the whole conversation: it grows with the history. */
  loadSessionMs: 180_000,
  /** A re-attach's `session/set_mode`: a running agent answers it at once, even mid-turn. */
  reattachMs: 30_000,
};

export interface ConnectOptions {
  provider: SandboxProvider;
  sessionId: string;
  logger: Logger;
  report: (event: StudioEvent) => void;
  /**
   * Called with the client (and the sandbox it talks to) before any ACP request, so its stream has
   * its consumer from the start.
   */
  onClient: (client: AcpClient, sandbox: SandboxHandle) => void;
  /** The runner is going away: stop creating the sandbox, and close the agent's client. */
  signal?: AbortSignal;
  /** Tests shorten them; see AGENT_START_TIMEOUTS. */
  timeouts?: Partial<typeof AGENT_START_TIMEOUTS>;
  /** The session's agent, named to sandbox-agent when the ACP server starts; OpenCode when absent. */
  agent?: KnownAgent;
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

/**
 * Runs one named step, reporting started / completed / failed. A step that will be tried again
 * (`retrying`) is not reported failed: it stays under way, its detail saying why it starts over.
 */
export async function step<T>(
  report: ConnectOptions["report"],
  id: string,
  label: string,
  run: () => Promise<T>,
  retrying: (error: unknown) => boolean = () => false,
): Promise<T> {
  report({ type: "provisioning", step: id, label, state: "started", detail: null });
  try {
    const result = await run();
    report({ type: "provisioning", step: id, label, state: "completed", detail: null });
    return result;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (retrying(error)) {
      report({ type: "provisioning", step: id, label, state: "started", detail: `${detail}; trying again` });
      throw error;
    }
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
  /** A runner going away ends an agent it started ("close"); one it re-attached to may be another
   * runner's by now (the lease taken over), so it only lets go of that one ("detach"). */
  onAbort: "close" | "detach",
) {
  const client = new AcpClient({
    baseUrl: sandbox.agentUrl,
    token: sandbox.agentToken,
    ...(sandbox.agentFetch ? { fetch: sandbox.agentFetch } : {}),
    serverId: acpServerId,
    lastEventId,
    logger: options.logger,
    ...(options.agent ? { agent: options.agent } : {}),
  });
  options.onClient(client, sandbox);
  const letGo = () => void (onAbort === "close" ? client.close() : client.detach()).catch(() => {});
  if (options.signal?.aborted) letGo();
  else options.signal?.addEventListener("abort", letGo, { once: true });
  return client;
}

/** A brand-new sandbox and ACP session. */
export async function provisionAgent(
  options: ConnectOptions,
  workspace: { files: WorkspaceFile[]; env: Record<string, string> },
  /** Fills the new workspace (a clone, an upload, a first commit) before the agent starts in it. */
  prepareWorkspace?: (sandbox: SandboxHandle) => Promise<void>,
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
    // Before the agent starts: it reads the project's own AGENTS.md and opencode.json at start.
    await prepareWorkspace?.(sandbox);
    return await startAgentSession(options, sandbox, null);
  } catch (error) {
    // Nothing refers to this sandbox yet, so nothing else would ever end it.
    await provider.destroy(sandbox.id).catch(() => {});
    throw error;
  }
}

/**
 * An ACP server in an existing sandbox: a new session, or `session/load` of an existing one. A
 * start that does not answer in time is tried once more with a new agent process (and a new
 * sandbox-agent if its own server stopped answering) before the session fails.
 */
export async function startAgentSession(
  options: ConnectOptions,
  sandbox: SandboxHandle,
  loadSessionId: string | null,
  onLoading?: (loading: boolean) => void,
): Promise<AgentConnection> {
  try {
    return await attemptAgentSession(options, sandbox, loadSessionId, onLoading, true);
  } catch (error) {
    if (!(error instanceof AcpTimeoutError) || options.signal?.aborted) throw error;
    options.logger.warn(
      { sessionId: options.sessionId, err: error.message },
      "the agent's start got no answer; trying again",
    );
    let retryIn = sandbox;
    if (!(await options.provider.health(sandbox.id).catch(() => false)))
      retryIn = await step(options.report, "agent.server", "Restarting the sandbox's agent server", () =>
        options.provider.restartAgentServer(sandbox.id),
      );
    return attemptAgentSession(options, retryIn, loadSessionId, onLoading, false);
  }
}

async function attemptAgentSession(
  options: ConnectOptions,
  sandbox: SandboxHandle,
  loadSessionId: string | null,
  onLoading: ((loading: boolean) => void) | undefined,
  mayRetry: boolean,
): Promise<AgentConnection> {
  const timeouts = { ...AGENT_START_TIMEOUTS, ...options.timeouts };
  const retrying = (error: unknown) =>
    mayRetry && error instanceof AcpTimeoutError && !options.signal?.aborted;
  const acpServerId = `studio-${newId()}`;
  const client = openClient(options, sandbox, acpServerId, null, "close");
  try {
    const initialized = await step(
      options.report,
      "agent",
      "Starting the agent",
      () => client.initialize({ timeoutMs: timeouts.initializeMs }),
      retrying,
    );
    // What the agent says it can do decides, not what the studio expects of it.
    const canLoad = initialized.agentCapabilities?.loadSession === true;
    let loaded = false;
    if (loadSessionId && canLoad) {
      onLoading?.(true);
      try {
        loaded = await step(
          options.report,
          "session",
          "Restoring the conversation",
          async () => {
            try {
              await client.loadSession(loadSessionId, sandbox.workspaceDir, [], {
                timeoutMs: timeouts.loadSessionMs,
              });
              return true;
            } catch (error) {
              // The agent answered that it cannot (its own record of the conversation is gone or
              // unreadable): the conversation is rebuilt from the studio's log instead.
              if (!(error instanceof AcpRpcError)) throw error;
              options.logger.warn({ err: error.message }, "the agent could not load its conversation");
              return false;
            }
          },
          retrying,
        );
      } finally {
        onLoading?.(false);
      }
    }
    let agentSessionId = loadSessionId;
    if (!loaded) {
      const created = await step(
        options.report,
        "session",
        "Opening an agent session",
        () => client.newSession(sandbox.workspaceDir, [], { timeoutMs: timeouts.newSessionMs }),
        retrying,
      );
      agentSessionId = created.sessionId;
    }
    return {
      sandbox,
      client,
      acpServerId,
      agentSessionId: agentSessionId!,
      agent: options.agent ?? DEFAULT_AGENT,
      memoryRebuilt: loadSessionId !== null && !loaded,
    };
  } catch (error) {
    // Closing ends the agent process too: a stuck one does not linger beside the retry's.
    await client.close().catch(() => {});
    throw error;
  }
}

const LIVENESS_PROBE_MODE = "studio-liveness-probe";

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
  const client = openClient(options, sandbox, acpServerId, cursor, "detach");
  try {
    client.start();
    // A cheap request proves the ACP server still knows this id (404 when the agent is gone). The
    // mode id is one no agent has: any agent answers at once, even mid-turn, and changes nothing;
    // its JSON-RPC error is the agent process answering.
    await client
      .setMode(agentSessionId, LIVENESS_PROBE_MODE, {
        timeoutMs: options.timeouts?.reattachMs ?? AGENT_START_TIMEOUTS.reattachMs,
      })
      .catch((error: unknown) => {
        if (!(error instanceof AcpRpcError)) throw error;
      });
    return {
      sandbox,
      client,
      acpServerId,
      agentSessionId,
      agent: options.agent ?? DEFAULT_AGENT,
      memoryRebuilt: false,
    };
  } catch (error) {
    await client.close().catch(() => {});
    if (error instanceof AcpHttpError || error instanceof AgentExitedError) return null;
    options.logger.warn({ err: (error as Error).message }, "re-attach failed");
    return null;
  }
}
