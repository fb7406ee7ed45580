//! The fetch card: renders fetchCardState() into stable DOM (ids and data-state are the e2e tests' contract).

import { h, icon, setText } from "../dom.js";
import { formatCount } from "../number.js";
import { ICONS } from "../icons.js";
import { cardTimes, fetchCardState } from "../fetch-card-state.js";
import * as store from "../sync-store.js";
import * as account from "../account-store.js";
import { cardContext } from "../account-state.js";
import { openExternal } from "../open-external.js";
import { showNotice } from "../notice.js";
import { onTick } from "../clock.js";

const STATE_ICONS = {
  idle: ICONS.check, running: ICONS.refresh, throttled: ICONS.pause,
  interrupted: ICONS.interrupted, error: ICONS.alert, cancelled: ICONS.stop, signingIn: ICONS.external,
};

/** Reconnect reuses the remembered client; if that fails the user learns why (Settings shows the same, inline). */
async function reconnect() {
  const err = await account.connectAccount(null);
  if (err && err.code !== "signInCancelled") showNotice(err.message, { tone: "error", ms: 8000 });
}

function counter(id, label) {
  return h("div", { class: "counter" }, h("dd", { id, class: "counter-value" }, "0"), h("dt", { class: "counter-label" }, label));
}

export function mountFetchCard(container) {
  const status = h("h2", { id: "fetch-status", class: "fc-headline", attrs: { "aria-live": "polite" } });
  const detail = h("span", { class: "fc-detail-text" });
  const origin = h("span", { class: "fc-origin" });
  const stateIcon = h("div", { class: "fc-icon" });
  const stopLabel = h("span", {}, "Stop");
  const stopButton = h("button", { id: "stop-button", type: "button", class: "btn btn-secondary", on: { click: () => store.stop() } }, icon(ICONS.stop), stopLabel);
  const fetchLabel = h("span", {}, "Fetch new emails");
  const cancelSignInButton = h("button", { id: "cancel-sign-in-button", type: "button", class: "btn btn-secondary", hidden: true, on: { click: () => account.cancelSignIn() } }, "Cancel");
  let action = "fetch";
  const fetchButton = h("button", { id: "fetch-button", type: "button", class: "btn btn-primary", on: { click: () => (action === "reconnect" ? reconnect() : store.start()) } }, icon(ICONS.refresh), fetchLabel);
  const reopen = h("button", {
    id: "reopen-sign-in-card", type: "button", class: "inline-link fc-reopen", hidden: true,
    on: { click: () => openExternal(account.getState().signIn?.url) },
  }, "Open the sign-in page again");
  const fill = h("div", { class: "progress-fill" });
  const bar = h("div", { id: "progress-bar", class: "progress", attrs: { role: "progressbar", "aria-label": "Sync progress", "aria-valuemin": 0 } }, fill);
  const progressText = h("span", { class: "fc-progress-text" });
  const eta = h("span", { class: "fc-eta" });
  const lastSynced = h("p", { id: "last-synced", class: "fc-last" });
  const counters = h("dl", { class: "fc-counters" },
    counter("count-fetched", "fetched"), counter("count-inserted", "new"), counter("count-links", "links"));

  const card = h("section", { id: "fetch-card", class: "fetch-card card", attrs: { "aria-labelledby": "fetch-status" } },
    h("div", { class: "fc-top" },
      stateIcon,
      h("div", { class: "fc-text" }, status, h("p", { class: "fc-detail" }, detail, origin, reopen)),
      h("div", { class: "fc-actions" }, stopButton, cancelSignInButton, fetchButton)),
    h("div", { class: "fc-bottom" },
      counters,
      h("div", { class: "fc-progress" }, bar, h("div", { class: "fc-progress-meta" }, progressText, eta)),
      lastSynced));
  container.append(card);

  let shownState = null;
  const render = () => {
    const snap = store.getState();
    const s = fetchCardState(snap.active, snap.latest, Date.now(), { ownRunIds: snap.ownRunIds, ...cardContext(account.getState()) });
    action = s.action;
    if (card.dataset.state !== s.state) card.dataset.state = s.state;
    const iconKey = s.state === "idle" && s.runId === null ? "never" : s.state;
    if (shownState !== iconKey) {
      stateIcon.replaceChildren(icon(iconKey === "never" ? ICONS.mail : STATE_ICONS[s.state]));
      shownState = iconKey;
    }
    setText(status, s.headline);
    setText(detail, s.detail);
    setText(origin, s.origin ? ` · ${s.origin}` : "");
    setText(fetchLabel, snap.pending === "start" ? "Starting…" : s.fetchLabel);
    const focused = document.activeElement === fetchButton;
    fetchButton.disabled = !s.fetchEnabled || snap.pending !== null;
    stopButton.hidden = !s.showStop;
    stopButton.disabled = snap.pending !== null;
    setText(stopLabel, snap.pending === "stop" ? "Stopping…" : "Stop");
    cancelSignInButton.hidden = !s.showCancelSignIn;
    // Reconnect hands over to the browser; Cancel is then the one thing left to do here.
    if (focused && fetchButton.disabled && s.showCancelSignIn) cancelSignInButton.focus();
    reopen.hidden = !s.signInUrl;
    reopen.title = s.signInUrl ?? "";
    setText(card.querySelector("#count-fetched"), formatCount(s.counters.fetched));
    setText(card.querySelector("#count-inserted"), formatCount(s.counters.inserted));
    setText(card.querySelector("#count-links"), formatCount(s.counters.links));
    counters.classList.toggle("is-live", s.countersLive);
    renderProgress(s.progress);
    setText(eta, s.eta ?? "");
    setText(lastSynced, s.lastSynced);
  };

  const renderProgress = (p) => {
    bar.classList.toggle("is-idle", p === null);
    bar.classList.toggle("is-indeterminate", p?.indeterminate === true);
    if (p && !p.indeterminate) {
      bar.setAttribute("aria-valuenow", String(p.value));
      bar.setAttribute("aria-valuemax", String(p.max));
      bar.removeAttribute("aria-valuetext");
      fill.style.transform = `scaleX(${p.max > 0 ? p.value / p.max : 0})`;
      setText(progressText, `${formatCount(p.value)} of ${formatCount(p.max)}`);
    } else {
      // Indeterminate per ARIA: no valuenow; valuetext says what is known instead.
      bar.removeAttribute("aria-valuenow");
      bar.removeAttribute("aria-valuemax");
      if (p) bar.setAttribute("aria-valuetext", `${p.value} processed`);
      else bar.removeAttribute("aria-valuetext");
      fill.style.transform = "";
      setText(progressText, p ? `${p.value} processed` : "");
    }
  };

  const shownTimes = () => { const snap = store.getState(); return cardTimes(snap.active, snap.latest, account.getState()); };
  const clock = onTick(render, shownTimes);
  clock.render();
  const unsubscribe = store.subscribe(clock.render);
  const unsubscribeAccount = account.subscribe(clock.render);
  return () => { unsubscribe(); unsubscribeAccount(); clock.stop(); card.remove(); };
}
