import { Bot, Brain, CircleAlert, Clock, Info, TriangleAlert } from "lucide-react";
import { memo } from "react";
import { cn } from "../../../../../lib/cn.ts";
import type { NoticeItem, TextItem, UserItem } from "../chat-types.ts";
import { CopyButton } from "../markdown/CopyButton.tsx";
import { Markdown } from "../markdown/Markdown.tsx";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

export const UserMessage = memo(function UserMessage({ item }: { item: UserItem }) {
  return (
    <div className="flex justify-end pl-8 sm:pl-16">
      <article
        aria-label="Your message"
        data-state={item.state}
        className={cn(
          "user-message max-w-full rounded-2xl rounded-br-md px-3.5 py-2.5 text-sm whitespace-pre-wrap break-words shadow-soft",
          item.state === "dropped"
            ? "border border-dashed border-line-strong bg-surface text-fg-muted"
            : "bg-accent text-accent-fg",
        )}
      >
        {item.text}
        {item.state !== "sent" ? (
          <p className="mt-1 flex items-center gap-1 text-xs opacity-85">
            <Clock className="size-3" aria-hidden="true" />
            {item.state === "queued"
              ? "Queued: runs after the current turn"
              : "Not run: the turn was cancelled"}
          </p>
        ) : (
          <time className="sr-only" dateTime={item.at.toISOString()}>
            {timeFormat.format(item.at)}
          </time>
        )}
      </article>
    </div>
  );
});

export const AssistantMessage = memo(function AssistantMessage({
  item,
  streaming,
}: {
  item: TextItem;
  streaming: boolean;
}) {
  return (
    <article
      aria-label="Agent reply"
      aria-busy={streaming || undefined}
      className="assistant-message group flex gap-3"
    >
      <span className="mt-0.5 flex size-7 shrink-0 items-center justify-center rounded-full bg-accent-soft text-accent-soft-fg">
        <Bot className="size-4" aria-hidden="true" />
      </span>
      <div className="min-w-0 flex-1">
        <Markdown text={item.text} />
        {streaming ? (
          <span
            className="ml-0.5 inline-block h-4 w-1.5 motion-safe:animate-pulse rounded-sm bg-accent align-text-bottom"
            aria-hidden="true"
          />
        ) : (
          <div className="-ml-1.5 opacity-0 transition-opacity group-focus-within:opacity-100 group-hover:opacity-100">
            <CopyButton text={item.text} label="Copy reply" />
          </div>
        )}
      </div>
    </article>
  );
});

/** Thinking is always shown in full, set apart from replies by its tint, border and label. */
export const ThinkingBlock = memo(function ThinkingBlock({
  item,
  streaming,
}: {
  item: TextItem;
  streaming: boolean;
}) {
  return (
    <article
      aria-label="Agent thinking"
      aria-busy={streaming || undefined}
      className="thinking-block ml-10 rounded-lg border-l-2 border-fg-subtle/50 bg-surface-muted/70 px-3 py-2"
    >
      <p className="mb-1 flex items-center gap-1.5 text-[11px] font-medium tracking-wide text-fg-muted uppercase">
        <Brain className="size-3.5" aria-hidden="true" />
        {streaming ? "Thinking…" : "Thought"}
      </p>
      <p className="text-[13px] leading-relaxed whitespace-pre-wrap break-words text-fg-muted italic">
        {item.text}
      </p>
    </article>
  );
});

const noticeIcons = { info: Info, warning: TriangleAlert, error: CircleAlert };
const noticeTones = {
  info: "border-line bg-surface-muted text-fg-muted",
  warning: "border-warning-soft-fg/25 bg-warning-soft text-warning-soft-fg",
  error: "border-danger/25 bg-danger-soft text-danger-soft-fg",
};

/** Long messages (stack traces, agent stderr) start folded so the conversation stays readable. */
const FOLD_AT = 180;

export const NoticeRow = memo(function NoticeRow({ item }: { item: NoticeItem }) {
  const Icon = noticeIcons[item.level];
  const long = item.message.length > FOLD_AT;
  const time = (
    <time className="shrink-0" dateTime={item.at.toISOString()}>
      · {timeFormat.format(item.at)}
    </time>
  );
  return (
    <div className="flex justify-center px-2 sm:px-4">
      <div
        role={item.level === "error" ? "alert" : "note"}
        data-code={item.code}
        className={cn(
          "system-notice max-w-full border px-3 py-1 text-xs",
          long
            ? "w-full max-w-2xl rounded-xl py-2"
            : "inline-flex items-center gap-1.5 rounded-full text-center",
          noticeTones[item.level],
        )}
      >
        {long ? (
          <details>
            <summary className="flex cursor-pointer items-start gap-1.5">
              <Icon className="mt-px size-3.5 shrink-0" aria-hidden="true" />
              <span className="min-w-0 flex-1 break-words">{item.message.slice(0, FOLD_AT).trimEnd()}…</span>
              {time}
            </summary>
            <p className="mt-1.5 max-h-60 overflow-auto pl-5 font-mono text-[11px] break-words whitespace-pre-wrap">
              {item.message}
            </p>
          </details>
        ) : (
          <>
            <Icon className="size-3.5 shrink-0" aria-hidden="true" />
            <span className="min-w-0 break-words">{item.message}</span>
            {time}
          </>
        )}
      </div>
    </div>
  );
});
