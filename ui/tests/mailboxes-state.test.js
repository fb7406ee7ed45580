//! The switcher's picture of every mailbox: each row follows its own runs' events, an old event never undoes a newer
//! one, and a window whose mailbox went away shows the first.

import { test } from "node:test";
import assert from "node:assert/strict";
import { applyMailboxList, applyMailboxRun, chooseMailbox, initialMailboxesState, mailboxRow } from "../mailboxes-state.js";

const LIST = [
  { key: "a@example.com", source: { kind: "account", label: "Gmail: a@example.com", email: "a@example.com" }, active: null, latest: null },
  { key: "b@example.com", source: { kind: "account", label: "Gmail: b@example.com", email: "b@example.com" }, active: null, latest: null },
];

const run = (mailbox, id, extra = {}) => ({ mailbox, id, isStale: false, finishedAt: null, totalEstimate: 1200, progress: { processedEmails: 340 }, ...extra });

test("a run's events move only its own mailbox's row", () => {
  let s = applyMailboxList(initialMailboxesState, LIST);
  s = applyMailboxRun(s, run("b@example.com", 4));
  assert.equal(mailboxRow(s.list[0]).status, "idle");
  assert.deepEqual(mailboxRow(s.list[1]), { key: "b@example.com", name: "b@example.com", status: "syncing", detail: `Syncing 340 of ${(1200).toLocaleString()}` });
  s = applyMailboxRun(s, run("b@example.com", 4, { finishedAt: 10, status: "success" }));
  assert.equal(mailboxRow(s.list[1]).status, "idle");
  assert.equal(s.list[1].latest.status, "success");
});

test("a late progress event of an ended run does not bring it back", () => {
  let s = applyMailboxList(initialMailboxesState, LIST);
  s = applyMailboxRun(s, run("a@example.com", 7, { finishedAt: 10 }));
  s = applyMailboxRun(s, run("a@example.com", 6));
  assert.equal(s.list[0].active, null);
  assert.equal(s.list[0].latest.id, 7);
});

test("events of a mailbox not listed, or without one, change nothing", () => {
  const s = applyMailboxList(initialMailboxesState, LIST);
  assert.equal(applyMailboxRun(s, run("gone@example.com", 1)), s);
  assert.equal(applyMailboxRun(s, { id: 1 }), s);
});

test("a stale run reads as not responding", () => {
  const s = applyMailboxRun(applyMailboxList(initialMailboxesState, LIST), run("a@example.com", 2, { isStale: true }));
  assert.deepEqual([mailboxRow(s.list[0]).status, mailboxRow(s.list[0]).detail], ["stale", "Not responding"]);
});

test("a window keeps its mailbox while it exists, else shows the first", () => {
  assert.equal(chooseMailbox(LIST, "b@example.com"), "b@example.com");
  assert.equal(chooseMailbox(LIST, "demo"), "a@example.com");
  assert.equal(chooseMailbox(LIST, null), "a@example.com");
  assert.equal(chooseMailbox([], "demo"), "demo");
});
