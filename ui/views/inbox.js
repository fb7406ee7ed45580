//! Inbox: the fetch card, the synced mail (newest first, 50 a page, searchable) and the reading pane.

import { h, icon, setText } from "../dom.js";
import { ICONS } from "../icons.js";
import * as ipc from "../ipc.js";
import * as store from "../sync-store.js";
import * as account from "../account-store.js";
import { mountFetchCard } from "./fetch-card.js";
import { renderError, renderLoading, renderMessage, renderPlaceholder, renderThread } from "./message-detail.js";
import { PAGE_SIZE, clampOffset, pageInfo } from "../paging.js";
import { debounce } from "../debounce.js";
import { showNotice } from "../notice.js";
import { formatShortDate } from "../time-format.js";

const SEARCH_DEBOUNCE_MS = 200;
/** mail://changed can arrive with every batch; reloading the page more often than this only flickers. */
const RELOAD_MIN_INTERVAL_MS = 1000;

const isUnread = (m) => (m.labelIds ?? []).includes("UNREAD");

/** A row's senders: the conversation's participants (first names, up to three), else the sender. */
function fromLine(m) {
  const people = m.thread?.count > 1 ? (m.thread.participants ?? []) : [];
  if (people.length <= 1) return senderName(m.from);
  const names = people.map((p) => senderName(p).split(/\s+/)[0]);
  return names.length > 3 ? `${names.slice(0, 2).join(", ")} … ${names.at(-1)}` : names.join(", ");
}

function senderName(from) {
  const match = /^\s*"?([^"<]*?)"?\s*<[^>]+>\s*$/.exec(from ?? "");
  return (match && match[1]) || from || "(unknown sender)";
}

