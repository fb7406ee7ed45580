//! Folds snapshots and events into { active, latest } without letting a late message resurrect a finished run. Pure.

export const initialSyncState = Object.freeze({ active: null, latest: null, finishedFloor: 0 });

/** A finished run (by id) is final: events and snapshots about it or older runs cannot make it "running" again. */
export function applyProgress(state, run) {
  if (!run || run.status !== "running" || run.id <= state.finishedFloor) return state;
  if (state.active && state.active.id > run.id) return state;
  return { ...state, active: run, latest: newer(state.latest, run) };
}

export function applyFinished(state, run) {
  if (!run) return state;
  const active = state.active && state.active.id <= run.id ? null : state.active;
  return { active, latest: newer(state.latest, run), finishedFloor: Math.max(state.finishedFloor, run.id) };
}

/** get_active / get_latest are exact at the time they were answered, unless an event has since ended the run. */
export function applySnapshot(state, { active, latest }) {
  let next = { ...state, active: null };
  if (latest) {
    next = latest.status === "running" ? { ...next, latest: newer(next.latest, latest) } : applyFinished(next, latest);
  }
  if (active) next = applyProgress(next, active);
  return next;
}

/** The more recent of two views of runs: higher id wins; for the same id a finished view beats a running one. */
export function newer(a, b) {
  if (!a) return b ?? null;
  if (!b) return a;
  if (a.id !== b.id) return a.id > b.id ? a : b;
  if (a.status === "running" && b.status !== "running") return b;
  if (b.status === "running" && a.status !== "running") return a;
  return (b.lastHeartbeatAt ?? 0) >= (a.lastHeartbeatAt ?? 0) ? b : a;
}
