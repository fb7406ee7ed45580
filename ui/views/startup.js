//! The start-up card: shown in place of the views while the app updates a database from an
//! older version (or cannot open a mailbox), gone once the mailboxes are ready.

import { h, icon, setText } from "../dom.js";
import { ICONS } from "../icons.js";
import * as ipc from "../ipc.js";
import { startupCard } from "../startup-state.js";

/** Resolves once the app's mailboxes are open; until then `container` shows the card. */
export async function waitForMailboxes(container) {
  let ready;
  const done = new Promise((resolve) => { ready = resolve; });
  let card = null;
  const show = (view) => {
    const words = startupCard(view);
    if (!words) {
      card?.remove();
      ready();
      return;
    }
    card ??= mountCard(container);
    card.render(words);
  };
  // Listening first: a change between the answer and the listening is not lost.
  const unlisten = await ipc.onStartupChanged(show);
  show(await ipc.getStartup());
  await done;
  unlisten();
}

function mountCard(container) {
  const stateIcon = h("div", { class: "fc-icon" });
  const title = h("h2", { id: "startup-status", class: "fc-headline", attrs: { "aria-live": "polite" } });
  const detail = h("p", { id: "startup-detail", class: "fc-detail" });
  const fill = h("div", { class: "progress-fill" });
  const bar = h("div", {
    id: "startup-progress", class: "progress",
    attrs: { role: "progressbar", "aria-label": "Update progress", "aria-valuemin": 0, "aria-valuemax": 100 },
  }, fill);
  const percent = h("span", { class: "fc-progress-text" });
  const progress = h("div", { class: "fc-progress" }, bar, h("div", { class: "fc-progress-meta" }, percent));
  const el = h("section", { id: "startup-card", class: "card fetch-card startup-card" },
    h("div", { class: "fc-top" }, stateIcon, h("div", { class: "fc-text" }, title, detail)), progress);
  container.replaceChildren(el);
  let shownTone = null;
  return {
    remove: () => el.remove(),
    render({ tone, title: t, detail: d, percent: p, indicator }) {
      el.dataset.state = tone;
      // The sidebar says it too, rather than a bare dot; app.js takes it over once ready.
      const side = document.getElementById("sync-indicator");
      if (side) {
        side.dataset.state = indicator.state;
        setText(side.querySelector(".indicator-text"), indicator.text);
      }
      if (tone !== shownTone) {
        stateIcon.replaceChildren(icon(tone === "error" ? ICONS.alert : ICONS.refresh));
        shownTone = tone;
      }
      setText(title, t);
      setText(detail, d);
      progress.hidden = p == null;
      if (p != null) {
        fill.style.transform = `scaleX(${p / 100})`;
        bar.setAttribute("aria-valuenow", String(p));
        setText(percent, `${p} %`);
      }
    },
  };
}
