// The mutable copy of the chat state a batch of events is applied to, and the few operations every
// part of the reducer shares. Items themselves stay immutable: a change replaces the item.
import type { ChatItem, ChatState, LiveEvent, StudioEvent } from "./chat-types.ts";

export type Draft = {
  -readonly [K in keyof ChatState]: K extends "index" ? Map<string, number> : ChatState[K];
};
export type Of<T extends StudioEvent["type"]> = Extract<LiveEvent, { type: T }>;

export function push(d: Draft, key: string | null, item: ChatItem): void {
  d.items.push(item);
  d.index.set(`id:${item.id}`, d.items.length - 1);
  if (key) d.index.set(key, d.items.length - 1);
}

/** Replaces an item with a changed copy (items are immutable, so rows re-render only when changed). */
export function patch<K extends ChatItem["kind"]>(
  d: Draft,
  key: string,
  kind: K,
  changes: Partial<Extract<ChatItem, { kind: K }>>,
): void {
  const at = d.index.get(key);
  const item = at === undefined ? undefined : d.items[at];
  if (at === undefined || item?.kind !== kind) return;
  d.items[at] = { ...item, ...changes } as ChatItem;
}

/** Takes an item out, moving the index entries of those after it. */
export function removeItem(d: Draft, at: number): void {
  d.items.splice(at, 1);
  for (const [key, position] of d.index) {
    if (position === at) d.index.delete(key);
    else if (position > at) d.index.set(key, position - 1);
  }
}

export function notice(
  d: Draft,
  e: LiveEvent,
  level: "info" | "warning" | "error",
  code: string,
  text: string,
): void {
  d.openTextId = null;
  push(d, null, { kind: "notice", id: `notice-${e.seq}`, seq: e.seq, at: e.at, level, code, message: text });
}
