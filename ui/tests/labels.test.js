//! The sidebar's label tree nests `Work/Clients` under `Work`, lists only the user's labels, and names ids in words.

import { test } from "node:test";
import assert from "node:assert/strict";
import { flattenTree, labelName, labelTree, unreadBadge } from "../labels.js";
import { routeFromHash } from "../routes.js";

const LABELS = [
  { id: "INBOX", name: "INBOX", kind: "system", unread: 3 },
  { id: "Label_13", name: "Work/Clients", kind: "user", unread: 0 },
  { id: "Label_12", name: "Work", kind: "user", unread: 1 },
  { id: "Label_1", name: "Receipts", kind: "user", unread: 0 },
];

test("nested user labels become a tree, system labels stay out", () => {
  const flat = flattenTree(labelTree(LABELS)).map((n) => [n.name, n.depth]);
  assert.deepEqual(flat, [["Receipts", 0], ["Work", 0], ["Clients", 1]]);
});

test("label ids read as names and unread counts as badges", () => {
  assert.equal(labelName(LABELS, "Label_12"), "Work");
  assert.equal(labelName(LABELS, "INBOX"), "Inbox");
  assert.equal(unreadBadge(LABELS, "INBOX"), "3");
  assert.equal(unreadBadge(LABELS, "Label_1"), "");
});

test("mail routes carry the label they list", () => {
  assert.equal(routeFromHash("#/inbox").label, "INBOX");
  assert.equal(routeFromHash("#/mail/STARRED").label, "STARRED");
  assert.equal(routeFromHash("#/mail/all").label, null);
  assert.equal(routeFromHash("#/mail/Label_12").label, "Label_12");
  assert.equal(routeFromHash("#/mail/Label_12").name, "inbox");
});