export function mountInbox(container, route = { title: "Inbox", label: "INBOX" }) {
  const search = h("input", {
    id: "search-input", type: "search", class: "search-input",
    placeholder: "Search mail — from: label: is:unread …",
    title: "Gmail's search words: from: to: subject: label: is:unread is:starred has:attachment has:link before: after: newer_than: older_than: \"phrase\" -word OR",
    autocomplete: "off", spellcheck: false, attrs: { "aria-label": "Search mail" },
  });
  const header = h("header", { class: "page-header page-header-row" },
    h("h1", { class: "page-title" }, route.title),
    h("label", { class: "search" }, icon(ICONS.search), search));
  const cardSlot = h("div", { class: "card-slot" });
  const list = h("ul", { id: "message-list", class: "message-list", attrs: { "aria-label": "Messages" } });
  const listStatus = h("p", { class: "list-status" });
  const rangeLabel = h("span", { class: "pager-label" });
  const prev = h("button", { type: "button", class: "btn btn-ghost btn-icon", title: "Newer messages", attrs: { "aria-label": "Newer messages" } }, icon(ICONS.chevronLeft));
  const next = h("button", { type: "button", class: "btn btn-ghost btn-icon", title: "Older messages", attrs: { "aria-label": "Older messages" } }, icon(ICONS.chevronRight));
  const pager = h("div", { class: "pager" }, rangeLabel, h("div", { class: "pager-buttons" }, prev, next));
  const detail = h("section", { id: "message-detail", class: "detail-pane", tabIndex: -1, attrs: { "aria-label": "Message" } });
  const layout = h("div", { class: "mail-layout card" },
    h("div", { class: "list-pane" }, list, listStatus, pager),
    detail);
  container.append(header, cardSlot, layout);
  container.classList.add("page-inbox");
  const unmountCard = mountFetchCard(cardSlot);
  renderPlaceholder(detail);

  let offset = 0;
  // keys[n]: where page n starts (the last row of page n - 1), so each page is read by key.
  let keys = [];
  let shown = [];
  let query = "";
  let selectedId = null;
  let listSeq = 0;
  let detailSeq = 0;
  let lastReload = 0;
  let reloadTimer = null;

  async function load({ keepScroll = false } = {}) {
    const seq = ++listSeq;
    list.setAttribute("aria-busy", "true");
    try {
      // Conversations unless searching: a search lists the messages it matches.
      const pageAt = () => ipc.listMessages(PAGE_SIZE, offset, query || undefined, route.label,
        offset > 0 ? keys[offset / PAGE_SIZE] : undefined, !query);
      let page = await pageAt();
      // (A total that is only a floor, `totalExact` false, says nothing of where the end is.)
      const pastEnd = page.totalExact !== false && clampOffset(offset, PAGE_SIZE, page.total) !== offset;
      if (offset > 0 && (page.messages.length === 0 || pastEnd)) {
        // The mail before this page went away: start again from the newest.
        offset = 0;
        keys = [];
        page = await pageAt();
      }
      if (seq !== listSeq) return; // a newer search or page already answered
      renderList(page, keepScroll);
    } catch (err) {
      if (seq !== listSeq) return;
      list.replaceChildren();
      setText(listStatus, `Couldn't load mail (${err.code}).`);
    } finally {
      if (seq === listSeq) list.removeAttribute("aria-busy");
    }
  }

  function renderList({ messages, total, totalExact }, keepScroll) {
    shown = messages;
    const now = Date.now();
    const scrollTop = list.scrollTop;
    list.replaceChildren(...messages.map((m) => h("li", {},
      h("button", {
        type: "button", class: isUnread(m) ? "message-item unread" : "message-item",
        dataset: { gmailId: m.gmailId, threadId: m.threadId, threadCount: String(m.thread?.count ?? 1) },
        title: isUnread(m) ? "Unread" : null,
        attrs: { "aria-current": m.gmailId === selectedId ? "true" : null },
        on: { click: () => (m.thread?.count > 1 ? select(m.gmailId, m.threadId) : select(m.gmailId)) },
      },
        h("span", { class: "mi-from" }, fromLine(m),
          m.thread?.count > 1 ? h("span", { class: "mi-count", title: `${m.thread.count} messages in this conversation` }, String(m.thread.count)) : null),
        h("time", { class: "mi-date", dateTime: new Date(m.dateMs ?? m.internalDateMs).toISOString() }, formatShortDate(m.dateMs ?? m.internalDateMs, now)),
        h("span", { class: "mi-subject" }, m.subject || "(no subject)"),
        h("span", { class: "mi-badges" },
          m.hasDefects ? h("span", { class: "badge badge-warning", title: "Parts of this message couldn't be read" }, icon(ICONS.warning)) : null,
          m.linkCount > 0 ? h("span", { class: "badge", title: `${m.linkCount} links` }, icon(ICONS.link), String(m.linkCount)) : null),
        h("span", { class: "mi-snippet" }, m.snippet ?? "")))));
    list.scrollTop = keepScroll ? scrollTop : 0;
    list.hidden = messages.length === 0;
    const info = pageInfo(offset, PAGE_SIZE, total, { exact: totalExact !== false, shown: messages.length });
    setText(rangeLabel, total ? info.label : "");
    prev.disabled = !info.hasPrev;
    next.disabled = !info.hasNext;
    pager.hidden = total === 0;
    setText(listStatus, total > 0 ? "" : query ? `No messages match “${query}”.` : route.label === "INBOX" || route.label == null ? "No mail yet. Fetch new emails to fill your inbox." : `No messages in ${route.title}.`);
  }

  /** Opens a message, or (with `threadId`) its conversation with that message expanded. */
  async function select(gmailId, threadId) {
    selectedId = gmailId;
    for (const b of list.querySelectorAll("[data-gmail-id]")) {
      if (b.dataset.gmailId === gmailId) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    }
    renderLoading(detail);
    if (threadId) await showThread(threadId, gmailId);
    else await showMessage(gmailId, false);
  }

  /** Shows a conversation top to bottom, older messages collapsed, `openId` expanded. */
  async function showThread(threadId, openId) {
    const seq = ++detailSeq;
    try {
      const messages = await ipc.getThread(threadId);
      if (seq !== detailSeq) return;
      const expand = (gmailId, pane) => showMessage(gmailId, false, pane);
      renderThread(detail, messages, expand, openId);
    } catch (err) {
      if (seq === detailSeq) renderError(detail, err);
    }
  }

  /**
   * Shows a message in `pane` (the reading pane, or its place in a conversation); `allowRemote`
   * re-renders its HTML with remote content (the bar's "Load").
   */
  async function showMessage(gmailId, allowRemote, pane = detail) {
    const seq = ++detailSeq;
    const actions = {
      loadRemote: () => showMessage(gmailId, true, pane),
      saveAttachment: (index) => ipc.saveAttachment(gmailId, index),
      openAttachment: (index) => ipc.openAttachment(gmailId, index),
      trustSender: async (sender, trusted) => {
        try {
          await ipc.setRemoteContent(sender, trusted);
        } catch (err) {
          showNotice(`Couldn't save that choice (${err.code}).`, { tone: "error" });
          return;
        }
        await showMessage(gmailId, trusted, pane);
      },
    };
    try {
      const result = await ipc.getMessage(gmailId, allowRemote);
      if (seq === detailSeq) renderMessage(pane, result, actions);
    } catch (err) {
      if (seq === detailSeq) renderError(pane, err);
    }
  }

  // Up/Down move through the list like a mail client; Enter/Space already activate the focused button.
  list.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const items = [...list.querySelectorAll("[data-gmail-id]")];
    const i = items.indexOf(document.activeElement);
    const target = items[Math.max(0, Math.min(items.length - 1, i + (e.key === "ArrowDown" ? 1 : -1)))];
    if (target) {
      e.preventDefault();
      target.focus();
      select(target.dataset.gmailId, Number(target.dataset.threadCount) > 1 ? target.dataset.threadId : undefined);
    }
  });

  const searchLater = debounce(() => { query = search.value.trim(); offset = 0; keys = []; load(); }, SEARCH_DEBOUNCE_MS);
  search.addEventListener("input", searchLater);
  search.addEventListener("keydown", (e) => { if (e.key === "Escape" && search.value) { search.value = ""; searchLater(); } });
  prev.addEventListener("click", () => { offset = pageInfo(offset, PAGE_SIZE, Infinity).prevOffset; load(); });
  next.addEventListener("click", () => {
    const last = shown[shown.length - 1];
    if (!last) return;
    offset += PAGE_SIZE;
    keys[offset / PAGE_SIZE] = { internalDateMs: last.internalDateMs ?? 0, gmailId: last.gmailId };
    load();
  });

  const reloadSoon = () => {
    const wait = Math.max(0, lastReload + RELOAD_MIN_INTERVAL_MS - Date.now());
    if (reloadTimer) return;
    reloadTimer = setTimeout(() => { reloadTimer = null; lastReload = Date.now(); load({ keepScroll: true }); }, wait);
  };
  const unsubscribeMail = store.subscribeMail(reloadSoon);
  // The end of a run settles the list even if the last mail://changed was coalesced away.
  let lastFinished = store.getState().finishedFloor;
  const unsubscribe = store.subscribe((s) => { if (s.finishedFloor !== lastFinished) { lastFinished = s.finishedFloor; reloadSoon(); } });

  // Another mailbox: the open message and the page position belong to the old one.
  const unsubscribeMailbox = account.subscribeMailbox(() => {
    offset = 0;
    keys = [];
    selectedId = null;
    detailSeq++;
    renderPlaceholder(detail);
    lastFinished = store.getState().finishedFloor;
    load();
  });

  load();
  return () => {
    unsubscribeMail(); unsubscribe(); unsubscribeMailbox(); unmountCard(); searchLater.cancel(); clearTimeout(reloadTimer);
    container.classList.remove("page-inbox");
  };
}
