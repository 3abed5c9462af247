import { useCallback, useMemo } from "react";
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
  const update = useCallback(
    (change: Partial<UsageView>) => {
      // Each change is a history entry, so Back returns to the previous view.
      setParams(writeView({ ...view, ...change }, manager), { preventScrollReset: true });
    },
    [view, manager, setParams],
  );
  return { view, result, update, today };
}
