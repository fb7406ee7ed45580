//! The account store against a scripted backend: answers that arrive out of order must not bring back a finished request.

import { test } from "node:test";
import assert from "node:assert/strict";
import { accountPanel } from "../account-state.js";

/** A backend whose every invoke waits until the test answers it, in whatever order the test likes. */
function scriptedBackend() {
  const calls = [];
  globalThis.window = {
    __TAURI__: {
      core: {
        invoke(cmd, args) {
          return new Promise((resolve, reject) => calls.push({ cmd, args, resolve, reject }));
        },
      },
    },
  };
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return {
    calls,
    /** The oldest unanswered call of `cmd`. */
    async next(cmd) {
      await tick();
      const i = calls.findIndex((c) => c.cmd === cmd && !c.answered);
      assert.ok(i >= 0, `${cmd} was invoked (calls: ${calls.map((c) => c.cmd).join(", ")})`);
      calls[i].answered = true;
      return calls[i];
    },
    tick,
  };
}

let fresh = 0;
/** A store module of its own, with no state left over from another test. */
const freshStore = () => import(`../account-store.js?fresh=${fresh++}`);

const signedOut = { connected: false, email: null, canReconnect: false, signIn: null };
const connected = { connected: true, email: "you@example.com", tokenStore: "file", tokenLocation: "/d/credentials.json", canReconnect: true, signIn: null };
const waiting = { ...signedOut, signIn: { url: "http://127.0.0.1:1/o/oauth2/auth", startedAtMs: 1 } };

test("a get_account asked for while connecting but answered after connect_account does not make the sign-in pending again", async () => {
  const backend = scriptedBackend();
  const store = await freshStore();
  const done = store.refresh();
  (await backend.next("get_account")).resolve(signedOut);
  await done;

  const connecting = store.connectAccount("/tmp/client_secret.json");
  const connect = await backend.next("connect_account");
  // The sign-in "done" event makes the window refresh while connect_account's answer is on its way.
  const refreshing = store.refresh();
  const early = await backend.next("get_account");
  connect.resolve(connected);
  assert.equal(await connecting, null, "connecting succeeded");
  assert.equal(store.getState().pending, null);
  early.resolve(connected);
  // The early answer is read again, not applied on top of the finished request.
  (await backend.next("get_account")).resolve(connected);
  await refreshing;
  assert.equal(store.getState().pending, null, "no request is pending any more");
  assert.equal(accountPanel(store.getState()).mode, "connected", "Settings shows the connected account");
});

test("a get_account answer from while the browser was open, arriving after the sign-in ended, does not show it waiting", async () => {
  const backend = scriptedBackend();
  const store = await freshStore();
  const connecting = store.connectAccount("/tmp/client_secret.json");
  const connect = await backend.next("connect_account");
  const refreshing = store.refresh();
  const stale = await backend.next("get_account");
  connect.resolve(connected);
  await connecting;
  stale.resolve(waiting);
  (await backend.next("get_account")).resolve(connected);
  await refreshing;
  assert.equal(store.getState().signIn, null, "no sign-in is shown as waiting");
  assert.equal(accountPanel(store.getState()).mode, "connected");
});

test("a get_account answer that no request overtook is applied as it is", async () => {
  const backend = scriptedBackend();
  const store = await freshStore();
  const refreshing = store.refresh();
  (await backend.next("get_account")).resolve(connected);
  await refreshing;
  assert.equal(accountPanel(store.getState()).mode, "connected");
  assert.equal(backend.calls.filter((c) => c.cmd === "get_account").length, 1, "read once");
});

test("disconnecting ends its request even when a refresh started before it answers late", async () => {
  const backend = scriptedBackend();
  const store = await freshStore();
  const first = store.refresh();
  (await backend.next("get_account")).resolve(connected);
  await first;

  const refreshing = store.refresh();
  const early = await backend.next("get_account");
  const disconnecting = store.disconnect();
  (await backend.next("disconnect_account")).resolve({ revoked: true, message: "Disconnected you@example.com." });
  await backend.tick();
  early.resolve(connected);
  // disconnect's own refresh and the re-read of the overtaken one both ask again.
  for (let i = 0; i < 2; i += 1) (await backend.next("get_account")).resolve(signedOut);
  await Promise.all([refreshing, disconnecting]);
  assert.equal(store.getState().pending, null);
  assert.equal(accountPanel(store.getState()).mode, "signedOut", "the disconnected account is not shown connected again");
});
