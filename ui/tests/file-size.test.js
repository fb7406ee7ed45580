//! File sizes in the attachment list.

import { test } from "node:test";
import assert from "node:assert/strict";
import { formatFileSize } from "../file-size.js";

test("sizes read as people write them", () => {
  assert.equal(formatFileSize(0, "en-US"), "0 bytes");
  assert.equal(formatFileSize(1, "en-US"), "1 byte");
  assert.equal(formatFileSize(1000, "en-US"), "1,000 bytes");
  assert.equal(formatFileSize(1536, "en-US"), "1.5 KB");
  assert.equal(formatFileSize(14 * 1024, "en-US"), "14 KB");
  assert.equal(formatFileSize(2.4 * 1024 * 1024, "en-US"), "2.4 MB");
  assert.equal(formatFileSize(-5, "en-US"), "0 bytes", "nonsense reads as nothing");
});
