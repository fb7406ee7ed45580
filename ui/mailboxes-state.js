//! The mailboxes as the switcher sees them: the list from list_mailboxes / mailboxes://changed, and each one's
//! running sync from every window's progress events. Pure.

import { formatCount } from "./number.js";
import { sourceWords } from "./account-state.js";

export const initialMailboxesState = Object.freeze({
  /** [{ key, source: { kind, label, email? }, active, latest }], in the app's order. */
  list: [],
});

export function applyMailboxList(state, list) {
  return Array.isArray(list) ? { ...state, list } : state;
}

/** A progress or finished event of any mailbox: that row's `active` follows it (a finished run clears it). */
export function applyMailboxRun(state, run) {
  if (!run?.mailbox) return state;
  const i = state.list.findIndex((m) => m.key === run.mailbox);
  if (i < 0) return state;
  const row = state.list[i];
  // An event older than what the row shows (a later run started, or this one ended) changes nothing.
  if (row.active && run.id < row.active.id) return state;
  if (row.latest && run.id < row.latest.id) return state;
  const ended = run.finishedAt != null;
  const next = { ...row, active: ended ? null : run, latest: ended ? run : row.latest };
  const list = state.list.slice();
  list[i] = next;
  return { ...state, list };
}

/** The mailbox a window should show: the one it shows if it still exists, else the first. */
export function chooseMailbox(list, current) {
  if (!Array.isArray(list) || list.length === 0) return current ?? null;
  return list.some((m) => m.key === current) ? current : list[0].key;
}

/** What the switcher's row for one mailbox says: its name, and whether it syncs ("syncing", "stale", "idle"). */
export function mailboxRow(m) {
  const name = sourceWords(m.source) || m.key;
  const run = m.active;
  const status = !run ? "idle" : run.isStale ? "stale" : "syncing";
  const detail = status === "syncing"
    ? (run.totalEstimate ? `Syncing ${formatCount(run.progress?.processedEmails ?? 0)} of ${formatCount(run.totalEstimate)}` : "Syncing…")
    : status === "stale" ? "Not responding" : "";
  return { key: m.key, name, status, detail };
}
