import { useMutation } from "@tanstack/react-query";
import { Check, ShieldAlert, ShieldCheck, ShieldX } from "lucide-react";
import { memo } from "react";
import { Button, type ButtonVariant } from "../../../../../components/ui/Button.tsx";
import { cn } from "../../../../../lib/cn.ts";
import { describeError } from "../../../../../lib/errors.ts";
import { useTRPC } from "../../../../../lib/trpc.ts";
import type { PermissionItem, PermissionOption } from "../chat-types.ts";
import { useChatContext } from "./chat-context.ts";
import { commandOf, toolIcon } from "./tool-display.ts";
import { ContentBlocks } from "./tool-parts.tsx";

const variants: Record<PermissionOption["kind"], ButtonVariant> = {
  allow_once: "primary",
  allow_always: "secondary",
  reject_once: "danger-outline",
  reject_always: "danger-outline",
};

function Decision({ item }: { item: PermissionItem }) {
  const { userId } = useChatContext();
  const resolution = item.resolution;
  if (!resolution) return null;
  if (resolution.optionId === null) {
    return (
      <p className="permission-decision text-[13px] text-fg-muted">
        No answer: the turn ended before anyone answered.
      </p>
    );
  }
  const option = item.options.find((candidate) => candidate.optionId === resolution.optionId);
  const allowed = resolution.optionKind?.startsWith("allow") ?? false;
  const who = resolution.answeredBy === userId ? "you" : "a teammate";
  const Icon = allowed ? ShieldCheck : ShieldX;
  return (
    <p
      className={cn(
        "permission-decision flex flex-wrap items-center gap-x-1.5 text-[13px] font-medium",
        allowed ? "text-success-soft-fg" : "text-danger-soft-fg",
      )}
    >
      <Icon className="size-4 shrink-0" aria-hidden="true" />
      {option?.name ?? (allowed ? "Allowed" : "Rejected")}
      <span className="font-normal text-fg-muted">· answered by {who}</span>
    </p>
  );
}

/**
 * The agent's own options as buttons while the request waits, then the decision. Waiting requests
 * come back with the replayed log, so they can still be answered after a reload.
 */
function Answer({ item }: { item: PermissionItem }) {
  const trpc = useTRPC();
  const { sessionId, live } = useChatContext();
  const respond = useMutation(trpc.sessions.respondToPermission.mutationOptions());
  const waiting = item.resolution === null;
  const error = respond.error ? describeError(respond.error).message : null;
  return (
    <>
      {waiting && live ? (
        <fieldset className="flex flex-wrap gap-2">
          <legend className="sr-only">Answer the permission request</legend>
          {item.options.map((option) => (
            <Button
              key={option.optionId}
              size="sm"
              variant={variants[option.kind]}
              pending={respond.isPending && respond.variables?.optionId === option.optionId}
              disabled={respond.isPending || respond.isSuccess}
              icon={option.kind.startsWith("allow") ? <Check /> : undefined}
              onClick={() =>
                respond.mutate({ sessionId, interactionId: item.interactionId, optionId: option.optionId })
              }
              // Agents name their options at any length (Codex: "Yes, and don't ask again for commands
              // that start with `…`"): a long one wraps inside the card instead of running out of it.
              className="h-auto! min-h-8 max-w-full py-1.5"
            >
              <span className="min-w-0 text-left break-words whitespace-normal">{option.name}</span>
            </Button>
          ))}
        </fieldset>
      ) : null}
      {waiting && !live ? <p className="text-[13px] text-fg-muted">Not answered.</p> : null}
      <Decision item={item} />
      {error ? (
        <p role="alert" className="text-[13px] text-danger-soft-fg">
          {error}
        </p>
      ) : null}
    </>
  );
}

/**
 * A permission request inside its tool call's card: the card above it already shows what the call
 * will do, so this part only asks (showing the request's own content when the card has none).
 */
export function ToolPermission({ item, showContent }: { item: PermissionItem; showContent: boolean }) {
  const waiting = item.resolution === null;
  return (
    <section
      aria-label={`Permission request: ${item.title}`}
      data-state={waiting ? "waiting" : "resolved"}
      className={cn(
        "permission-card space-y-2.5 rounded-lg border",
        waiting ? "border-warning-soft-fg/40 bg-warning-soft px-3 py-2.5" : "border-line px-3 py-2",
      )}
    >
      {waiting ? (
        <h3 className="flex items-center gap-1.5 text-[13px] font-semibold text-warning-soft-fg">
          <ShieldAlert className="size-4 shrink-0" aria-hidden="true" />
          The agent asks for permission to run this
        </h3>
      ) : null}
      {showContent && item.content.length > 0 ? (
        <ContentBlocks content={item.content} terminal={false} />
      ) : null}
      <Answer item={item} />
    </section>
  );
}

/** A permission request that names no tool call the conversation knows: a card of its own. */
export const PermissionCard = memo(function PermissionCard({ item }: { item: PermissionItem }) {
  const Icon = toolIcon(item.toolKind);
  const command = commandOf(item.rawInput);
  const waiting = item.resolution === null;
  return (
    <article
      aria-label={`Permission request: ${item.title}`}
      data-state={waiting ? "waiting" : "resolved"}
      className={cn(
        "permission-card rounded-xl border bg-surface shadow-soft",
        waiting ? "border-warning-soft-fg/40 ring-2 ring-warning-soft-fg/10" : "border-line",
      )}
    >
      <header className="flex items-start gap-2.5 px-3.5 pt-3">
        <span className="mt-0.5 flex size-7 shrink-0 items-center justify-center rounded-lg bg-warning-soft text-warning-soft-fg">
          <ShieldAlert className="size-4" aria-hidden="true" />
        </span>
        <div className="min-w-0 flex-1">
          <h3 className="text-[13px] font-semibold text-fg">
            {waiting ? "The agent asks for permission" : "Permission request"}
          </h3>
          <p className="mt-0.5 flex items-center gap-1.5 font-mono text-[12.5px] break-all text-fg-muted">
            <Icon className="size-3.5 shrink-0" aria-hidden="true" />
            {command ?? item.title}
          </p>
        </div>
      </header>
      <div className="space-y-3 px-3.5 pt-3 pb-3.5">
        {item.content.length > 0 ? <ContentBlocks content={item.content} terminal={false} /> : null}
        <Answer item={item} />
      </div>
    </article>
  );
});
