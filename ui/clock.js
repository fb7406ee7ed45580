//! One timer for the whole page keeps relative times ("3 min ago") true. It wakes only when a time on screen would
//! read differently (at "1 min ago", then each minute, each hour, each day), so an idle window showing "2 h ago" wakes
//! once an hour, not twice a minute: each wake re-rendered the views, and WebKit styled and painted the page again.

import { msUntilRelativeChange } from "./time-format.js";

/** The longest sleep, so a clock set by hand is caught up with within this at worst. */
const MAX_SLEEP_MS = 6 * 60 * 60 * 1000;
/** Timers keep a monotonic clock and `Date.now()` the wall clock: wake a little after the change, never before it. */
const SLACK_MS = 100;

/** Each view's render, with what tells the times it shows. */
const views = new Map();
let handle = null;

function schedule() {
  const now = Date.now();
  let sleep = Infinity;
  for (const times of views.values()) {
    for (const t of times()) sleep = Math.min(sleep, msUntilRelativeChange(t, now));
  }
  clearTimeout(handle);
  handle = sleep === Infinity ? null : setTimeout(tick, Math.min(sleep, MAX_SLEEP_MS) + SLACK_MS);
}

function tick() {
  handle = null;
  for (const render of [...views.keys()]) render();
  schedule();
}

// Back from a suspend, a hidden window or another app: the times are read again at once.
if (typeof document !== "undefined") {
  document.addEventListener("visibilitychange", () => { if (!document.hidden && views.size) tick(); });
  window.addEventListener("focus", () => { if (views.size) tick(); });
}

/**
 * Keeps `render` true as time passes; `times()` lists the times (ms since the epoch) it shows relative to now (more is
 * harmless, fewer is not). Returns `render` to call on every other change too, so the timer follows what is on screen,
 * and `stop`.
 */
export function onTick(render, times) {
  views.set(render, times);
  return {
    render: () => { render(); schedule(); },
    stop: () => { views.delete(render); schedule(); },
  };
}
