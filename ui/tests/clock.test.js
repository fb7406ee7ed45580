//! The page's clock wakes a view only when a time it shows would read differently, and follows what it shows.

import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { onTick } from "../clock.js";
import { NOW } from "./fixtures.js";

const S = 1000, M = 60 * S, H = 60 * M;

test("a view showing '2 h ago' is woken once, at '3 h ago', and not before", () => {
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: NOW });
  try {
    let renders = 0;
    const clock = onTick(() => { renders++; }, () => [NOW - 2 * H - 10 * M]);
    clock.render();
    assert.equal(renders, 1);
    mock.timers.tick(50 * M - 1);
    assert.equal(renders, 1, "asleep while the words hold");
    mock.timers.tick(200);
    assert.equal(renders, 2, "woken as it reads 3 h ago");
    mock.timers.tick(59 * M);
    assert.equal(renders, 2, "then asleep for the next hour");
    clock.stop();
  } finally {
    mock.timers.reset();
  }
});

test("a new time on screen ('just now') brings the wake forward; a stopped view is never woken", () => {
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: NOW });
  try {
    let shown = NOW - 3 * 24 * H;
    let renders = 0;
    const clock = onTick(() => { renders++; }, () => [shown]);
    clock.render();
    // A sync ends: the view now shows "just now", and says so by rendering through the clock.
    shown = Date.now();
    clock.render();
    assert.equal(renders, 2);
    mock.timers.tick(45 * S + 200);
    assert.equal(renders, 3, "woken at '1 min ago'");
    clock.stop();
    mock.timers.tick(24 * H);
    assert.equal(renders, 3, "stopped: never again");
  } finally {
    mock.timers.reset();
  }
});
