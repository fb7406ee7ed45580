//! Every fetch card state and the precedence between them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { cardTimes, fetchCardState } from "../fetch-card-state.js";
import { msUntilRelativeChange } from "../time-format.js";
import { NOW, run, finished } from "./fixtures.js";

test("never synced: idle, fetch enabled, says Never synced", () => {
  const s = fetchCardState(null, null, NOW);
  assert.equal(s.state, "idle");
  assert.equal(s.fetchEnabled, true);
  assert.equal(s.showStop, false);
  assert.equal(s.lastSynced, "Never synced");
  assert.equal(s.progress, null);
  assert.deepEqual(s.counters, { fetched: 0, inserted: 0, links: 0 });
});

test("after a successful run: idle with 'Last synced 3 min ago' and the run's counters", () => {
  const s = fetchCardState(null, finished(), NOW);
  assert.equal(s.state, "idle");
  assert.equal(s.fetchLabel, "Fetch new emails");
  assert.equal(s.lastSynced, "Last synced 3 min ago");
  assert.deepEqual(s.counters, { fetched: 250, inserted: 200, links: 900 });
  assert.equal(s.countersLive, false);
});

test("running: Sync in progress…, fetch disabled, Stop shown, live counters and a determinate bar", () => {
  const r = run();
  const s = fetchCardState(r, r, NOW, { ownRunIds: [7] });
  assert.equal(s.state, "running");
  assert.equal(s.headline, "Sync in progress…");
  assert.equal(s.fetchEnabled, false);
  assert.equal(s.showStop, true);
  assert.equal(s.countersLive, true);
  assert.deepEqual(s.counters, { fetched: 250, inserted: 200, links: 900 });
  assert.deepEqual(s.progress, { indeterminate: false, value: 250, max: 1000 });
  assert.equal(s.origin, null, "a run this window started needs no origin note");
});

test("running with totalEstimate null: indeterminate bar and no ETA", () => {
  const s = fetchCardState(run({ totalEstimate: null, phase: "history", kind: "incremental" }), null, NOW);
  assert.equal(s.progress.indeterminate, true);
  assert.equal(s.progress.max, null);
  assert.equal(s.eta, null);
  assert.equal(s.detail, "Checking for changes…");
});

test("running with totalEstimate 0 is treated as unknown, not as a full bar", () => {
  const s = fetchCardState(run({ totalEstimate: 0 }), null, NOW);
  assert.equal(s.progress.indeterminate, true);
});

test("ETA extrapolates the average rate: 250 of 1000 in 60 s leaves about 3 min", () => {
  const s = fetchCardState(run(), null, NOW);
  assert.equal(s.eta, "About 3 min left");
});

test("no ETA in the first seconds or before any message is processed", () => {
  assert.equal(fetchCardState(run({ startedAt: NOW - 1000 }), null, NOW).eta, null);
  assert.equal(fetchCardState(run({ progress: { processedEmails: 0 } }), null, NOW).eta, null);
});

test("processed beyond the estimate clamps the bar to full and shows no ETA", () => {
  const s = fetchCardState(run({ progress: { processedEmails: 1200 } }), null, NOW);
  assert.deepEqual(s.progress, { indeterminate: false, value: 1000, max: 1000 });
  assert.equal(s.eta, null);
});

test("throttled: 'Waiting on Gmail quota', still running (fetch disabled, Stop shown, no ETA)", () => {
  const s = fetchCardState(run({ phase: "throttled" }), null, NOW);
  assert.equal(s.state, "throttled");
  assert.equal(s.headline, "Waiting on Gmail quota");
  assert.equal(s.fetchEnabled, false);
  assert.equal(s.showStop, true);
  assert.equal(s.eta, null);
});

test("a command-line run shows progress, disables fetch, and offers no Stop it cannot honour", () => {
  const s = fetchCardState(run({ trigger: "cli" }), null, NOW);
  assert.equal(s.state, "running");
  assert.equal(s.fetchEnabled, false);
  assert.equal(s.showStop, false);
  assert.equal(s.origin, "Started from the command line");
});

test("a button run started in another window says so and can still be stopped here", () => {
  const s = fetchCardState(run({ trigger: "button" }), null, NOW, { ownRunIds: [3] });
  assert.equal(s.origin, "Started from another window");
  assert.equal(s.showStop, true);
  assert.equal(s.fetchEnabled, false);
});

test("tray, launch and schedule runs name their origin", () => {
  assert.equal(fetchCardState(run({ trigger: "tray" }), null, NOW).origin, "Started from the tray menu");
  assert.equal(fetchCardState(run({ trigger: "launch" }), null, NOW).origin, "Started when the app opened");
  assert.equal(fetchCardState(run({ trigger: "schedule" }), null, NOW).origin, "Scheduled sync");
});

