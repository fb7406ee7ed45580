//! Gmail labels for the sidebar: which are shown, their display names, and nested names
//! (`Work/Clients`) as a tree. Pure.

import { formatCount } from "./number.js";

/** System labels the sidebar lists by their own entries (Inbox, Starred, Sent) or never. */
const SYSTEM_SHOWN_ELSEWHERE = new Set(["INBOX", "STARRED", "SENT"]);

/** The user's labels as a tree, sorted by name: [{ label, name, depth, children }]. */
export function labelTree(labels) {
  const user = (labels ?? []).filter((l) => l.kind === "user").sort((a, b) => a.name.localeCompare(b.name));
  const byName = new Map();
  const roots = [];
  for (const label of user) {
    const parts = label.name.split("/");
    const node = { label, name: parts[parts.length - 1], depth: parts.length - 1, children: [] };
    byName.set(label.name, node);
    const parent = byName.get(parts.slice(0, -1).join("/"));
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

/** Depth-first list of a tree's nodes, for rendering. */
export function flattenTree(nodes) {
  return nodes.flatMap((n) => [n, ...flattenTree(n.children)]);
}

/** A label id's name for people: the user's name for it, or Gmail's system name in words. */
export function labelName(labels, id) {
  const found = (labels ?? []).find((l) => l.id === id);
  if (found && found.kind === "user") return found.name;
  const words = { INBOX: "Inbox", SENT: "Sent", STARRED: "Starred", UNREAD: "Unread", IMPORTANT: "Important", DRAFT: "Drafts", SPAM: "Spam", TRASH: "Trash" };
  return words[id] ?? found?.name ?? id;
}

/** The unread count shown beside a view, or "" when nothing is unread. */
export function unreadBadge(labels, id) {
  const n = (labels ?? []).find((l) => l.id === id)?.unread ?? 0;
  return n > 0 ? formatCount(n) : "";
}

export function isShownElsewhere(id) {
  return SYSTEM_SHOWN_ELSEWHERE.has(id);
}
