//! Measures how long a progress event takes from the moment Rust sends it to the frame that
//! shows it: kept (last 200) on `window.__inboxSyncPaintDelays` for the performance check.
const KEEP = 200;

/** Records the delay of the event sent at `emittedAtMs` once the next frame is painted. */
export function recordPaint(emittedAtMs) {
  if (typeof emittedAtMs !== "number") return;
  // Two frames: the first runs before paint, the second after the updated DOM was painted.
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const delays = (window.__inboxSyncPaintDelays ??= []);
    delays.push(Date.now() - emittedAtMs);
    if (delays.length > KEEP) delays.shift();
  }));
}

/** Marks (once) the wall-clock time the fetch card was first painted with real state, and
 *  hands it to `report` (the app logs it: launch timing with no WebDriver attached). */
export function markFirstCard(report = () => {}) {
  if (window.__inboxSyncFirstCardAt) return;
  requestAnimationFrame(() => requestAnimationFrame(() => {
    if (window.__inboxSyncFirstCardAt) return;
    window.__inboxSyncFirstCardAt = Date.now();
    Promise.resolve(report(window.__inboxSyncFirstCardAt)).catch(() => {});
  }));
}
