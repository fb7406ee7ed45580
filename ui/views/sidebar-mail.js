//! The sidebar's mail views: Starred, Sent, All mail and the user's labels (nested names as a
//! tree), each with its unread count; reloaded when the mail or the mailbox changes.

import { h, icon } from "../dom.js";
import { ICONS } from "../icons.js";
import * as ipc from "../ipc.js";
import * as store from "../sync-store.js";
import * as account from "../account-store.js";
import { MAIL_VIEWS, mailHash } from "../routes.js";
import { flattenTree, labelTree, unreadBadge } from "../labels.js";

const VIEW_ICONS = { STARRED: ICONS.star, SENT: ICONS.send, all: ICONS.stack };

/** The labels last loaded, for views that name label ids (the inbox title, message chips). */
let current = [];
export const currentLabels = () => current;

function link(hash, iconPaths, text, badge, depth = 0) {
  // Nesting by class: the window's CSP allows no inline styles.
  return h("a", { href: hash, class: depth ? `nav-depth-${Math.min(depth, 3)}` : null },
    icon(iconPaths), h("span", { class: "nav-text" }, text), badge ? h("span", { class: "nav-count" }, badge) : null);
}

export function mountSidebarMail(container, onChange) {
  let seq = 0;
  async function load() {
    const mine = ++seq;
    try {
      const labels = await ipc.listLabels();
      if (mine !== seq) return;
      current = labels;
      render();
      onChange?.();
    } catch (err) {
      console.error("labels", err);
    }
  }
  function render() {
    const views = MAIL_VIEWS.map((v) => link(mailHash(v.key), VIEW_ICONS[v.key] ?? ICONS.mail, v.title, v.label ? unreadBadge(current, v.label) : ""));
    const tree = flattenTree(labelTree(current));
    const labelLinks = tree.map((n) => link(mailHash(n.label.id), ICONS.tag, n.name, unreadBadge(current, n.label.id), n.depth));
    const heading = tree.length ? [h("p", { class: "nav-heading" }, "Labels")] : [];
    container.replaceChildren(...views, ...heading, ...labelLinks);
  }
  render();
  store.subscribeMail(load);
  account.subscribeMailbox(load);
  load();
}
