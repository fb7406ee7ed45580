//! The start-up card: nothing once ready, the update's step and share while a database is
//! updated, the reason when the mailbox cannot be opened.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startupCard } from "../startup-state.js";

test("a ready start shows no card", () => {
  assert.equal(startupCard({ state: "ready" }), null);
});

test("an update shows its step, its mail and the share done, rounded down", () => {
  const card = startupCard({
    state: "upgrading",
    upgrade: { step: 1, steps: 5, what: "building the search index", messages: 250000, done: 0.4299 },
  });
  assert.equal(card.tone, "running");
  assert.equal(card.percent, 42);
  assert.match(card.detail, /^Building the search index \(step 1 of 5\) · 250,?000 messages\./);
});

test("an update that has not said its steps yet still reads as one, at 0 %", () => {
  const card = startupCard({ state: "upgrading", upgrade: { step: 0, steps: 0, what: "checking the database", messages: 0, done: 0 } });
  assert.equal(card.percent, 0);
  assert.match(card.detail, /^Checking the database\./);
});

test("the share shown never passes 100 % nor drops below 0", () => {
  assert.equal(startupCard({ state: "upgrading", upgrade: { done: 1.2 } }).percent, 100);
  assert.equal(startupCard({ state: "upgrading", upgrade: { done: -1 } }).percent, 0);
});

test("a failed start says why and how to leave", () => {
  const card = startupCard({ state: "failed", error: { code: "newerSchema", message: "This database was written by a newer Inbox Sync." } });
  assert.equal(card.tone, "error");
  assert.equal(card.percent, null);
  assert.match(card.detail, /newer Inbox Sync\. Close this window to quit\.$/);
});

test("a failed start's reason reads as a sentence before how to leave", () => {
  const card = startupCard({ state: "failed", error: { code: "storage", message: "database error: table inline_images already exists" } });
  assert.equal(card.detail, "Database error: table inline_images already exists. Close this window to quit.");
});

test("the sidebar says an update is running, with its share, and not that a sync is", () => {
  const card = startupCard({ state: "upgrading", upgrade: { step: 2, steps: 5, what: "counting labels", messages: 10, done: 0.5 } });
  assert.deepEqual(card.indicator, { state: "updating", text: "Updating · 50 %" });
  const failed = startupCard({ state: "failed", error: { message: "the disk is full" } });
  assert.deepEqual(failed.indicator, { state: "error", text: "Mailbox not opened" });
});
