//! Settings: start at login, auto-sync on launch and periodic interval (each change saved at once), where attachments are saved, and the Gmail account.

import { h, setText } from "../dom.js";
import * as ipc from "../ipc.js";
import { mountAccount } from "./account.js";
import * as account from "../account-store.js";

const INTERVALS = [[0, "Off"], [5, "Every 5 minutes"], [15, "Every 15 minutes"], [60, "Every hour"]];

function row(label, hint, control, labelFor) {
  return h("div", { class: "setting" },
    h("div", { class: "setting-text" }, h("label", { class: "setting-label", htmlFor: labelFor }, label), h("p", { class: "setting-hint", id: `${labelFor}-hint` }, hint)),
    h("div", { class: "setting-control" }, control));
}

export function mountSettings(container) {
  const autoSync = h("input", { id: "setting-auto-sync", type: "checkbox", class: "switch", attrs: { role: "switch", "aria-describedby": "setting-auto-sync-hint" } });
  const atLogin = h("input", { id: "setting-start-at-login", type: "checkbox", class: "switch", attrs: { role: "switch", "aria-describedby": "setting-start-at-login-hint" } });
  const keepDemo = h("input", { id: "setting-keep-demo", type: "checkbox", class: "switch", attrs: { role: "switch", "aria-describedby": "setting-keep-demo-hint" } });
  const interval = h("select", { id: "setting-interval", class: "select", attrs: { "aria-describedby": "setting-interval-hint" } },
    INTERVALS.map(([v, label]) => h("option", { value: String(v) }, label)));
  const folder = h("input", {
    id: "setting-download-folder", type: "text", class: "text-input", placeholder: "Downloads folder",
    autocomplete: "off", spellcheck: false, attrs: { "aria-describedby": "setting-download-folder-hint" },
  });
  const saved = h("p", { class: "save-status", attrs: { role: "status" } });
  const form = h("form", { class: "card settings-card", on: { submit: (e) => e.preventDefault() } },
    h("div", { class: "section-head settings-head" }, h("h2", { class: "section-title" }, "Syncing"), saved),
    row("Start Inbox Sync when I log in", "Opens in the tray, without a window, and keeps your mail up to date.", atLogin, "setting-start-at-login"),
    row("Sync when the app opens", "Fetch new mail each time Inbox Sync starts.", autoSync, "setting-auto-sync"),
    row("Sync periodically", "Check for new mail in the background while the app runs.", interval, "setting-interval"),
    row("Keep the demo mailbox", "Show the built-in demo mailbox beside your Gmail accounts. It is always there while no account is connected.", keepDemo, "setting-keep-demo"),
    row("Save attachments to", "A folder path; empty saves to your Downloads folder. Saved files never replace one already there.", folder, "setting-download-folder"));
  const accountSlot = h("div", { class: "account-slot" });
  container.append(h("header", { class: "page-header" }, h("h1", { class: "page-title" }, "Settings")), form, accountSlot);
  const unmountAccount = mountAccount(accountSlot);

  let current = null;
  const show = (s) => {
    current = s;
    autoSync.checked = s.autoSyncOnLaunch;
    atLogin.checked = s.startAtLogin;
    interval.value = String(s.syncIntervalMinutes);
    keepDemo.checked = s.keepDemoMailbox === true;
    folder.value = s.downloadFolder ?? "";
  };
  const setDisabled = (d) => { for (const c of [atLogin, autoSync, interval, keepDemo, folder]) c.disabled = d; };

  async function save() {
    // Fields this page does not edit are passed back as stored: the mailbox now follows the account, not a setting.
    const next = {
      ...current, startAtLogin: atLogin.checked, autoSyncOnLaunch: autoSync.checked, syncIntervalMinutes: Number(interval.value),
      keepDemoMailbox: keepDemo.checked, downloadFolder: folder.value.trim(),
    };
    setText(saved, "Saving…");
    try {
      show(await ipc.setSettings(next));
      setText(saved, "Saved");
    } catch (err) {
      if (current) show(current); // the controls must not claim a value that was not stored
      setText(saved, `Couldn't save (${err.code}).`);
    }
  }
  for (const c of [atLogin, autoSync, interval, keepDemo, folder]) c.addEventListener("change", save);

  const load = () => ipc.getSettings().then((s) => { show(s); setDisabled(false); }, (err) => setText(saved, `Couldn't load settings (${err.code}).`));
  setDisabled(true);
  load();
  // After a mailbox switch, show the settings as they are stored now.
  const unsubscribeMailbox = account.subscribeMailbox(load);
  return () => { unmountAccount(); unsubscribeMailbox(); };
}
