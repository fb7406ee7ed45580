//! The remote-content bar says blocked (with a count) or trusted, and nothing when there is nothing to say.

import { test } from "node:test";
import assert from "node:assert/strict";
import { inlineNote, remoteBar } from "../remote-content.js";

const html = (over) => ({ document: "", remoteBlocked: 0, remoteAllowed: false, inlineMissing: 0, ...over });

test("blocked remote content offers a bar with the count and the sender", () => {
  const bar = remoteBar({ html: html({ remoteBlocked: 3 }), sender: "a@b.example", senderTrusted: false });
  assert.equal(bar.kind, "blocked");
  assert.equal(bar.text, "Remote content blocked");
  assert.match(bar.detail, /^3 remote images or fonts not loaded/);
  assert.equal(bar.sender, "a@b.example");
  assert.match(remoteBar({ html: html({ remoteBlocked: 1 }) }).detail, /^1 remote image or font /);
  assert.equal(remoteBar({ html: html({ remoteBlocked: 1 }) }).sender, null, "no sender, no 'always load'");
});

test("a trusted sender's mail says it always loads; loaded by a click or nothing remote says nothing", () => {
  assert.equal(remoteBar({ html: html({ remoteAllowed: true }), sender: "a@b.example", senderTrusted: true }).kind, "trusted");
  assert.equal(remoteBar({ html: html({ remoteAllowed: true }), sender: "a@b.example", senderTrusted: false }), null);
  assert.equal(remoteBar({ html: html({}), sender: "a@b.example" }), null);
  assert.equal(remoteBar({ html: null }), null);
  assert.equal(remoteBar(), null);
});

test("missing inline images are counted in words", () => {
  assert.equal(inlineNote(html({})), null);
  assert.equal(inlineNote(html({ inlineMissing: 1 })), "1 inline image isn't in the stored message, so it isn't shown.");
  assert.match(inlineNote(html({ inlineMissing: 2 })), /^2 inline images aren't in the stored message/);
  assert.equal(inlineNote(html({ inlineMissing: 0, inlineShown: 3 })), null, "shown images need no note");
});
