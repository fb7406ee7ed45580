//! The Gmail account as one window sees it: folds get_account, sign-in events and this window's own requests into one state. Pure.

import { formatCount } from "./number.js";

export const initialAccountState = Object.freeze({
  /** AccountView from get_account / account://changed; null until the first answer. */
  account: null,
  /** A sign-in waiting in the browser ({ url, startedAtMs }), from any window. */
  signIn: null,
  /** This window's request in flight: "connect", "cancel" or "disconnect". */
  pending: null,
  /** The last failure ({ code, message }), shown inline until the next attempt. */
  error: null,
  /** A calm outcome to report ({ text, tone: "info"|"warning", revoked? }), e.g. what disconnecting did. */
  note: null,
  /** When a sign-in last completed: an auth error from before it is answered already. */
  signedInAtMs: 0,
});

const CANCELLED_NOTE = { text: "Sign-in cancelled.", tone: "info" };

/**
 * A get_account answer is exact, except that it may predate this window's own sign-in starting. Its
 * connectedAtMs (kept by the app across restarts) is when the account last signed in.
 */
export function applyAccount(state, account) {
  if (!account) return state;
  const signIn = account.signIn ?? (state.pending === "connect" ? state.signIn : null);
  const signedInAtMs = Math.max(state.signedInAtMs, account.connected ? account.connectedAtMs ?? 0 : 0);
  return { ...state, account, signIn, signedInAtMs, error: state.error?.load ? null : state.error };
}

/** The mailbox switched (account://changed): a connected account means a sign-in just completed. */
export function applyAccountChanged(state, account, nowMs) {
  if (!account) return state;
  const next = applyAccount(state, account);
  return account.connected ? { ...next, error: null, signedInAtMs: Math.max(state.signedInAtMs, nowMs) } : next;
}

/** get_account failed: worth saying only while nothing is known about the account. */
export function applyAccountError(state, err) {
  return state.account ? state : { ...state, error: { ...err, load: true } };
}

/**
 * account://sign-in. The window that asked also gets connect_account's answer, which carries the error code,
 * so a "failed" event only speaks for sign-ins started elsewhere.
 */
export function applySignInEvent(state, payload) {
  switch (payload?.phase) {
    case "waiting":
      return {
        ...state,
        signIn: { url: payload.url ?? state.signIn?.url ?? null, startedAtMs: state.signIn?.startedAtMs ?? null },
        error: null,
        note: null,
      };
    case "done":
      return { ...state, signIn: null };
    case "cancelled":
      return { ...state, signIn: null, note: CANCELLED_NOTE };
    case "failed": {
      const own = state.pending === "connect" || state.error !== null;
      const error = own ? state.error : { code: "signInFailed", message: payload.message || "Signing in with Google failed." };
      return { ...state, signIn: null, error };
    }
    default:
      return state;
  }
}

export function beginRequest(state, kind) {
  return { ...state, pending: kind, error: null, note: kind === "cancel" ? state.note : null };
}

export function connectSucceeded(state, account, nowMs) {
  return { ...applyAccountChanged({ ...state, pending: null }, account, nowMs), signIn: null, note: null };
}

export function connectFailed(state, err) {
  const next = { ...state, pending: null };
  if (err?.code === "signInCancelled") return { ...next, signIn: null, note: CANCELLED_NOTE };
  // signInBusy: the sign-in still waiting in the browser is someone else's; it stays on screen.
  return { ...next, signIn: err?.code === "signInBusy" ? state.signIn : null, error: errorOf(err) };
}

export function requestFailed(state, err) {
  return { ...state, pending: null, error: errorOf(err) };
}

export function requestDone(state) {
  return { ...state, pending: null };
}

/** Not revoked: Google could not be reached, so the user must remove the access by hand (the message says where). */
export function disconnectSucceeded(state, result) {
  return {
    ...state,
    pending: null,
    error: null,
    note: { text: result?.message || "Disconnected.", tone: result?.revoked === false ? "warning" : "info", revoked: result?.revoked !== false },
  };
}

function errorOf(err) {
  return { code: err?.code ?? "unknown", message: err?.message || "Something went wrong." };
}

/** What the Account section shows: one of loading, unavailable, signedOut, signingIn, connected. */
export function accountPanel(state) {
  if (state.signIn || signingIn(state)) {
    return { mode: "signingIn", url: state.signIn?.url ?? null, cancelEnabled: state.pending !== "cancel" };
  }
  const a = state.account;
  if (!a) return { mode: state.error ? "unavailable" : "loading" };
  if (a.connected) {
    return { mode: "connected", email: a.email ?? "your Gmail account", tokenWhere: tokenWords(a), disconnectEnabled: state.pending === null };
  }
  return { mode: "signedOut", canReconnect: a.canReconnect === true, connectEnabled: state.pending === null };
}

const TOKEN_STORE_WORDS = { keyring: "the system keyring", file: "a file on this computer" };

export function tokenWords(account) {
  return account?.tokenLocation || TOKEN_STORE_WORDS[account?.tokenStore] || "this computer";
}

/** What the fetch card needs from the account: a sign-in under way, and when one last completed. */
export function cardContext(state) {
  return { signIn: state.signIn, signingIn: signingIn(state), signedInAtMs: state.signedInAtMs };
}

/** This window asked to sign in (or to stop doing so) and has no answer yet. */
function signingIn(state) {
  return state.pending === "connect" || state.pending === "cancel";
}

/** The mailbox's name for Home and the sidebar: a connected account is its address. */
export function sourceWords(source) {
  if (!source) return "";
  if (source.kind === "account") return source.email || source.label || "Gmail account";
  if (source.kind === "demo" && Number.isFinite(source.messages)) return `Demo mailbox (${formatCount(source.messages)} messages)`;
  return source.label ?? "";
}

/**
 * The client secret path as typed or pasted: trimmed, unquoted, and a file:// URL (a file manager's copy) made a path.
 * Empty means "use the remembered client".
 */
export function clientSecretPathOf(input) {
  let path = String(input ?? "").trim();
  const quoted = /^(["'])(.*)\1$/.exec(path);
  if (quoted) path = quoted[2].trim();
  if (/^file:\/\//i.test(path)) {
    try {
      path = decodeURIComponent(new URL(path).pathname).replace(/^\/([A-Za-z]:\/)/, "$1");
    } catch {
      // Not a well-formed URL: leave it as typed and let the backend say what is wrong with it.
    }
  }
  return path === "" ? null : path;
}
