//! The sidebar's accounts: one row per mailbox with its sync status, the one in view marked, and "Sync all". Shown
//! once there are two mailboxes or more; with one, the sidebar's source line names it.

import { h, setText } from "../dom.js";
import * as ipc from "../ipc.js";
import * as mailboxes from "../mailboxes-store.js";
import * as account from "../account-store.js";
import { mailboxRow } from "../mailboxes-state.js";
import { showNotice } from "../notice.js";

export function mountMailboxSwitcher(container) {
  const rows = h("ul", { class: "mailbox-list", attrs: { role: "list" } });
  const syncAll = h("button", {
    id: "sync-all", type: "button", class: "btn btn-secondary btn-small",
    on: {
      click: async () => {
        try {
          const failed = await mailboxes.syncAll();
          if (failed) showNotice(failed === 1 ? "One account's sync couldn't start." : `${failed} accounts' syncs couldn't start.`, { tone: "error" });
        } catch (err) {
          showNotice(`Couldn't start the syncs (${err.code}).`, { tone: "error" });
        }
      },
    },
  }, "Sync all");
  const heading = h("div", { class: "mailbox-head" }, h("p", { class: "nav-heading" }, "Accounts"), syncAll);
  container.append(heading, rows);

  function render(s) {
    container.hidden = s.list.length < 2;
    const shown = ipc.currentMailbox();
    rows.replaceChildren(...s.list.map((m) => {
      const row = mailboxRow(m);
      const detail = h("span", { class: "mailbox-detail" });
      setText(detail, row.detail);
      const button = h("button", {
        type: "button", class: "mailbox", dataset: { mailbox: row.key, status: row.status },
        attrs: row.key === shown ? { "aria-current": "true" } : {},
        on: { click: () => account.switchMailbox(row.key).then(() => render(mailboxes.getState())) },
      }, h("span", { class: "mailbox-dot", attrs: { "aria-hidden": "true" } }),
      h("span", { class: "mailbox-text" }, h("span", { class: "mailbox-name" }, row.name), detail));
      button.title = row.detail ? `${row.name} — ${row.detail}` : row.name;
      return h("li", {}, button);
    }));
  }

  render(mailboxes.getState());
  mailboxes.subscribe(render);
  account.subscribeMailbox(() => render(mailboxes.getState()));
}
