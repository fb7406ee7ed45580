//! Search-as-you-type fires once, with the latest input, after typing pauses.

import { test } from "node:test";
import assert from "node:assert/strict";
import { debounce } from "../debounce.js";

test("debounce calls once, with the last arguments, after input goes quiet", () => {
  const pending = new Map();
  let nextId = 1;
  const timers = {
    setTimeout: (fn) => { const id = nextId++; pending.set(id, fn); return id; },
    clearTimeout: (id) => pending.delete(id),
  };
  const calls = [];
  const d = debounce((q) => calls.push(q), 200, timers);
  d("a"); d("ab"); d("abc");
  assert.equal(pending.size, 1, "earlier calls were cancelled");
  [...pending.values()][0]();
  assert.deepEqual(calls, ["abc"]);
});