test("a stale active run: 'Last sync interrupted', fetch enabled, no Stop, no progress", () => {
  const s = fetchCardState(run({ isStale: true, lastHeartbeatAt: NOW - 120_000 }), null, NOW);
  assert.equal(s.state, "interrupted");
  assert.equal(s.headline, "Last sync interrupted");
  assert.equal(s.fetchEnabled, true);
  assert.equal(s.showStop, false);
  assert.equal(s.progress, null);
  assert.equal(s.lastSynced, "Last heard from 2 min ago");
});

test("latest aborted with tag stale: 'Last sync interrupted', fetch enabled", () => {
  const s = fetchCardState(null, finished({ status: "aborted", errorTag: "stale" }), NOW);
  assert.equal(s.state, "interrupted");
  assert.equal(s.headline, "Last sync interrupted");
  assert.equal(s.fetchEnabled, true);
});

test("latest aborted with lease tags or no tag also reads as interrupted, never as success", () => {
  for (const errorTag of ["leaseLost", "leaseExpired", null]) {
    assert.equal(fetchCardState(null, finished({ status: "aborted", errorTag }), NOW).state, "interrupted", String(errorTag));
  }
});

test("latest aborted with tag cancelled: 'Sync stopped', fetch enabled", () => {
  const s = fetchCardState(null, finished({ status: "aborted", errorTag: "cancelled" }), NOW);
  assert.equal(s.state, "cancelled");
  assert.equal(s.headline, "Sync stopped");
  assert.equal(s.fetchEnabled, true);
  assert.equal(s.lastSynced, "Stopped 3 min ago");
});

test("error: the tag's plain words and a 'Try again' button", () => {
  const cases = {
    network: "Couldn't reach Gmail. Check your connection and try again.",
    rateLimit: "Gmail's quota ran out; try again in a few minutes",
    stalled: "The sync stopped making progress",
    storage: "Couldn't save mail on this computer",
    diskFull: "The disk is full",
  };
  for (const [errorTag, headline] of Object.entries(cases)) {
    const s = fetchCardState(null, finished({ status: "error", errorTag, errorMessage: "raw detail" }), NOW);
    assert.equal(s.state, "error", errorTag);
    assert.equal(s.headline, headline, errorTag);
    assert.equal(s.fetchLabel, "Try again");
    assert.equal(s.fetchEnabled, true);
    assert.equal(s.action, "fetch", `${errorTag}: only a refused sign-in asks to reconnect`);
    assert.ok(!s.headline.includes("raw detail"), "raw error text never becomes the headline");
  }
});

test("an error with an unknown tag still reads as a failure in plain words", () => {
  const s = fetchCardState(null, finished({ status: "error", errorTag: "somethingNew" }), NOW);
  assert.equal(s.state, "error");
  assert.equal(s.headline, "The sync failed");
});

test("an unknown status is shown as an error, not as idle", () => {
  assert.equal(fetchCardState(null, finished({ status: "weird" }), NOW).state, "error");
});

test("precedence: a live active run beats an older error, stale or cancelled latest", () => {
  for (const latest of [
    finished({ id: 6, status: "error", errorTag: "network" }),
    finished({ id: 6, status: "aborted", errorTag: "stale" }),
    finished({ id: 6, status: "aborted", errorTag: "cancelled" }),
  ]) {
    assert.equal(fetchCardState(run({ id: 7 }), latest, NOW).state, "running");
  }
});

test("precedence: a stale active run beats a successful latest (interrupted, not idle)", () => {
  const s = fetchCardState(run({ id: 7, isStale: true }), finished({ id: 6 }), NOW);
  assert.equal(s.state, "interrupted");
});

test("latest still running with no active known is shown as running (get_latest answered first)", () => {
  const s = fetchCardState(null, run(), NOW);
  assert.equal(s.state, "running");
});

test("latest running and stale with no active is interrupted", () => {
  assert.equal(fetchCardState(null, run({ isStale: true }), NOW).state, "interrupted");
});

const authError = (overrides = {}) => finished({ status: "error", errorTag: "auth", errorMessage: "invalid_grant", ...overrides });

test("auth error: 'Reconnect your Gmail account', the mail is kept, and the button reconnects", () => {
  const s = fetchCardState(null, authError(), NOW);
  assert.equal(s.state, "error");
  assert.equal(s.headline, "Reconnect your Gmail account");
  assert.match(s.detail, /no longer accepts the saved sign-in/);
  assert.match(s.detail, /mail synced so far is kept/);
  assert.equal(s.action, "reconnect");
  assert.equal(s.fetchLabel, "Reconnect");
  assert.equal(s.fetchEnabled, true);
  assert.equal(s.showCancelSignIn, false);
  assert.equal(s.lastSynced, "Failed 3 min ago");
});

