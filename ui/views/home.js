//! Home: the empty state with the fetch card before any mail exists; afterwards the mailbox at a glance.

import { h, setText } from "../dom.js";
import * as store from "../sync-store.js";
import { mountFetchCard } from "./fetch-card.js";
import { formatAbsolute, formatDuration, formatRelative } from "../time-format.js";
import { kindWords, statusWords, triggerWords } from "../run-words.js";
import { onTick } from "../clock.js";
import { sourceWords } from "../account-state.js";
import { formatCount } from "../number.js";


function stat(label, hint) {
  const value = h("span", { class: "stat-value" }, "—");
  const hintEl = h("span", { class: "stat-hint" }, hint);
  return { el: h("div", { class: "stat card" }, h("span", { class: "stat-label" }, label), value, hintEl), value, hint: hintEl };
}

export function mountHome(container) {
  const intro = h("header", { class: "page-header" },
    h("h1", { class: "page-title" }, "Home"),
    h("p", { class: "page-subtitle" }, ""));
  const empty = h("section", { class: "empty-hero", attrs: { "aria-labelledby": "empty-title" } },
    h("img", { src: "icon.png", alt: "", width: 72, height: 72, class: "empty-art" }),
    h("h2", { id: "empty-title" }, "Your mailbox, on this computer"),
    h("p", {}, "Inbox Sync copies your mail into a local database you can read and search offline. Fetch your mail to get started."));
  const cardSlot = h("div", { class: "card-slot" });
  const messages = stat("Messages", "stored on this computer");
  const links = stat("Links", "found in those messages");
  const defects = stat("Needs a look", "messages that parsed with problems");
  const stats = h("div", { class: "stats" }, messages.el, links.el, defects.el);
  const latestBody = h("dl", { class: "facts" });
  const latestSection = h("section", { class: "card latest-run", attrs: { "aria-labelledby": "latest-title" } },
    h("div", { class: "section-head" }, h("h2", { id: "latest-title" }, "Latest sync"), h("a", { href: "#/history", class: "text-link" }, "All syncs")),
    latestBody);
  const subtitle = intro.querySelector(".page-subtitle");

  container.append(intro, empty, cardSlot, stats, latestSection);
  const unmountCard = mountFetchCard(cardSlot);

  const fact = (label, value, title) => [h("dt", {}, label), h("dd", { title }, value)];

  const render = () => {
    const { counts, latest, source } = store.getState();
    const hasMail = (counts?.messages ?? 0) > 0 || Boolean(latest);
    empty.hidden = counts === null || hasMail;
    stats.hidden = !hasMail;
    latestSection.hidden = !latest;
    setText(subtitle, source ? `Mailbox: ${sourceWords(source)}` : "");
    if (counts) {
      setText(messages.value, formatCount(counts.messages));
      setText(links.value, formatCount(counts.links));
      setText(defects.value, formatCount(counts.withDefects));
      setText(defects.hint, counts.withDefects === 1 ? "message that parsed with problems" : "messages that parsed with problems");
    }
    if (latest) {
      const now = Date.now();
      const end = latest.finishedAt ?? now;
      const facts = [
        ...fact("Status", statusWords(latest)),
        ...fact("Started", formatRelative(latest.startedAt, now), formatAbsolute(latest.startedAt)),
        ...fact("Duration", formatDuration(end - latest.startedAt)),
        ...fact("Trigger", triggerWords(latest.trigger)),
        ...fact("Kind", kindWords(latest.kind)),
        ...fact("New messages", formatCount(latest.progress?.insertedEmails ?? 0)),
      ];
      // Put in only when they read differently: a page left alone is not styled and painted again.
      const html = facts.map((f) => f.outerHTML).join("");
      if (html !== shownFacts) {
        latestBody.replaceChildren(...facts);
        shownFacts = html;
      }
    }
  };
  let shownFacts = null;
  const clock = onTick(render, () => [store.getState().latest?.startedAt]);
  clock.render();
  const unsubscribe = store.subscribe(clock.render);
  store.refreshSummary();
  return () => { unsubscribe(); clock.stop(); unmountCard(); };
}
