//! Human wording for times and durations: "3 min ago", "1 min 5 s", "About 2 min left". Pure, no DOM.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "3 min ago", "2 h ago", "yesterday", "4 days ago", then a date. */
export function formatRelative(thenMs, nowMs, options = {}) {
  if (!Number.isFinite(thenMs)) return "";
  // A clock a little ahead of the ledger's must not read "in 2 s": treat the future as now.
  const diff = Math.max(0, nowMs - thenMs);
  if (diff < 45 * SECOND) return "just now";
  if (diff < 90 * SECOND) return "1 min ago";
  if (diff < HOUR) return `${Math.round(diff / MINUTE)} min ago`;
  if (diff < DAY) return `${Math.floor(diff / HOUR)} h ago`;
  if (diff < 2 * DAY) return "yesterday";
  if (diff < 7 * DAY) return `${Math.floor(diff / DAY)} days ago`;
  return formatShortDate(thenMs, nowMs, options);
}

/**
 * How long, from `nowMs`, `formatRelative(thenMs, …)` keeps reading as it does now: the page's clock sleeps that long
 * (at "1 min ago", then each minute, each hour, each day). A date (a week or older) is looked at again once a day.
 */
export function msUntilRelativeChange(thenMs, nowMs) {
  if (!Number.isFinite(thenMs)) return Infinity;
  const diff = Math.max(0, nowMs - thenMs);
  // The first `diff` at which the wording changes; a time in the future reads "just now" until 45 s after it.
  let next;
  if (diff < 45 * SECOND) next = 45 * SECOND;
  else if (diff < 90 * SECOND) next = 90 * SECOND;
  else if (diff < HOUR) next = Math.min((Math.round(diff / MINUTE) + 0.5) * MINUTE, HOUR);
  else if (diff < DAY) next = (Math.floor(diff / HOUR) + 1) * HOUR;
  else if (diff < 2 * DAY) next = 2 * DAY;
  else if (diff < 7 * DAY) next = (Math.floor(diff / DAY) + 1) * DAY;
  else return DAY;
  return next - diff + Math.max(0, thenMs - nowMs);
}

/** Full date and time for tooltips; locale and zone are injectable so tests are deterministic. */
export function formatAbsolute(ms, { locale, timeZone } = {}) {
  if (!Number.isFinite(ms)) return "";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(ms);
}

/** Mail-list style date: the time for today, "Mar 4" this year, "Mar 4, 2023" before. */
export function formatShortDate(ms, nowMs, { locale, timeZone } = {}) {
  if (!Number.isFinite(ms)) return "";
  const dayKey = (t) => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(t);
  const yearOf = (t) => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric" }).format(t);
  if (dayKey(ms) === dayKey(nowMs)) {
    return new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit", timeZone }).format(ms);
  }
  const sameYear = yearOf(ms) === yearOf(nowMs);
  return new Intl.DateTimeFormat(locale, {
    month: "short", day: "numeric", year: sameYear ? undefined : "numeric", timeZone,
  }).format(ms);
}

/** Elapsed time: "0.4 s", "12 s", "3 min 5 s", "1 h 2 min". */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < SECOND) return `${(ms / SECOND).toFixed(1)} s`;
  const totalSeconds = Math.floor(ms / SECOND);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours === 0) return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/** Remaining time, deliberately coarse: a precise-looking ETA that jumps around erodes trust. */
export function formatEta(remainingMs) {
  if (!Number.isFinite(remainingMs) || remainingMs < 0) return null;
  if (remainingMs < 10 * SECOND) return "A few seconds left";
  if (remainingMs < MINUTE) return "Less than a minute left";
  if (remainingMs < HOUR) return `About ${Math.round(remainingMs / MINUTE)} min left`;
  const hours = Math.floor(remainingMs / HOUR);
  const minutes = Math.round((remainingMs % HOUR) / MINUTE);
  return minutes === 0 || minutes === 60 ? `About ${hours + (minutes === 60 ? 1 : 0)} h left` : `About ${hours} h ${minutes} min left`;
}
