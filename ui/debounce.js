//! Delays a call until input has been quiet for a moment (search as you type). Timers are injectable for tests.

export function debounce(fn, waitMs, timers = globalThis) {
  let handle = null;
  const debounced = (...args) => {
    if (handle !== null) timers.clearTimeout(handle);
    handle = timers.setTimeout(() => {
      handle = null;
      fn(...args);
    }, waitMs);
  };
  debounced.cancel = () => {
    if (handle !== null) timers.clearTimeout(handle);
    handle = null;
  };
  return debounced;
}
