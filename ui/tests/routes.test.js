//! Hash routes map to views; anything unknown lands on Home.

import { test } from "node:test";
import assert from "node:assert/strict";
import { routeFromHash } from "../routes.js";

test("routes: known hashes map to their view, anything else to Home", () => {
  assert.equal(routeFromHash("#/inbox").name, "inbox");
  assert.equal(routeFromHash("#/history/").name, "history");
  assert.equal(routeFromHash("#/settings").name, "settings");
  assert.equal(routeFromHash("").name, "home");
  assert.equal(routeFromHash("#/nope").name, "home");
});
