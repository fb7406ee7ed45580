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

/** Called with the AccountView whenever the mailbox switched: everything shown from the old one must be reloaded. */
export function subscribeMailbox(fn) {
  mailboxSubscribers.add(fn);
  return () => mailboxSubscribers.delete(fn);
}

function set(next) {
  if (next === state) return;
  state = next;
  for (const fn of subscribers) fn(state);
}

export async function refresh() {
  try {
    set(applyAccount(state, await ipc.getAccount()));
  } catch (err) {
    set(applyAccountError(state, err));
  }
}

/** Resolves to null on success, or the { code, message } error (already in the state) so the caller can say more. */
export async function connectAccount(clientSecretPath) {
  if (state.pending) return null;
  set(beginRequest(state, "connect"));
  try {
    set(connectSucceeded(state, await ipc.connectAccount(clientSecretPath), Date.now()));
    return null;
  } catch (err) {
    set(connectFailed(state, err));
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
    set({ ...requestDone(state), pending: state.pending === "cancel" ? resume : state.pending });
    if (!result?.cancelled) refresh(); // it had already finished or failed: show what it became
  } catch (err) {
    set({ ...requestFailed(state, err), pending: state.pending === "cancel" ? resume : state.pending });
  }
}

export async function disconnect() {
  if (state.pending) return;
  set(beginRequest(state, "disconnect"));
  try {
    set(disconnectSucceeded(state, await ipc.disconnectAccount()));
  } catch (err) {
    set(requestFailed(state, err));
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
      set(applyAccountChanged(state, account, Date.now()));
      for (const fn of mailboxSubscribers) fn(account);
    }),
  ]);
  window.addEventListener("focus", refresh);
  await refresh();
}