test("every other state keeps the fetch action", () => {
  for (const [a, l] of [[null, null], [run(), null], [null, finished()], [null, finished({ status: "aborted", errorTag: "cancelled" })], [null, finished({ status: "error", errorTag: null })]]) {
    const s = fetchCardState(a, l, NOW);
    assert.equal(s.action, "fetch", s.state);
    assert.equal(s.showCancelSignIn, false, s.state);
    assert.equal(s.signInUrl, null, s.state);
  }
});

test("an auth tag on an aborted run is not a refused sign-in", () => {
  assert.equal(fetchCardState(null, finished({ status: "aborted", errorTag: "auth" }), NOW).action, "fetch");
});

test("precedence: a running sync wins over an older auth error", () => {
  const s = fetchCardState(run({ id: 7 }), authError({ id: 6 }), NOW);
  assert.equal(s.state, "running");
  assert.equal(s.action, "fetch");
});

test("precedence: a running sync wins even while a sign-in waits in the browser", () => {
  const s = fetchCardState(run({ id: 7 }), authError({ id: 6 }), NOW, { signIn: { url: "https://accounts.google.com/o", startedAtMs: NOW } });
  assert.equal(s.state, "running");
  assert.equal(s.showCancelSignIn, false);
});

test("after a later successful run there is nothing to reconnect", () => {
  const s = fetchCardState(null, finished({ id: 8 }), NOW);
  assert.equal(s.state, "idle");
  assert.equal(s.action, "fetch");
  assert.equal(s.fetchLabel, "Fetch new emails");
});

test("while the reconnect sign-in waits in the browser: waiting words, the page's URL, Cancel, no second Reconnect", () => {
  const url = "https://accounts.google.com/o/oauth2/v2/auth?client_id=x";
  const s = fetchCardState(null, authError(), NOW, { signIn: { url, startedAtMs: NOW - 5_000 } });
  assert.equal(s.state, "signingIn");
  assert.equal(s.headline, "Waiting for you to finish in the browser…");
  assert.equal(s.signInUrl, url);
  assert.equal(s.showCancelSignIn, true);
  assert.equal(s.fetchEnabled, false, "a second sign-in would only collide with the first");
  assert.equal(s.action, "reconnect");
});

test("reconnect asked but the browser page not yet known: waiting, without a link", () => {
  const s = fetchCardState(null, authError(), NOW, { signingIn: true });
  assert.equal(s.state, "signingIn");
  assert.equal(s.signInUrl, null);
  assert.equal(s.fetchEnabled, false);
});

test("a sign-in completed after the auth error brings the normal fetch button back", () => {
  const s = fetchCardState(null, authError(), NOW, { signedInAtMs: NOW - 10_000 });
  assert.equal(s.state, "idle");
  assert.equal(s.action, "fetch");
  assert.equal(s.fetchLabel, "Fetch new emails");
  assert.equal(s.fetchEnabled, true);
  assert.equal(s.lastSynced, "Reconnected just now");
});

test("a sign-in completed before the auth error does not answer it", () => {
  const s = fetchCardState(null, authError(), NOW, { signedInAtMs: NOW - 600_000 });
  assert.equal(s.action, "reconnect");
});

test("without a sign-in under way, the card's state is always one of the six documented data-state values", () => {
  const allowed = new Set(["idle", "running", "throttled", "interrupted", "error", "cancelled"]);
  const inputs = [
    [null, null], [run(), null], [run({ phase: "throttled" }), null], [run({ isStale: true }), null],
    [null, finished()], [null, finished({ status: "error" })], [null, finished({ status: "aborted", errorTag: "cancelled" })],
    [null, finished({ status: "aborted", errorTag: "stale" })],
  ];
  for (const [a, l] of inputs) assert.ok(allowed.has(fetchCardState(a, l, NOW).state));
});

test("the card's relative time reads the same until the page's clock wakes for one of cardTimes", () => {
  const H = 3_600_000;
  const cases = [
    [null, finished({ finishedAt: NOW - 10_000 }), {}],
    [null, finished({ finishedAt: NOW - 2 * H - 600_000 }), {}],
    [null, finished({ status: "error", errorTag: "network", finishedAt: NOW - 5 * 60_000 }), {}],
    [null, finished({ status: "error", errorTag: "auth", finishedAt: NOW - 3 * H }), { signedInAtMs: NOW - 20_000 }],
    [run({ startedAt: NOW - 70_000 }), null, {}],
    [run({ isStale: true, lastHeartbeatAt: NOW - 4 * 60_000 }), null, {}],
  ];
  for (const [active, latest, context] of cases) {
    const wait = Math.min(...cardTimes(active, latest, context).map((t) => msUntilRelativeChange(t, NOW)));
    const words = fetchCardState(active, latest, NOW, context).lastSynced;
    assert.ok(Number.isFinite(wait), `a wake ahead for "${words}"`);
    assert.equal(fetchCardState(active, latest, NOW + wait - 1, context).lastSynced, words, `"${words}" holds until the wake`);
  }
});
