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
