import { useMutation } from "@tanstack/react-query";
import { CircleCheck, CircleDashed, CircleX, Hourglass, RotateCcw, Server } from "lucide-react";
import { memo } from "react";
import { Button } from "../../../../../components/ui/Button.tsx";
import { Spinner } from "../../../../../components/ui/Spinner.tsx";
import { cn } from "../../../../../lib/cn.ts";
import { describeError } from "../../../../../lib/errors.ts";
import { useTRPC } from "../../../../../lib/trpc.ts";
import { formatElapsed, useNow } from "../../../../../lib/use-now.ts";
import { ProgressBar } from "../../../source/ProgressBar.tsx";
import { describeStepProgress } from "../../../source/source-format.ts";
import type { ProvisioningItem, ProvisioningStep } from "../chat-types.ts";
import { useChatContext } from "./chat-context.ts";

/**
 * The replica's provisioning queue: the runner names this step "queue" and updates its label as the
 * session moves up ("Waiting for a free slot (3 ahead)"). Nothing runs for it yet, so no spinner.
 */
const QUEUE_STEP = "queue";
const isWaiting = (step: ProvisioningStep) => step.step === QUEUE_STEP && step.state === "running";

function StepRow({ step, now }: { step: ProvisioningStep; now: number }) {
  const end = step.endedAt?.getTime() ?? now;
  return (
    <li className="flex items-start gap-2.5 py-1" data-state={step.state} data-step={step.step}>
      <span className="mt-0.5">
        {isWaiting(step) ? <Hourglass className="size-4 text-fg-muted" aria-hidden="true" /> : null}
        {step.state === "running" && !isWaiting(step) ? (
          <Spinner className="size-4 text-accent-soft-fg" />
        ) : null}
        {step.state === "completed" ? (
          <CircleCheck className="size-4 text-success-soft-fg" aria-hidden="true" />
        ) : null}
        {step.state === "failed" ? <CircleX className="size-4 text-danger" aria-hidden="true" /> : null}
      </span>
      <div className="min-w-0 flex-1">
        <p
          className={cn(
            "text-[13px]",
            step.state === "failed" ? "font-medium text-danger-soft-fg" : "text-fg",
          )}
        >
          {step.label}
          <span className="sr-only">
            {isWaiting(step)
              ? " (waiting)"
              : step.state === "running"
                ? " (in progress)"
                : step.state === "failed"
                  ? " (failed)"
                  : " (done)"}
          </span>
        </p>
        {step.detail ? <p className="text-xs break-words text-fg-muted">{step.detail}</p> : null}
        {step.state === "running" && step.progress ? <StepProgressBar step={step} /> : null}
      </div>
      <span className="shrink-0 font-mono text-xs text-fg-muted tabular-nums">
        {formatElapsed(end - step.startedAt.getTime())}
      </span>
    </li>
  );
}

/** A clone's (or another long step's) progress: a bar when the percentage is known, and what was received. */
function StepProgressBar({ step }: { step: ProvisioningStep }) {
  const progress = step.progress;
  if (!progress) return null;
  const text = describeStepProgress(progress);
  return (
    <div className="step-progress mt-1.5 max-w-sm space-y-1">
      <ProgressBar percent={progress.percent} label={step.label} valueText={text || undefined} />
      {text ? <p className="font-mono text-xs text-fg-muted tabular-nums">{text}</p> : null}
    </div>
  );
}

const titles: Record<ProvisioningItem["outcome"], string> = {
  running: "Preparing the sandbox",
  ready: "Sandbox ready",
  failed: "The sandbox could not start",
  stopped: "Provisioning stopped",
};

/** One provisioning attempt: each step as it happens with its elapsed time; a failure offers a retry. */
export const ProvisioningCard = memo(function ProvisioningCard({ item }: { item: ProvisioningItem }) {
  const trpc = useTRPC();
  const { sessionId, failed, lastProvisioningId } = useChatContext();
  const resume = useMutation(trpc.sessions.resume.mutationOptions());
  const running = item.outcome === "running";
  const now = useNow(250, running);
  const total = (item.endedAt?.getTime() ?? now) - item.at.getTime();
  const failedStep = item.steps.find((step) => step.state === "failed");
  const title = running && item.steps.some(isWaiting) ? "Waiting to start" : titles[item.outcome];
  const canRetry = item.outcome === "failed" && failed && item.id === lastProvisioningId;
  return (
    <section
      aria-label={title}
      data-outcome={item.outcome}
      className={cn(
        "provisioning-card rounded-xl border bg-surface px-3.5 py-3 shadow-soft",
        item.outcome === "failed" ? "border-danger/30" : "border-line",
      )}
    >
      <header className="flex items-center gap-2.5">
        <span className="flex size-7 items-center justify-center rounded-lg bg-surface-muted text-fg-muted">
          {item.outcome === "ready" ? (
            <CircleCheck className="size-4 text-success-soft-fg" aria-hidden="true" />
          ) : item.outcome === "failed" ? (
            <CircleX className="size-4 text-danger" aria-hidden="true" />
          ) : item.outcome === "stopped" ? (
            <CircleDashed className="size-4" aria-hidden="true" />
          ) : (
            <Server className="size-4" aria-hidden="true" />
          )}
        </span>
        <h3 className="flex-1 text-[13px] font-semibold text-fg">{title}</h3>
        <span className="font-mono text-xs text-fg-muted tabular-nums">{formatElapsed(total)}</span>
      </header>
      <ol aria-label="Provisioning steps" className="mt-2 ml-1">
        {item.steps.map((step) => (
          <StepRow key={step.step} step={step} now={now} />
        ))}
      </ol>
      {item.outcome === "failed" ? (
        <div
          role="alert"
          className="mt-2 rounded-lg bg-danger-soft px-3 py-2 text-[13px] text-danger-soft-fg"
        >
          <p className="font-medium">
            {failedStep ? `Failed at “${failedStep.label}”` : "Provisioning failed"}
          </p>
          {item.reason ? <p className="opacity-90">{item.reason}</p> : null}
        </div>
      ) : null}
      {canRetry ? (
        <div className="mt-3 flex items-center gap-3">
          <Button
            size="sm"
            variant="secondary"
            icon={<RotateCcw />}
            pending={resume.isPending}
            onClick={() => resume.mutate({ sessionId })}
          >
            Retry
          </Button>
          {resume.error ? (
            <span role="alert" className="text-[13px] text-danger-soft-fg">
              {describeError(resume.error).message}
            </span>
          ) : null}
        </div>
      ) : null}
    </section>
  );
});
