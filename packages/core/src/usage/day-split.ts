// A time range split into whole UTC days, which the daily totals answer, and the partial days at
// either end, which only the entries themselves can. Pure, so the edge cases are unit-tested.

export interface DaySplit {
  /** Whole days [fromDay, toDay) as YYYY-MM-DD; null bounds are open. Null: no whole day at all. */
  wholeDays: { fromDay: string | null; toDay: string | null } | null;
  /** Sub-day ranges [from, to) read from the entries. */
  partial: { from: Date; to: Date }[];
}

const DAY_MS = 86_400_000;
const dayString = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function splitByWholeDays(from: Date | undefined, to: Date | undefined): DaySplit {
  const fromMs = from?.getTime();
  const toMs = to?.getTime();
  const wholeStart = fromMs === undefined ? null : Math.ceil(fromMs / DAY_MS) * DAY_MS;
  const wholeEnd = toMs === undefined ? null : Math.floor(toMs / DAY_MS) * DAY_MS;
  if (wholeStart !== null && wholeEnd !== null && wholeStart >= wholeEnd) {
    // Inside one day (or across one midnight without a whole day): entries only.
    return {
      wholeDays: null,
      partial: fromMs !== undefined && toMs !== undefined ? [{ from: from!, to: to! }] : [],
    };
  }
  const partial: DaySplit["partial"] = [];
  if (fromMs !== undefined && wholeStart !== null && fromMs < wholeStart)
    partial.push({ from: from!, to: new Date(wholeStart) });
  if (toMs !== undefined && wholeEnd !== null && wholeEnd < toMs)
    partial.push({ from: new Date(wholeEnd), to: to! });
  return {
    wholeDays: {
      fromDay: wholeStart === null ? null : dayString(wholeStart),
      toDay: wholeEnd === null ? null : dayString(wholeEnd),
    },
    partial,
  };
}
