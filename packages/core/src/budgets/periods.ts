// Budget periods in an organisation's time zone: a day, an ISO week (from Monday) or a calendar
// month, as local dates (what the daily spend rows are keyed by) and as the instants they begin
// and end (what people are told: "resets at"). Pure, so a fixed clock tests any rollover.

export const BUDGET_PERIODS = ["day", "week", "month"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

export interface PeriodWindow {
  /** First local day of the period, `YYYY-MM-DD`. */
  startDay: string;
  /** First local day of the next period. */
  nextStartDay: string;
  startsAt: Date;
  resetsAt: Date;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** Whether `zone` is a time zone this runtime knows (IANA names, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    dayFormats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock fields of `at` in `timeZone`. */
function wallClock(at: Date, timeZone: string) {
  const parts = Object.fromEntries(
    dayFormat(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The local date of `at` in `timeZone`, `YYYY-MM-DD`. */
export function localDay(at: Date, timeZone: string): string {
  const { year, month, day } = wallClock(at, timeZone);
  return isoDay(Date.UTC(year, month - 1, day));
}

const isoDay = (utcMidnight: number) => new Date(utcMidnight).toISOString().slice(0, 10);
const utcOf = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** The instant local midnight begins `day` in `timeZone` (the first instant of that date, across DST). */
export function startOfLocalDay(day: string, timeZone: string): Date {
  const wanted = utcOf(day);
  let guess = wanted;
  // Twice: the offset at the guess can differ from the offset at the answer around a DST change.
  for (let i = 0; i < 2; i++) {
    const wall = wallClock(new Date(guess), timeZone);
    const offset = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - guess;
    guess = wanted - offset;
  }
  // A zone that skips midnight (a DST change at 00:00) starts the day at the first instant after.
  while (localDay(new Date(guess), timeZone) < day) guess += 15 * 60_000;
  return new Date(guess);
}

function periodStartDay(period: BudgetPeriod, day: string): string {
  const utc = utcOf(day);
  if (period === "day") return day;
  if (period === "week") {
    const weekday = (new Date(utc).getUTCDay() + 6) % 7; // Monday 0
    return isoDay(utc - weekday * 86_400_000);
  }
  return `${day.slice(0, 7)}-01`;
}

function nextPeriodStartDay(period: BudgetPeriod, start: string): string {
  const utc = new Date(utcOf(start));
  if (period === "day") return isoDay(utc.getTime() + 86_400_000);
  if (period === "week") return isoDay(utc.getTime() + 7 * 86_400_000);
  return isoDay(Date.UTC(utc.getUTCFullYear(), utc.getUTCMonth() + 1, 1));
}

/**
 * The last window computed per period and zone. Every instant from a window's start to its reset
 * falls in that same window, so it answers until the reset: the gateway asks on every call a hard
 * budget covers, and working it out takes a dozen time-zone conversions.
 */
const recentWindows = new Map<string, PeriodWindow>();

/** The period `now` falls in, in the organisation's time zone. */
export function periodWindow(period: BudgetPeriod, now: Date, timeZone: string): PeriodWindow {
  const key = `${period} ${timeZone}`;
  const at = now.getTime();
  const recent = recentWindows.get(key);
  if (recent && recent.startsAt.getTime() <= at && at < recent.resetsAt.getTime()) return recent;
  const startDay = periodStartDay(period, localDay(now, timeZone));
  const nextStartDay = nextPeriodStartDay(period, startDay);
  const window = Object.freeze({
    startDay,
    nextStartDay,
    startsAt: startOfLocalDay(startDay, timeZone),
    resetsAt: startOfLocalDay(nextStartDay, timeZone),
  });
  if (recentWindows.size >= 1_000) recentWindows.clear();
  recentWindows.set(key, window);
  return window;
}

/**
 * Spend at the period's end if it goes on at its pace so far: linear in elapsed time, and nothing
 * projected from less than an hour of history (a single early call would project absurdly).
 */
export function projectedSpend(spent: bigint, window: PeriodWindow, now: Date): bigint {
  const elapsed = now.getTime() - window.startsAt.getTime();
  const length = window.resetsAt.getTime() - window.startsAt.getTime();
  if (elapsed < 3_600_000 || length <= 0) return spent;
  return (spent * BigInt(length)) / BigInt(elapsed);
}
