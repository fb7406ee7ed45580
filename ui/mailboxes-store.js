//! Every mailbox the app shows (each connected account, else the demo) and whether each is syncing, for the sidebar's
//! switcher; keeps this window's choice valid when accounts come and go.

import * as ipc from "./ipc.js";
import * as account from "./account-store.js";
import * as sync from "./sync-store.js";
import { applyMailboxList, applyMailboxRun, chooseMailbox, initialMailboxesState } from "./mailboxes-state.js";

let state = initialMailboxesState;
const subscribers = new Set();

export function getState() {
  return state;
}

export function subscribe(fn) {
  subscribers.add(fn);
  return () => subscribers.delete(fn);
}

function set(next) {
  if (next === state) return;
  state = next;
  for (const fn of subscribers) fn(state);
}

/** A new list: the window's mailbox may be gone (its account removed), then it shows the first. */
async function takeList(list) {
  set(applyMailboxList(state, list));
  const key = chooseMailbox(state.list, ipc.currentMailbox());
  if (key !== ipc.currentMailbox()) await account.switchMailbox(key);
}

export async function refresh() {
  try {
    await takeList(await ipc.listMailboxes());
  } catch (err) {
    console.error("mailboxes", err);
  }
}

/**
 * Before any view asks for mail: picks this window's mailbox (the one it showed before a reload, else the first), so
 * the first calls and events are already about it.
 */
export async function init() {
  try {
    const list = await ipc.listMailboxes();
    set(applyMailboxList(state, list));
    const key = chooseMailbox(list, ipc.currentMailbox());
    if (key != null) ipc.setMailbox(key);
  } catch (err) {
    console.error("mailboxes", err);
  }
}

export async function connect() {
  await Promise.all([
    ipc.onMailboxesChanged((list) => { takeList(list); }),
    ipc.onAnySyncProgress((run) => set(applyMailboxRun(state, run))),
    ipc.onAnySyncFinished((run) => set(applyMailboxRun(state, run))),
  ]);
  window.addEventListener("focus", refresh);
}

/** Starts every mailbox's sync; the runs it started are this window's own. Resolves to how many could not start. */
export async function syncAll() {
  const starts = await ipc.syncAll();
  let failed = 0;
  for (const s of starts ?? []) {
    if (s.start?.started) sync.rememberOwnRun(s.mailbox, s.start.runId);
    if (s.error) failed += 1;
  }
  return failed;
}
