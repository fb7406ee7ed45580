//! Entry point: connects the sync and account stores, routes hashes to views, and keeps the sidebar's sync indicator true.

import { routeFromHash } from "./routes.js";
import * as store from "./sync-store.js";
import * as account from "./account-store.js";
import { cardTimes, fetchCardState } from "./fetch-card-state.js";
import { onTick } from "./clock.js";
import { cardContext, sourceWords } from "./account-state.js";
import { setText } from "./dom.js";
import { mountHome } from "./views/home.js";
import { mountInbox } from "./views/inbox.js";
import { mountHistory } from "./views/history.js";
import { mountSettings } from "./views/settings.js";
import { mountMailboxSwitcher } from "./views/mailbox-switcher.js";
import * as mailboxes from "./mailboxes-store.js";
import { waitForMailboxes } from "./views/startup.js";
import { currentLabels, mountSidebarMail } from "./views/sidebar-mail.js";
import { labelName, unreadBadge } from "./labels.js";
import { formatCount } from "./number.js";

const VIEWS = { home: mountHome, inbox: mountInbox, history: mountHistory, settings: mountSettings };

const main = document.getElementById("main");
let unmount = null;

function navigate() {
  const route = routeFromHash(location.hash);
  unmount?.();
  main.replaceChildren();
  main.dataset.route = route.name;
  const title = route.label && route.label !== "INBOX" && route.title === "Label" ? labelName(currentLabels(), route.label) : route.title;
  unmount = VIEWS[route.name](main, { ...route, title });
  document.title = `${title} — Inbox Sync`;
  for (const link of document.querySelectorAll(".nav a")) {
    if (link.getAttribute("href") === route.hash) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

/** The sidebar mirrors the card in every view, so a sync is visible even from Settings. */
function renderIndicator() {
  const s = store.getState();
  const card = fetchCardState(s.active, s.latest, Date.now(), { ownRunIds: s.ownRunIds, ...cardContext(account.getState()) });
  const el = document.getElementById("sync-indicator");
  el.dataset.state = card.state === "idle" && card.runId === null ? "never" : card.state;
  const busy = card.state === "running" || card.state === "throttled";
  const text = busy ? (card.state === "throttled" ? "Waiting on quota" : `Syncing · ${formatCount(card.counters.fetched)}`)
    : card.state === "signingIn" ? "Waiting for sign-in" : card.lastSynced;
  setText(el.querySelector(".indicator-text"), text);
  setText(document.getElementById("source-label"), sourceWords(s.source));
}

function renderInboxCount() {
  setText(document.getElementById("inbox-count"), unreadBadge(currentLabels(), "INBOX"));
}

// A database from an older version is updated before any view can read it; the window says how far.
await waitForMailboxes(main);
// The window's mailbox is chosen before any view asks for mail, so the first calls are already about it.
await mailboxes.init();
window.addEventListener("hashchange", navigate);
mountMailboxSwitcher(document.getElementById("mailbox-nav"));
mountSidebarMail(document.getElementById("mail-nav"), () => {
  renderInboxCount();
  // A label view opened before the labels arrived gets its name now.
  if (routeFromHash(location.hash).title === "Label") setText(main.querySelector(".page-title"), labelName(currentLabels(), routeFromHash(location.hash).label));
});
// Its "Last synced 3 min ago" stays true as time passes, like the card's.
const indicator = onTick(renderIndicator, () => { const s = store.getState(); return cardTimes(s.active, s.latest, account.getState()); });
store.subscribe(indicator.render);
account.subscribe(indicator.render);
// Subscribed before any view mounts, so the sync state is already reset when views reload their lists.
account.subscribeMailbox(() => store.resetForMailbox());
navigate();
indicator.render();
store.connect().catch((err) => console.error("sync store", err));
account.connect().catch((err) => console.error("account store", err));
mailboxes.connect().catch((err) => console.error("mailboxes store", err));
