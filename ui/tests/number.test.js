//! Counts are grouped as the user's language groups them, and as US English does under the C / POSIX locale.

import { test } from "node:test";
import assert from "node:assert/strict";
import { countLocale, formatCount } from "../number.js";

test("the C / POSIX locale's counts are grouped as US English groups them", () => {
  assert.equal(countLocale("en-US-u-va-posix"), "en-US");
  assert.equal(countLocale("en-US-POSIX"), "en-US");
  assert.equal(countLocale("und"), "en-US");
  assert.equal(countLocale(undefined), "en-US");
  assert.equal(new Intl.NumberFormat(countLocale("en-US-u-va-posix")).format(250000), "250,000");
});

test("a real locale is kept, with its own grouping", () => {
  assert.equal(countLocale("de-DE"), "de-DE");
  assert.equal(countLocale("fr-FR"), "fr-FR");
  assert.equal(new Intl.NumberFormat(countLocale("de-DE")).format(250000), "250.000");
});

test("counts are written with digit grouping", () => {
  assert.match(formatCount(250000), /^250\D000$/);
  assert.equal(formatCount(7), "7");
});
