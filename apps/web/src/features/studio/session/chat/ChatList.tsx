import { useVirtualizer } from "@tanstack/react-virtual";
import { ArrowDown, Hand, MessagesSquare } from "lucide-react";
import {
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { Spinner } from "../../../../components/ui/Spinner.tsx";
import type { ChatItem, ChatState } from "./chat-types.ts";
import { ChatRow } from "./items/ChatRow.tsx";

type Row = { key: string; item: ChatItem } | { key: "working"; item: null };

/** How close to the bottom (px) still counts as "following the stream". */
const STICK_THRESHOLD = 64;

/**
 * The conversation, virtualised so thousands of items stay smooth. It follows the stream while the
 * reader is at the bottom; once they scroll up it stays put and offers a jump back.
 */
export function ChatList({ state, empty }: { state: ChatState; empty: ReactNode }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [following, setFollowing] = useState(true);

  const rows = useMemo<Row[]>(() => {
    // A question's own tool call (OpenCode's `question` tool) is shown by the question card alone.
    const asked = new Set(state.items.flatMap((item) => (item.kind === "question" ? [item.toolCallId] : [])));
    const list: Row[] = [...state.items, ...state.queued]
      .filter((item) => item.kind !== "tool" || !asked.has(item.toolCallId))
      .map((item) => ({ key: item.id, item }));
    const last = state.items.at(-1);
    const streaming = last?.id === state.openTextId;
    if (state.turn && !streaming) list.push({ key: "working", item: null });
    return list;
  }, [state.items, state.queued, state.turn, state.openTextId]);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => estimateHeight(rows[index]?.item ?? null),
    overscan: 6,
    getItemKey: (index) => rows[index]?.key ?? index,
    gap: 16,
    paddingStart: 16,
    paddingEnd: 24,
  });

  const totalSize = virtualizer.getTotalSize();
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (element && stick.current && rows.length > 0) element.scrollTop = element.scrollHeight;
  }, [totalSize, rows.length]);

  const onScroll = useCallback(() => {
    const element = scrollRef.current;
    if (!element) return;
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < STICK_THRESHOLD;
    stick.current = atBottom;
    setFollowing(atBottom);
  }, []);

  const jumpToLatest = () => {
    stick.current = true;
    setFollowing(true);
    virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
    const element = scrollRef.current;
    if (element) element.scrollTop = element.scrollHeight;
  };

  // Home and End go to the first and the last item. The browser's own smooth scroll would stop
  // part-way: rows measured on the way move the content under it.
  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.target !== event.currentTarget || event.altKey || event.shiftKey) return;
    if (event.key === "Home" && rows.length > 0) {
      event.preventDefault();
      stick.current = false;
      virtualizer.scrollToIndex(0, { align: "start" });
    } else if (event.key === "End" && rows.length > 0) {
      event.preventDefault();
      jumpToLatest();
    }
  };

  const turnRunning = state.turn !== null;
  const waitingForPerson = state.items.some(
    (item) =>
      (item.kind === "permission" && item.resolution === null) ||
      (item.kind === "tool" && item.permissions.some((permission) => permission.resolution === null)) ||
      (item.kind === "question" && item.answers === undefined),
  );
  return (
    <div className="relative min-h-0 flex-1">
      <section
        ref={scrollRef}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the conversation scrolls, so it must take keyboard focus
        tabIndex={0}
        aria-label="Conversation"
        className="chat-scroll h-full overflow-y-auto overscroll-contain outline-none focus-visible:ring-2 focus-visible:ring-ring/40 focus-visible:ring-inset"
      >
        {rows.length === 0 ? (
          empty
        ) : (
          <div className="relative mx-auto w-full max-w-3xl px-3 sm:px-6" style={{ height: totalSize }}>
            {virtualizer.getVirtualItems().map((virtual) => {
              const row = rows[virtual.index];
              if (!row) return null;
              return (
                <div
                  key={virtual.key}
                  data-index={virtual.index}
                  ref={virtualizer.measureElement}
                  className="absolute inset-x-3 top-0 sm:inset-x-6"
                  style={{ transform: `translateY(${virtual.start}px)` }}
                >
                  {row.item ? (
                    <ChatRow item={row.item} streaming={turnRunning && row.item.id === state.openTextId} />
                  ) : (
                    <WorkingRow waiting={waitingForPerson} />
                  )}
                </div>
              );
            })}
          </div>
        )}
      </section>
      {!following && rows.length > 0 ? (
        <button
          type="button"
          onClick={jumpToLatest}
          className="absolute bottom-3 left-1/2 inline-flex -translate-x-1/2 animate-pop-in items-center gap-1.5 rounded-full border border-line bg-surface px-3 py-1.5 text-xs font-medium text-fg shadow-pop hover:bg-surface-hover"
        >
          <ArrowDown className="size-3.5" aria-hidden="true" />
          Jump to latest
        </button>
      ) : null}
    </div>
  );
}

/**
 * A first guess at a row's height before it is measured. Close guesses keep the scrollbar steady
 * and mean less correction while scrolling through rows never seen yet.
 */
function estimateHeight(item: ChatItem | null): number {
  if (!item) return 24;
  switch (item.kind) {
    case "user":
    case "assistant":
      return 44 + Math.ceil(item.text.length / 90) * 22;
    case "thinking":
      return 60 + Math.ceil(item.text.length / 90) * 20;
    case "tool":
      return 200 + (item.content.length > 0 ? 100 : 0) + item.permissions.length * 50;
    case "notice":
      return 32;
    case "git_pushed":
      return 44;
    case "plan":
      return 64 + Math.max(item.entries.length, 1) * 28;
    default:
      return 180;
  }
}

function WorkingRow({ waiting }: { waiting: boolean }) {
  return (
    <p className="ml-10 flex items-center gap-2 text-[13px] text-fg-muted" role="status">
      {waiting ? <Hand className="size-3.5" aria-hidden="true" /> : <Spinner className="size-3.5" />}
      {waiting ? "Waiting for your answer…" : "The agent is working…"}
    </p>
  );
}

export function ConversationEmpty({ children }: { children?: ReactNode }) {
  return (
    <div className="flex h-full flex-col items-center justify-center px-6 text-center">
      <span className="mb-3 flex size-11 items-center justify-center rounded-xl border border-line bg-surface-muted text-fg-muted shadow-soft">
        <MessagesSquare className="size-5" aria-hidden="true" />
      </span>
      {children}
    </div>
  );
}
