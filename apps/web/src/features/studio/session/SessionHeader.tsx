import { Bot, Coins, Cpu, FlaskConical, Play, Rocket, Square } from "lucide-react";
import type { ReactNode } from "react";
import { Badge } from "../../../components/ui/Badge.tsx";
import { Button } from "../../../components/ui/Button.tsx";
import { cn } from "../../../lib/cn.ts";
import type { RouterOutputs } from "../../../lib/trpc.ts";
import type { ChatState, SessionStatus } from "../chat/chat-types.ts";
import { type Catalog, modelName, providerName } from "../config/model-choice.ts";
import { formatCredits, formatTokens, isLiveStatus, statusLabels, statusTones } from "../session-status.ts";
import type { Connection } from "./use-session-events.ts";

type Session = RouterOutputs["sessions"]["get"];

/** The metered total when the studio has one, else what the agent reported turn by turn. */
const maxOf = (metered: bigint, reported: number) => (metered > BigInt(reported) ? metered : reported);

const connectionText: Record<Connection, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

function ConnectionIndicator({ connection }: { connection: Connection }) {
  return (
    <span
      role="status"
      aria-label={`Event stream: ${connectionText[connection]}`}
      data-connection={connection}
      className="connection-indicator inline-flex items-center gap-1.5 text-xs text-fg-muted"
    >
      <span
        aria-hidden="true"
        className={cn(
          "size-2 rounded-full",
          connection === "live" ? "bg-success-soft-fg" : "animate-pulse bg-warning-soft-fg",
        )}
      />
      {connectionText[connection]}
    </span>
  );
}

function Counter({ icon, label, children }: { icon: ReactNode; label: string; children: ReactNode }) {
  return (
    <span className="inline-flex items-center gap-1 text-xs text-fg-muted [&>svg]:size-3.5" title={label}>
      {icon}
      <span className="sr-only">{label}: </span>
      <span className="font-mono text-fg tabular-nums">{children}</span>
    </span>
  );
}

export function SessionHeader({
  session,
  catalog,
  status,
  state,
  connection,
  onStop,
  onResume,
  resuming,
  navigation,
}: {
  session: Session;
  catalog: Catalog | undefined;
  status: SessionStatus;
  state: ChatState;
  connection: Connection;
  onStop: () => void;
  onResume: () => void;
  resuming: boolean;
  navigation?: ReactNode;
}) {
  const live = isLiveStatus(status);
  const context = state.context;
  return (
    <header className="border-b border-line bg-canvas/90 px-3 py-2.5 backdrop-blur sm:px-6">
      <div className="flex items-center gap-2">
        {navigation}
        <div className="min-w-0 flex-1">
          <h1 className="truncate text-[15px] font-semibold text-fg">{session.title ?? "New session"}</h1>
        </div>
        <Badge tone={statusTones[status]} className="session-status">
          {statusLabels[status]}
        </Badge>
        {live ? (
          <Button size="sm" variant="danger-outline" icon={<Square />} onClick={onStop}>
            Stop
          </Button>
        ) : (
          <Button size="sm" variant="secondary" icon={<Play />} pending={resuming} onClick={onResume}>
            Resume
          </Button>
        )}
      </div>
      <div className="mt-1.5 flex flex-wrap items-center gap-x-3 gap-y-1.5">
        <ul aria-label="Session configuration" className="flex flex-wrap items-center gap-1.5">
          <li>
            <Badge>
              <Bot className="size-3" aria-hidden="true" />
              {providerName(catalog, session.provider)}
            </Badge>
          </li>
          <li>
            <Badge>
              <Cpu className="size-3" aria-hidden="true" />
              {modelName(catalog, session.provider, session.model)}
            </Badge>
          </li>
          <li>
            <Badge tone={session.environment === "production" ? "warning" : "neutral"}>
              {session.environment === "production" ? (
                <Rocket className="size-3" aria-hidden="true" />
              ) : (
                <FlaskConical className="size-3" aria-hidden="true" />
              )}
              {session.environment === "production" ? "Production" : "Development"}
            </Badge>
          </li>
        </ul>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 sm:ml-auto">
          <Counter icon={null} label="Tokens in and out">
            {formatTokens(maxOf(session.totalInputTokens, state.tokens.input))} in ·{" "}
            {formatTokens(maxOf(session.totalOutputTokens, state.tokens.output))} out
          </Counter>
          <Counter icon={<Coins aria-hidden="true" />} label="Credits used">
            {formatCredits(session.totalCreditsConsumed)}
          </Counter>
          {context?.contextSize ? (
            <Counter icon={null} label="Context window used">
              {Math.max(1, Math.round((context.usedTokens / context.contextSize) * 100))}% ctx
            </Counter>
          ) : null}
          <ConnectionIndicator connection={connection} />
        </div>
      </div>
    </header>
  );
}
