//! A shared 30-second tick so relative times ("3 min ago") stay true without each view running its own timer.

const listeners = new Set();
let handle = null;

export function onTick(fn) {
  listeners.add(fn);
  handle ??= setInterval(() => { for (const l of listeners) l(Date.now()); }, 30_000);
  return () => listeners.delete(fn);
}
