import type { KeySource, ModelProvider, SessionStatus } from "@studio/core";
import type { Db } from "@studio/db";

/** What a runner needs to know about its session row. */
export interface SessionRow {
  id: string;
  status: SessionStatus;
  provider: ModelProvider;
  model: string;
  /** Where model calls go (the provider, or OpenRouter), decided when the session was created. */
  upstreamProvider: SessionRow["provider"];
  upstreamModel: string;
  keySource: KeySource;
  organizationId: string;
  sandboxId: string | null;
  agentSessionId: string | null;
  acpServerId: string | null;
  agentEventCursor: string | null;
  currentTurnId: string | null;
}

export function loadSessionRow(db: Db, sessionId: string): Promise<SessionRow | null> {
  return db.studioSession.findUnique({
    where: { id: sessionId },
    select: {
      id: true,
      status: true,
      provider: true,
      model: true,
      upstreamProvider: true,
      upstreamModel: true,
      keySource: true,
      organizationId: true,
      sandboxId: true,
      agentSessionId: true,
      acpServerId: true,
      agentEventCursor: true,
      currentTurnId: true,
    },
  });
}
