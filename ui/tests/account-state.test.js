//! The account's state in a window: snapshots, sign-in events, this window's requests, and the words derived from it.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  accountPanel, applyAccount, applyAccountChanged, applyAccountError, applySignInEvent, beginRequest, cardContext,
  clientSecretPathOf, connectFailed, connectSucceeded, disconnectSucceeded, initialAccountState, requestDone,
  requestFailed, sourceWords, tokenWords,
} from "../account-state.js";
import { NOW } from "./fixtures.js";

const URL_A = "https://accounts.google.com/o/oauth2/v2/auth?client_id=a";

function view(overrides = {}) {
  return { connected: false, email: null, tokenStore: null, tokenLocation: null, canReconnect: false, signIn: null, ...overrides };
}

const connectedView = view({ connected: true, email: "ada@example.com", tokenStore: "keyring", tokenLocation: "the system keyring (Secret Service)" });

test("before get_account answers the panel is loading; a failed read says so only then", () => {
  assert.equal(accountPanel(initialAccountState).mode, "loading");
  const failed = applyAccountError(initialAccountState, { code: "ipc", message: "no such command" });
  assert.equal(accountPanel(failed).mode, "unavailable");
  assert.equal(failed.error.message, "no such command");
  const loaded = applyAccount(failed, view());
  assert.equal(loaded.error, null, "the read error is gone once the account is known");
  assert.equal(applyAccountError(loaded, { code: "ipc" }), loaded, "a later failed refresh keeps what is known");
});

test("not connected: the connect form, offering the remembered client when there is one", () => {
  assert.deepEqual(accountPanel(applyAccount(initialAccountState, view())), { mode: "signedOut", canReconnect: false, connectEnabled: true });
  assert.equal(accountPanel(applyAccount(initialAccountState, view({ canReconnect: true }))).canReconnect, true);
});

test("connected: who, and where the token is kept", () => {
  const p = accountPanel(applyAccount(initialAccountState, connectedView));
  assert.equal(p.mode, "connected");
  assert.equal(p.email, "ada@example.com");
  assert.equal(p.tokenWhere, "the system keyring (Secret Service)");
  assert.equal(p.disconnectEnabled, true);
});

test("token location falls back to words for the store, then to 'this computer'", () => {
  assert.equal(tokenWords({ tokenStore: "file", tokenLocation: "/home/ada/.local/share/inbox-sync/token.json" }), "/home/ada/.local/share/inbox-sync/token.json");
  assert.equal(tokenWords({ tokenStore: "keyring", tokenLocation: null }), "the system keyring");
  assert.equal(tokenWords({ tokenStore: null, tokenLocation: null }), "this computer");
});

test("a sign-in waiting in the browser (from get_account, so from any window) shows the waiting panel with its URL", () => {
  const s = applyAccount(initialAccountState, view({ signIn: { url: URL_A, startedAtMs: NOW } }));
  assert.deepEqual(accountPanel(s), { mode: "signingIn", url: URL_A, cancelEnabled: true });
});

test("connecting: waiting at once, the URL when the waiting event names it, then connected", () => {
  let s = applyAccount(initialAccountState, view());
  s = beginRequest(s, "connect");
  assert.equal(accountPanel(s).mode, "signingIn");
  assert.equal(accountPanel(s).url, null);
  s = applySignInEvent(s, { phase: "waiting", url: URL_A });
  assert.equal(accountPanel(s).url, URL_A);
  s = applyAccount(s, view()); // a get_account answered before the backend registered the sign-in
  assert.equal(accountPanel(s).url, URL_A, "an older snapshot must not hide this window's own sign-in");
  s = applySignInEvent(s, { phase: "done" });
  s = connectSucceeded(s, connectedView, NOW);
  assert.equal(accountPanel(s).mode, "connected");
  assert.equal(s.signedInAtMs, NOW);
  assert.equal(s.pending, null);
});

test("a failed connect keeps its message for the inline alert; the next attempt clears it", () => {
  let s = beginRequest(applyAccount(initialAccountState, view()), "connect");
  s = connectFailed(s, { code: "clientSecret", message: "This is a Web application client; create a Desktop app client." });
  assert.equal(accountPanel(s).mode, "signedOut");
  assert.deepEqual(s.error, { code: "clientSecret", message: "This is a Web application client; create a Desktop app client." });
  assert.equal(beginRequest(s, "connect").error, null);
});

test("the 'failed' event after this window's own rejection keeps the rejection's code", () => {
  let s = beginRequest(applyAccount(initialAccountState, view()), "connect");
  s = applySignInEvent(s, { phase: "waiting", url: URL_A });
  s = connectFailed(s, { code: "signInRefused", message: "Access was denied." });
  s = applySignInEvent(s, { phase: "failed", message: "access_denied" });
  assert.equal(s.error.code, "signInRefused");
});

test("the 'failed' event before this window's rejection is left to the rejection", () => {
  let s = beginRequest(applyAccount(initialAccountState, view()), "connect");
  s = applySignInEvent(s, { phase: "failed", message: "access_denied" });
  assert.equal(s.error, null);
  s = connectFailed(s, { code: "signInTimeout", message: "Nobody finished signing in within 5 minutes." });
  assert.equal(s.error.code, "signInTimeout");
});

test("a sign-in started in another window that fails is reported here too", () => {
  let s = applyAccount(initialAccountState, view());
  s = applySignInEvent(s, { phase: "waiting", url: URL_A });
  assert.equal(accountPanel(s).mode, "signingIn");
  s = applySignInEvent(s, { phase: "failed", message: "The code was rejected." });
  assert.equal(accountPanel(s).mode, "signedOut");
  assert.deepEqual(s.error, { code: "signInFailed", message: "The code was rejected." });
});

