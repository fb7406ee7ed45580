//! Settings: auto-sync on launch, periodic interval and mailbox source; each change is saved at once.

import { h, setText } from "../dom.js";
import * as ipc from "../ipc.js";

const INTERVALS = [[0, "Off"], [5, "Every 5 minutes"], [15, "Every 15 minutes"], [60, "Every hour"]];

function row(label, hint, control, labelFor) {
  return h("div", { class: "setting" },
    h("div", { class: "setting-text" }, h("label", { class: "setting-label", htmlFor: labelFor }, label), h("p", { class: "setting-hint", id: `${labelFor}-hint` }, hint)),
    h("div", { class: "setting-control" }, control));
}

export function mountSettings(container) {
  const autoSync = h("input", { id: "setting-auto-sync", type: "checkbox", class: "switch", attrs: { role: "switch", "aria-describedby": "setting-auto-sync-hint" } });
  const interval = h("select", { id: "setting-interval", class: "select", attrs: { "aria-describedby": "setting-interval-hint" } },
    INTERVALS.map(([v, label]) => h("option", { value: String(v) }, label)));
  const source = h("select", { id: "setting-source", class: "select", attrs: { "aria-describedby": "setting-source-hint" } },
    h("option", { value: "demo" }, "Demo mailbox"),
    h("option", { value: "account", disabled: true }, "Gmail account"));
  const saved = h("p", { class: "save-status", attrs: { role: "status" } });
  const form = h("form", { class: "card settings-card", on: { submit: (e) => e.preventDefault() } },
    h("h2", { class: "section-title" }, "Syncing"),
    row("Sync when the app opens", "Fetch new mail each time Inbox Sync starts.", autoSync, "setting-auto-sync"),
    row("Sync periodically", "Check for new mail in the background while the app runs.", interval, "setting-interval"),
    h("h2", { class: "section-title" }, "Mailbox"),
    row("Source", "The demo mailbox works offline. Connect Gmail — coming soon.", source, "setting-source"));
  container.append(h("header", { class: "page-header" }, h("h1", { class: "page-title" }, "Settings")), form, saved);

  let current = null;
  const show = (s) => {
    current = s;
    autoSync.checked = s.autoSyncOnLaunch;
    interval.value = String(s.syncIntervalMinutes);
    source.value = s.source;
  };
  const setDisabled = (d) => { for (const c of [autoSync, interval, source]) c.disabled = d; };

  async function save() {
    const next = { autoSyncOnLaunch: autoSync.checked, syncIntervalMinutes: Number(interval.value), source: source.value };
    setText(saved, "Saving…");
    try {
      show(await ipc.setSettings(next));
      setText(saved, "Saved");
    } catch (err) {
      if (current) show(current); // the controls must not claim a value that was not stored
      setText(saved, `Couldn't save (${err.code}).`);
    }
  }
  for (const c of [autoSync, interval, source]) c.addEventListener("change", save);

  setDisabled(true);
  ipc.getSettings().then((s) => { show(s); setDisabled(false); }, (err) => setText(saved, `Couldn't load settings (${err.code}).`));
  return () => {};
}
