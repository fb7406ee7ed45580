//! Statuses, triggers, kinds and error tags are put in plain words, with a fallback for unknown values.

import { test } from "node:test";
import assert from "node:assert/strict";
import { errorWords, kindWords, phaseWords, statusWords, triggerWords } from "../run-words.js";
import { run, finished } from "./fixtures.js";

test("every documented error tag has its own plain-words headline", () => {
  const tags = ["auth", "rateLimit", "network", "gmail", "storage", "diskFull", "stalled", "internal", "cancelled", "stale", "leaseLost", "leaseExpired"];
  for (const tag of tags) assert.notEqual(errorWords(tag), errorWords("unknown-tag"), tag);
});

test("status words tell a user-stopped run from an interrupted one", () => {
  assert.equal(statusWords(finished({ status: "aborted", errorTag: "cancelled" })), "Stopped");
  assert.equal(statusWords(finished({ status: "aborted", errorTag: "stale" })), "Interrupted");
  assert.equal(statusWords(finished()), "Completed");
  assert.equal(statusWords(run({ isStale: true })), "Not responding");
});

test("triggers, kinds and phases have words, unknown values degrade gracefully", () => {
  assert.equal(triggerWords("cli"), "Command line");
  assert.equal(kindWords("incremental"), "Incremental");
  assert.equal(kindWords(null), "—");
  assert.equal(phaseWords("listing"), "Listing messages…");
  assert.equal(phaseWords(null), "Starting…");
});
