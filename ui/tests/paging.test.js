//! Message list paging: range labels, edges, and stepping back after mail was removed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { clampOffset, pageInfo } from "../paging.js";

test("pageInfo: range label and next/previous at the edges", () => {
  assert.deepEqual(pageInfo(0, 50, 120), { label: "1–50 of 120", hasPrev: false, hasNext: true, prevOffset: 0, nextOffset: 50 });
  const last = pageInfo(100, 50, 120);
  assert.equal(last.label, "101–120 of 120");
  assert.equal(last.hasNext, false);
  assert.equal(last.hasPrev, true);
  assert.equal(pageInfo(0, 50, 0).label, "No messages");
});

test("clampOffset steps back to the last page after mail was removed", () => {
  assert.equal(clampOffset(100, 50, 90), 50);
  assert.equal(clampOffset(50, 50, 90), 50);
  assert.equal(clampOffset(50, 50, 0), 0);
});

test("pageInfo: a total that is only a floor reads as one, and the next page follows a full page", () => {
  const first = pageInfo(0, 50, 1000, { exact: false, shown: 50 });
  assert.equal(first.label, "1–50 of more than 1,000");
  assert.equal(first.hasNext, true);
  const deep = pageInfo(1000, 50, 1000, { exact: false, shown: 50 });
  assert.equal(deep.label, "1,001–1,050 of more than 1,000", "past the floor, still true");
  assert.equal(deep.hasNext, true);
  const end = pageInfo(1050, 50, 1000, { exact: false, shown: 20 });
  assert.equal(end.label, "1,051–1,070 of more than 1,000");
  assert.equal(end.hasNext, false, "a short page is the last");
});

test("a big mailbox's range and total are written with digit grouping", () => {
  assert.equal(pageInfo(100000, 50, 250000).label, "100,001–100,050 of 250,000");
});
