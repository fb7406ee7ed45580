//! Relative times, absolute times, durations and ETAs read the way a person would say them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { formatAbsolute, formatDuration, formatEta, formatRelative, formatShortDate, msUntilRelativeChange } from "../time-format.js";
import { NOW } from "./fixtures.js";

const S = 1000, M = 60 * S, H = 60 * M, D = 24 * H;

test("relative: under 45 s is 'just now'", () => {
  assert.equal(formatRelative(NOW - 10 * S, NOW), "just now");
  assert.equal(formatRelative(NOW - 44 * S, NOW), "just now");
});

test("relative: a time in the future (clock skew) reads 'just now', never negative", () => {
  assert.equal(formatRelative(NOW + 5 * S, NOW), "just now");
});

test("relative: minutes, hours, yesterday, days", () => {
  assert.equal(formatRelative(NOW - 60 * S, NOW), "1 min ago");
  assert.equal(formatRelative(NOW - 3 * M, NOW), "3 min ago");
  assert.equal(formatRelative(NOW - 59 * M, NOW), "59 min ago");
  assert.equal(formatRelative(NOW - 2 * H - 10 * M, NOW), "2 h ago");
  assert.equal(formatRelative(NOW - 30 * H, NOW), "yesterday");
  assert.equal(formatRelative(NOW - 4 * D, NOW), "4 days ago");
});

test("relative: older than a week falls back to a date", () => {
  assert.equal(formatRelative(NOW - 30 * D, NOW, { locale: "en-US", timeZone: "UTC" }), "Apr 15");
});

test("relative: a missing time gives an empty string instead of 'NaN min ago'", () => {
  assert.equal(formatRelative(null, NOW), "");
});

test("absolute: date and time with the year, for tooltips", () => {
  const text = formatAbsolute(NOW, { locale: "en-US", timeZone: "UTC" });
  assert.match(text, /May 15, 2024/);
  assert.match(text, /12:00/);
});

test("short date: time today, month and day this year, with the year before", () => {
  const opts = { locale: "en-US", timeZone: "UTC" };
  assert.match(formatShortDate(NOW - 2 * H, NOW, opts), /^10:00\sAM$/);
  assert.equal(formatShortDate(Date.UTC(2024, 0, 3), NOW, opts), "Jan 3");
  assert.equal(formatShortDate(Date.UTC(2023, 11, 24), NOW, opts), "Dec 24, 2023");
});

test("duration: sub-second, seconds, minutes with seconds, hours with minutes", () => {
  assert.equal(formatDuration(400), "0.4 s");
  assert.equal(formatDuration(12 * S), "12 s");
  assert.equal(formatDuration(3 * M + 5 * S), "3 min 5 s");
  assert.equal(formatDuration(2 * M), "2 min");
  assert.equal(formatDuration(H + 2 * M + 30 * S), "1 h 2 min");
  assert.equal(formatDuration(3 * H), "3 h");
});

test("duration: negative or missing is a dash, not garbage", () => {
  assert.equal(formatDuration(-5), "—");
  assert.equal(formatDuration(NaN), "—");
});

test("ETA: coarse wording from seconds to hours", () => {
  assert.equal(formatEta(5 * S), "A few seconds left");
  assert.equal(formatEta(40 * S), "Less than a minute left");
  assert.equal(formatEta(3 * M), "About 3 min left");
  assert.equal(formatEta(H + 5 * M), "About 1 h 5 min left");
  assert.equal(formatEta(2 * H), "About 2 h left");
  assert.equal(formatEta(H + 59.8 * M), "About 2 h left");
});

test("ETA: an impossible remaining time yields no ETA", () => {
  assert.equal(formatEta(-1), null);
  assert.equal(formatEta(Infinity), null);
});

test("the wording holds exactly until msUntilRelativeChange says, then changes", () => {
  const utc = { locale: "en-US", timeZone: "UTC" };
  const diffs = [];
  for (let d = -2 * M; d < 8 * D; d += d < 2 * H ? 7 * S : 7 * M) diffs.push(d);
  diffs.push(44 * S, 45 * S, 89 * S, 90 * S, 150 * S, 59.5 * M, H - 1, H, D - 1, D, 2 * D - 1, 2 * D, 7 * D - 1);
  for (const diff of diffs) {
    const then = NOW - diff;
    const wait = msUntilRelativeChange(then, NOW);
    const now = formatRelative(then, NOW, utc);
    assert.ok(wait > 0, `${diff} ms ago: a wait ahead (${wait})`);
    assert.equal(formatRelative(then, NOW + wait - 1, utc), now, `${diff} ms ago reads "${now}" until ${wait} ms later`);
    if (diff + wait < 7 * D) {
      assert.notEqual(formatRelative(then, NOW + wait, utc), now, `${diff} ms ago changes ${wait} ms later`);
    }
  }
});

test("msUntilRelativeChange: the steps a person sees", () => {
  assert.equal(msUntilRelativeChange(NOW - 10 * S, NOW), 35 * S);
  assert.equal(msUntilRelativeChange(NOW - 60 * S, NOW), 30 * S);
  assert.equal(msUntilRelativeChange(NOW - 3 * M, NOW), 30 * S);
  assert.equal(msUntilRelativeChange(NOW - 2 * H - 10 * M, NOW), 50 * M);
  assert.equal(msUntilRelativeChange(NOW - 30 * H, NOW), 18 * H);
  assert.equal(msUntilRelativeChange(NOW - 30 * D, NOW), D);
  assert.equal(msUntilRelativeChange(NOW + 5 * S, NOW), 50 * S);
  assert.equal(msUntilRelativeChange(null, NOW), Infinity);
});
