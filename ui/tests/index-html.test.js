//! index.html names every module app.js imports (directly or not) with `<link rel="modulepreload">`,
//! so WebKit fetches them all at once instead of one import level at a time (launch to the first
//! painted card at 250,000 messages, 12 launches each: median 894 → 833 ms). A module added to the
//! imports and not to the list, or left in the list after it is gone, fails here.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const ui = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Relative module paths reachable from `entry` through static and dynamic imports. */
function reachable(entry) {
  const seen = new Set();
  const stack = [entry];
  const pattern = /(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)|import\s+["'](\.[^"']+)["']/g;
  while (stack.length) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(join(ui, file), "utf8");
    for (const m of source.matchAll(pattern)) {
      stack.push(normalize(join(dirname(file), m[1] ?? m[2] ?? m[3])));
    }
  }
  seen.delete(entry);
  return [...seen].sort();
}

test("index.html preloads exactly the modules app.js imports", () => {
  const html = readFileSync(join(ui, "index.html"), "utf8");
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]).sort();
  const imported = reachable("app.js");
  assert.ok(imported.length > 10, `the imports were found: ${imported}`);
  assert.deepEqual(preloaded, imported);
});
