//! Events and snapshots combine into one truthful { active, latest }, whatever order they arrive in.

import { test } from "node:test";
import assert from "node:assert/strict";
import { applyFinished, applyProgress, applySnapshot, initialSyncState, newer } from "../sync-reducer.js";
import { run, finished } from "./fixtures.js";

test("a progress event makes its run active and latest", () => {
  const s = applyProgress(initialSyncState, run({ id: 3 }));
  assert.equal(s.active.id, 3);
  assert.equal(s.latest.id, 3);
});

test("a finished event clears the active run and becomes latest", () => {
  let s = applyProgress(initialSyncState, run({ id: 3 }));
  s = applyFinished(s, finished({ id: 3, status: "aborted", errorTag: "cancelled" }));
  assert.equal(s.active, null);
  assert.equal(s.latest.status, "aborted");
});

test("a late progress event for a finished run does not resurrect it", () => {
  let s = applyFinished(initialSyncState, finished({ id: 3 }));
  s = applyProgress(s, run({ id: 3 }));
  assert.equal(s.active, null);
  assert.equal(s.latest.status, "success");
});

test("a snapshot answered before a finished event cannot undo that event", () => {
  let s = applyFinished(initialSyncState, finished({ id: 3 }));
  s = applySnapshot(s, { active: run({ id: 3 }), latest: run({ id: 3 }) });
  assert.equal(s.active, null, "the run is known to be over");
  assert.equal(s.latest.status, "success");
});

test("a snapshot with no active run clears a run we thought was active", () => {
  let s = applyProgress(initialSyncState, run({ id: 3 }));
  s = applySnapshot(s, { active: null, latest: finished({ id: 3, status: "error", errorTag: "network" }) });
  assert.equal(s.active, null);
  assert.equal(s.latest.status, "error");
});

test("a newer run started elsewhere replaces an older finished latest", () => {
  let s = applyFinished(initialSyncState, finished({ id: 3 }));
  s = applyProgress(s, run({ id: 4, trigger: "cli" }));
  assert.equal(s.active.id, 4);
  assert.equal(s.latest.id, 4);
});

test("progress for an older run never replaces a newer active run", () => {
  let s = applyProgress(initialSyncState, run({ id: 5 }));
  s = applyProgress(s, run({ id: 4 }));
  assert.equal(s.active.id, 5);
});

test("newer: higher id wins; same id prefers the finished view", () => {
  assert.equal(newer(run({ id: 2 }), run({ id: 3 })).id, 3);
  assert.equal(newer(finished({ id: 3 }), run({ id: 3 })).status, "success");
  assert.equal(newer(null, null), null);
});