test("cancelling is calm: a note, not an error, whether the event or the rejection comes first", () => {
  let s = beginRequest(applyAccount(initialAccountState, view()), "connect");
  s = applySignInEvent(s, { phase: "waiting", url: URL_A });
  s = beginRequest(s, "cancel");
  assert.equal(accountPanel(s).mode, "signingIn");
  assert.equal(accountPanel(s).cancelEnabled, false);
  s = applySignInEvent(s, { phase: "cancelled" });
  s = connectFailed(s, { code: "signInCancelled", message: "cancelled" });
  s = requestDone(s);
  assert.equal(accountPanel(s).mode, "signedOut");
  assert.equal(s.error, null);
  assert.equal(s.note.text, "Sign-in cancelled.");
});

test("signInBusy leaves the other sign-in on screen", () => {
  let s = applyAccount(initialAccountState, view({ signIn: { url: URL_A, startedAtMs: NOW } }));
  s = connectFailed(beginRequest(s, "connect"), { code: "signInBusy", message: "A sign-in is already waiting in the browser." });
  assert.equal(accountPanel(s).mode, "signingIn");
  assert.equal(s.error.code, "signInBusy");
});

test("disconnect: the backend's message is the note; not revoked is a warning that asks to remove access by hand", () => {
  let s = beginRequest(applyAccount(initialAccountState, connectedView), "disconnect");
  assert.equal(accountPanel(s).disconnectEnabled, false);
  const revoked = disconnectSucceeded(s, { revoked: true, message: "Disconnected; Google revoked access." });
  assert.deepEqual(revoked.note, { text: "Disconnected; Google revoked access.", tone: "info", revoked: true });
  const offline = disconnectSucceeded(s, { revoked: false, message: "Google could not be reached; remove access at https://myaccount.google.com/permissions" });
  assert.equal(offline.note.tone, "warning");
  assert.equal(offline.note.revoked, false);
  s = applyAccountChanged(offline, view({ canReconnect: true }), NOW);
  assert.equal(accountPanel(s).mode, "signedOut");
  assert.equal(s.note.tone, "warning", "the disconnect message outlives the switch back to the demo");
  assert.equal(s.signedInAtMs, 0, "disconnecting is not a sign-in");
});

test("a failed disconnect shows its message and ends the request", () => {
  const s = requestFailed(beginRequest(applyAccount(initialAccountState, connectedView), "disconnect"), { code: "keyring", message: "The keyring is locked." });
  assert.equal(s.pending, null);
  assert.equal(s.error.message, "The keyring is locked.");
});

test("account://changed to a connected account counts as a completed sign-in (for every window's fetch card)", () => {
  const s = applyAccountChanged(initialAccountState, connectedView, NOW);
  assert.equal(s.signedInAtMs, NOW);
  assert.deepEqual(cardContext(s), { signIn: null, signingIn: false, signedInAtMs: NOW });
});

test("the card context reports this window's pending sign-in and the waiting URL", () => {
  const s = applySignInEvent(beginRequest(initialAccountState, "connect"), { phase: "waiting", url: URL_A });
  assert.equal(cardContext(s).signingIn, true);
  assert.equal(cardContext(s).signIn.url, URL_A);
});

test("unknown sign-in phases change nothing", () => {
  assert.equal(applySignInEvent(initialAccountState, { phase: "later" }), initialAccountState);
  assert.equal(applySignInEvent(initialAccountState, null), initialAccountState);
});

test("source words: the account's address, else its label; the demo's label", () => {
  assert.equal(sourceWords({ kind: "account", label: "Gmail", email: "ada@example.com" }), "ada@example.com");
  assert.equal(sourceWords({ kind: "account", label: "Gmail account" }), "Gmail account");
  assert.equal(sourceWords({ kind: "demo", label: "Demo mailbox (500 messages)", email: "x@y" }), "Demo mailbox (500 messages)");
  assert.equal(sourceWords(null), "");
});

test("client secret path: trimmed, unquoted, file:// made a path, empty means the remembered client", () => {
  assert.equal(clientSecretPathOf("  /home/ada/Downloads/client_secret_1.json \n"), "/home/ada/Downloads/client_secret_1.json");
  assert.equal(clientSecretPathOf("'/home/ada/My Files/cs.json'"), "/home/ada/My Files/cs.json");
  assert.equal(clientSecretPathOf("\"/tmp/cs.json\""), "/tmp/cs.json");
  assert.equal(clientSecretPathOf("file:///home/ada/My%20Files/cs.json"), "/home/ada/My Files/cs.json");
  assert.equal(clientSecretPathOf("file:///C:/Users/ada/cs.json"), "C:/Users/ada/cs.json");
  assert.equal(clientSecretPathOf("   "), null);
  assert.equal(clientSecretPathOf("''"), null);
  assert.equal(clientSecretPathOf(undefined), null);
});

test("the app's connectedAtMs answers an older auth error even after a restart", () => {
  const loaded = applyAccount(initialAccountState, { ...connectedView, connectedAtMs: NOW - 1_000 });
  assert.equal(loaded.signedInAtMs, NOW - 1_000);
  const older = applyAccount(loaded, { ...connectedView, connectedAtMs: NOW - 5_000 });
  assert.equal(older.signedInAtMs, NOW - 1_000, "never goes back in time");
  const signedOut = applyAccount(initialAccountState, view({ connectedAtMs: NOW }));
  assert.equal(signedOut.signedInAtMs, 0, "a disconnected account answers nothing");
});

test("the demo mailbox's size is written with digit grouping", () => {
  assert.equal(sourceWords({ kind: "demo", label: "Demo mailbox (20000 messages)", messages: 20000 }), "Demo mailbox (20,000 messages)");
});
