//! Only web links (http, https) are ever handed to the system browser.

import { test } from "node:test";
import assert from "node:assert/strict";
import { isOpenableUrl } from "../link-policy.js";

test("only http and https links may be opened in the browser", () => {
  assert.equal(isOpenableUrl("https://example.com/a?b=c"), true);
  assert.equal(isOpenableUrl("http://example.com"), true);
  for (const bad of ["javascript:alert(1)", "file:///etc/passwd", "mailto:a@b.c", "data:text/html,hi", "ftp://x", "not a url", "", null]) {
    assert.equal(isOpenableUrl(bad), false, String(bad));
  }
});
