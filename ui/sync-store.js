//! The window's live picture of syncing: folds events and exact snapshots into one state and tells subscribers.

import { markFirstCard, recordPaint } from "./paint-delay.js";
import * as ipc from "./ipc.js";
import { applyFinished, applyProgress, applySnapshot, initialSyncState } from "./sync-reducer.js";
import { showNotice } from "./notice.js";

const OWN_RUNS_KEY = "inbox-sync.ownRunIds";

let state = { ...initialSyncState, pending: null, counts: null, source: null };
const subscribers = new Set();
const mailSubscribers = new Set();

/**
 * Runs this window started, per mailbox, survive a reload and a switch to another mailbox and back (sessionStorage is
 * per window), so it never calls its own run "another window's".
 */
const ownRunsKey = (mailbox = ipc.currentMailbox()) => `${OWN_RUNS_KEY}.${mailbox ?? "first"}`;
function loadOwnRunIds(mailbox) {
  try { return JSON.parse(sessionStorage.getItem(ownRunsKey(mailbox)) ?? "[]"); } catch { return []; }
}
let ownRunIds = loadOwnRunIds();

/** A run this window started in `mailbox` (e.g. by "Sync all"), so its card never calls it another window's. */
export function rememberOwnRun(mailbox, runId) {
  const ids = mailbox === ipc.currentMailbox() ? ownRunIds : loadOwnRunIds(mailbox);
  ids.push(runId);
  try { sessionStorage.setItem(ownRunsKey(mailbox), JSON.stringify(ids.slice(-20))); } catch { /* kept in memory */ }
  if (mailbox === ipc.currentMailbox()) set(state);
}

export function getState() {
  return { ...state, ownRunIds };
}

export function subscribe(fn) {
  subscribers.add(fn);
  return () => subscribers.delete(fn);
}

/** Called with { counts } whenever synced mail changed, so lists reload. */
export function subscribeMail(fn) {
  mailSubscribers.add(fn);
  return () => mailSubscribers.delete(fn);
}

function set(next) {
  state = next;
  const snapshot = getState();
  for (const fn of subscribers) fn(snapshot);
}

export async function refresh() {
  try {
    const [active, latest] = await Promise.all([ipc.getActive(), ipc.getLatest()]);
    set({ ...state, ...applySnapshot(state, { active, latest }) });
  } catch (err) {
    showNotice(`Couldn't read the sync status (${err.code}).`, { tone: "error" });
  }
}

export async function refreshSummary() {
  try {
    const summary = await ipc.getSummary();
    set({ ...state, counts: summary.counts, source: summary.source });
  } catch {
    // The counts are decoration on Home; the fetch card's truth comes from refresh().
  }
}

/**
 * The mailbox switched (another account, or back to the demo): runs, counts and ids all belong to the old one, so
 * nothing of it may survive, not even the floor that keeps finished runs finished (the new ledger has its own ids).
 */
export async function resetForMailbox() {
  state = { ...state, ...initialSyncState, counts: null, source: null };
  ownRunIds = loadOwnRunIds();
  await Promise.all([refresh(), refreshSummary()]);
  set(state); // even if both reads failed, the old mailbox's figures must not stay on screen
}

export async function start() {
  if (state.pending) return;
  set({ ...state, pending: "start" });
  try {
    const result = await ipc.startSync();
    if (result.started) {
      rememberOwnRun(ipc.currentMailbox(), result.runId);
    } else if (result.reason === "alreadyRunning") {
      showNotice("A sync is already running.");
    }
  } catch (err) {
    showNotice(`Couldn't start a sync (${err.code}).`, { tone: "error" });
  } finally {
    state = { ...state, pending: null };
    await refresh();
  }
}

export async function stop() {
  if (state.pending) return;
  set({ ...state, pending: "stop" });
  try {
    const result = await ipc.cancelSync();
    if (!result.cancelled) showNotice("This sync isn't running in this app, so it can't be stopped here.");
  } catch (err) {
    showNotice(`Couldn't stop the sync (${err.code}).`, { tone: "error" });
  } finally {
    state = { ...state, pending: null };
    await refresh();
  }
}

export async function connect() {
  await Promise.all([
    ipc.onSyncProgress((run) => {
      set({ ...state, ...applyProgress(state, run) });
      recordPaint(run?.emittedAtMs);
    }),
    ipc.onSyncFinished((run) => {
      set({ ...state, ...applyFinished(state, run) });
      refreshSummary();
    }),
    ipc.onMailChanged((payload) => {
      set({ ...state, counts: payload?.counts ?? state.counts });
      for (const fn of mailSubscribers) fn(payload);
    }),
  ]);
  // Events say what changed; the snapshot on load and on focus makes sure nothing was missed meanwhile.
  window.addEventListener("focus", () => { refresh(); refreshSummary(); });
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  await Promise.all([refresh(), refreshSummary()]);
  markFirstCard(ipc.firstCardPainted);
}
