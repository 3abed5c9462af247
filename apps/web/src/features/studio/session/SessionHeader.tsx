import {
  Bot,
  Box,
  CircleDollarSign,
  Coins,
  Cpu,
  FlaskConical,
  KeyRound,
  PanelRight,
  Play,
  Rocket,
  Square,
  SquareTerminal,
} from "lucide-react";
import type { ReactNode } from "react";
import { Badge } from "../../../components/ui/Badge.tsx";
import { Button } from "../../../components/ui/Button.tsx";
import { cn } from "../../../lib/cn.ts";
import type { RouterOutputs } from "../../../lib/trpc.ts";
import { agentName, type Catalog, modelName, providerName } from "../config/model-choice.ts";
import {
  formatCredits,
  formatTokens,
  isLiveStatus,
  keySourceDescription,
  keySourceLabel,
  paysWithCredits,
  statusLabels,
  statusTones,
} from "../session-status.ts";
import type { ChatState, SessionStatus } from "./chat/chat-types.ts";
import { SessionSourceBadges } from "./SessionSourceBadges.tsx";
import { TakeAwayMenu } from "./TakeAwayMenu.tsx";
import type { Connection } from "./use-session-events.ts";

type Session = RouterOutputs["sessions"]["get"];

/** The larger of a row's running total and the log's latest (absent before a metered call). */
const larger = (row: bigint, live: number | undefined) =>
  live !== undefined && BigInt(live) > row ? BigInt(live) : row;

/** The metered total when the studio has one, else what the agent reported turn by turn. */
const maxOf = (metered: bigint, reported: number) => (metered > BigInt(reported) ? metered : reported);

/** Which key pays, and (rarely) that the keys sit inside the sandbox rather than behind the gateway. */
function KeySourceBadges({ session, provider }: { session: Session; provider: string }) {
  const credits = paysWithCredits(session.keySource, session.upstreamProvider);
  return (
    <>
      <li>
        <Badge tone={session.keySource === "platform" ? "neutral" : "success"} className="key-source">
          {credits ? (
            <Coins className="size-3" aria-hidden="true" />
          ) : (
            <KeyRound className="size-3" aria-hidden="true" />
          )}
          <span className="sr-only">Paid with: </span>
          <span title={keySourceDescription(session.keySource, session.upstreamProvider, provider)}>
            {keySourceLabel(session.keySource, session.upstreamProvider)}
          </span>
        </Badge>
      </li>
      {session.keyDelivery === "environment" ? (
        <li>
          <Badge tone="warning">
            <Box className="size-3" aria-hidden="true" />
            <span title="The provider key is an environment variable inside this session's sandbox.">
              Keys in sandbox
            </span>
          </Badge>
        </li>
      ) : null}
    </>
  );
}

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
          connection === "live" ? "bg-success-soft-fg" : "motion-safe:animate-pulse bg-warning-soft-fg",
        )}
      />
      {connectionText[connection]}
    </span>
  );
}

function Counter({
  icon,
  label,
  children,
  tone,
}: {
  icon: ReactNode;
  label: string;
  children: ReactNode;
  tone?: "danger" | undefined;
}) {
  return (
    <span className="inline-flex items-center gap-1 text-xs text-fg-muted [&>svg]:size-3.5" title={label}>
      {icon}
      <span className="sr-only">{label}: </span>
      <span className={cn("font-mono tabular-nums", tone === "danger" ? "text-danger-soft-fg" : "text-fg")}>
        {children}
      </span>
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
  workspaceOpen,
  onToggleWorkspace,
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
  /** The desktop workspace panel's toggle (below 768 px the workspace is a tab instead). */
  workspaceOpen?: boolean;
  onToggleWorkspace?: () => void;
}) {
  const live = isLiveStatus(status);
  const context = state.context;
  // The row is refetched now and then, the log is live: whichever is further along.
  const metered = state.metered;
  const cost = larger(session.totalCostMicroUsd, metered?.costMicroUsd);
  const charged = larger(session.totalCreditsConsumed, metered?.chargedMicroUsd);
  const inputTokens = larger(session.totalInputTokens, metered?.inputTokens);
  const outputTokens = larger(session.totalOutputTokens, metered?.outputTokens);
  const overBudget = session.budgetMicroUsd !== null && cost >= session.budgetMicroUsd;
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
        {onToggleWorkspace ? (
          <Button
            size="sm"
            variant={workspaceOpen ? "secondary" : "ghost"}
            icon={<PanelRight />}
            aria-pressed={workspaceOpen === true}
            aria-label="Workspace panel"
            title={workspaceOpen ? "Hide the workspace panel" : "Show the workspace panel"}
            onClick={onToggleWorkspace}
            className="workspace-toggle max-md:hidden"
          >
            <span className="hidden lg:inline" aria-hidden="true">
              Workspace
            </span>
          </Button>
        ) : null}
        <TakeAwayMenu
          sessionId={session.id}
          live={live}
          canPush={session.source.kind === "git"}
          workBranch={session.workBranch}
          onResume={onResume}
        />
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
            <Badge className="session-agent">
              <SquareTerminal className="size-3" aria-hidden="true" />
              <span className="sr-only">Agent: </span>
              {agentName(catalog, session.agent)}
            </Badge>
          </li>
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
          <KeySourceBadges session={session} provider={providerName(catalog, session.provider)} />
          <SessionSourceBadges session={session} />
        </ul>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 sm:ml-auto">
          <Counter icon={null} label="Tokens in and out">
            {formatTokens(maxOf(inputTokens, state.tokens.input))} in ·{" "}
            {formatTokens(maxOf(outputTokens, state.tokens.output))} out
          </Counter>
          <Counter
            icon={<CircleDollarSign aria-hidden="true" />}
            label={session.budgetMicroUsd === null ? "Cost" : "Cost of budget"}
            tone={overBudget ? "danger" : undefined}
          >
            <span data-testid="session-cost">{formatCredits(cost)}</span>
            {session.budgetMicroUsd === null ? null : ` / ${formatCredits(session.budgetMicroUsd)}`}
          </Counter>
          {paysWithCredits(session.keySource, session.upstreamProvider) ? (
            <Counter icon={<Coins aria-hidden="true" />} label="Credits used">
              {formatCredits(charged)}
            </Counter>
          ) : null}
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
