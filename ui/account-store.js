//! The window's live picture of the Gmail account: get_account, sign-in events and this window's requests, for every view.

import * as ipc from "./ipc.js";
import {
  applyAccount, applyAccountChanged, applyAccountError, applySignInEvent, beginRequest, connectFailed,
  connectSucceeded, disconnectSucceeded, initialAccountState, requestDone, requestFailed,
} from "./account-state.js";

let state = initialAccountState;
const subscribers = new Set();
const mailboxSubscribers = new Set();

export function getState() {
  return state;
}

export function subscribe(fn) {
  subscribers.add(fn);
  return () => subscribers.delete(fn);
}

/** Called whenever the mailbox in view switched (or its account signed in again): everything shown from the old one must be reloaded. */
export function subscribeMailbox(fn) {
  mailboxSubscribers.add(fn);
  return () => mailboxSubscribers.delete(fn);
}

function set(next) {
  if (next === state) return;
  state = next;
  for (const fn of subscribers) fn(state);
}

function mailboxSwitched() {
  for (const fn of mailboxSubscribers) fn(state.account);
}

/**
 * Shows the mailbox `key` in this window (the switcher, a new account, the one in view removed): every call and event
 * is about it from now on, and everything shown of the old one is reloaded.
 */
export async function switchMailbox(key) {
  if (key == null || key === ipc.currentMailbox()) return;
  ipc.setMailbox(key);
  set({ ...state, account: null, error: null, note: state.note });
  mailboxSwitched();
  await refresh();
}

/** Requests of this window that have ended: a get_account answer read before one of them ended may predate it. */
let requestsEnded = 0;

function endRequest(next) {
  requestsEnded += 1;
  set(next);
}

/**
 * Every answer is folded into the state as it is when the answer arrives (never into a copy taken before the await),
 * and a get_account answer overtaken by the end of a request (connect, cancel, disconnect) is read again: applied, it
 * would bring back what the request just ended, e.g. a "connect" still pending long after the sign-in completed.
 */
export async function refresh() {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const ended = requestsEnded;
    let account;
    try {
      account = await ipc.getAccount();
    } catch (err) {
      set(applyAccountError(state, err));
      return;
    }
    if (ended === requestsEnded || attempt === 2) {
      set(applyAccount(state, account));
      return;
    }
  }
}

/** Resolves to null on success, or the { code, message } error (already in the state) so the caller can say more. */
export async function connectAccount(clientSecretPath) {
  if (state.pending) return null;
  set(beginRequest(state, "connect"));
  try {
    const account = await ipc.connectAccount(clientSecretPath);
    endRequest(connectSucceeded(state, account, Date.now()));
    // The account just connected is the one to see (a reconnect keeps the same one).
    await switchMailbox(account?.key);
    return null;
  } catch (err) {
    endRequest(connectFailed(state, err));
    refresh(); // e.g. signInBusy: show the sign-in that is in the way
    return state.error;
  }
}

export async function cancelSignIn() {
  if (state.pending === "cancel" || state.pending === "disconnect") return;
  // The connect request stays in flight; its rejection (signInCancelled) ends it.
  const resume = state.pending;
  set(beginRequest(state, "cancel"));
  try {
    const result = await ipc.cancelSignIn();
    endRequest({ ...requestDone(state), pending: state.pending === "cancel" ? resume : state.pending });
    if (!result?.cancelled) refresh(); // it had already finished or failed: show what it became
  } catch (err) {
    endRequest({ ...requestFailed(state, err), pending: state.pending === "cancel" ? resume : state.pending });
  }
}

export async function disconnect(deleteMail = false) {
  if (state.pending) return;
  set(beginRequest(state, "disconnect"));
  try {
    const result = await ipc.disconnectAccount(deleteMail);
    endRequest(disconnectSucceeded(state, result));
  } catch (err) {
    endRequest(requestFailed(state, err));
  }
  refresh();
}

export async function connect() {
  await Promise.all([
    ipc.onSignIn((payload) => {
      set(applySignInEvent(state, payload));
      if (payload?.phase === "done") refresh();
    }),
    ipc.onAccountChanged((account) => {
      // About another mailbox than this window's: the switcher hears of it through mailboxes://changed.
      if (account?.key != null && account.key !== ipc.currentMailbox()) return;
      set(applyAccountChanged(state, account, Date.now()));
      mailboxSwitched();
    }),
  ]);
  window.addEventListener("focus", refresh);
  await refresh();
}
