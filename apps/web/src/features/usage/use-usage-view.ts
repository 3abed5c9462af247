import { useCallback, useMemo, useRef } from "react";
import { useSearchParams } from "react-router";
import { useNow } from "../../lib/use-now.ts";
import { readView, type UsageView, utcDay, viewToFilter, writeView } from "./usage-view.ts";

/**
 * The page's view, read from and written to the address bar. "Today" is re-read every minute so a
 * page left open past midnight (UTC) moves its presets on; within a day the filter, and so every
 * query key, stays the same.
 */
export function useUsageView(manager: boolean) {
  const [params, setParams] = useSearchParams();
  const now = useNow(60_000);
  const today = utcDay(new Date(now));
  const view = useMemo(() => readView(params, manager), [params, manager]);
  const result = useMemo(() => viewToFilter(view, today), [view, today]);
  // The view as the last change left it: two changes before the next render (a date typed, then
  // the other, quickly) each build on the one before, instead of the second undoing the first.
  const latest = useRef(view);
  const seen = useRef(view);
  if (seen.current !== view) {
    // A new address (this page's change, Back, a link): the view starts from it.
    seen.current = view;
    latest.current = view;
  }
  const update = useCallback(
    (change: Partial<UsageView>) => {
      const next = { ...latest.current, ...change };
      latest.current = next;
      // Each change is a history entry, so Back returns to the previous view.
      setParams(writeView(next, manager), { preventScrollReset: true });
    },
    [manager, setParams],
  );
  return { view, result, update, today };
}
