import type { KnownAgent, ModelProvider, ToolPolicy } from "@studio/models";
import type { WorkspaceFile } from "../types.ts";

/** The studio's model gateway as the sandbox reaches it, e.g. `http://127.0.0.1:3000/api/llm`. */
export interface GatewayTarget {
  baseUrl: string;
  /** Per-session gateway token; the only credential a sandbox ever holds in gateway mode. */
  token: string;
}

/** The coding agents the workspace generator can configure: every agent the studio knows. */
export type WorkspaceAgent = KnownAgent;

export interface BuildWorkspaceOptions {
  /** Which agent the sandbox runs; OpenCode when omitted. */
  agent?: WorkspaceAgent;
  provider: ModelProvider;
  model: string;
  /**
   * Gateway mode (the default design): every model call goes through the studio gateway with the
   * session token. `null` selects environment mode, for sandboxes that cannot reach the studio:
   * the provider key itself is put into the sandbox environment.
   */
  gateway: GatewayTarget | null;
  /** Environment mode only: the provider key (and optionally a different API base URL). Ignored in
   * gateway mode, so a caller may always pass the resolved key without it leaking. */
  directKey?: { apiKey: string; baseUrl?: string };
  /** Required for provider `custom` (Ollama, vLLM, LM Studio…). In gateway mode only the limits
   * are used: the gateway knows the endpoint and holds its key. */
  customEndpoint?: {
    baseUrl: string;
    apiKey?: string;
    /** Display name in OpenCode's model picker. */
    name?: string;
    contextLimit?: number;
    outputLimit?: number;
  };
  /** `ask`: bash and edit need a permission reply from the user; `allow`: they run unasked. */
  toolPermissions: ToolPolicy;
  /** The studio's agent instructions (outside the workspace); a short default when omitted. */
  instructions?: string;
}

export interface WorkspaceBundle {
  /** In the sandbox's agent directory (`@studio-agent/…`, placed by the provider: agent-dir.ts). */
  files: WorkspaceFile[];
  /** Values naming `@studio-agent` are placed too (OPENCODE_CONFIG, STUDIO_AGENT_DIR). */
  env: Record<string, string>;
}
