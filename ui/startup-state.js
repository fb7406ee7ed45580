//! What the window says while the app opens its mailboxes: normally nothing (they are ready at
//! once); while a database from an older version is updated, how far that has come; and why,
//! when a mailbox cannot be opened at all.

import { formatCount } from "./number.js";

/** Capitalises the first letter of the app's step words ("building the search index"). */
const sentence = (words) => (words ? words[0].toUpperCase() + words.slice(1) : "");

/**
 * The start-up card for a `get_startup` view: `null` when the mailboxes are ready, else
 * `{ tone, title, detail, percent, indicator }` (`percent` null: no bar). `indicator` is what
 * the sidebar's sync indicator says meanwhile, `{ state, text }`: an update is not a sync, so
 * it has a state of its own.
 */
export function startupCard(view) {
  switch (view?.state) {
    case "ready":
    case undefined:
      return null;
    case "failed": {
      const why = view.error?.message || "An unknown error";
      return {
        tone: "error",
        title: "Inbox Sync cannot open your mailbox",
        detail: `${sentence(why)}${/[.!?]$/.test(why) ? "" : "."} Close this window to quit.`,
        percent: null,
        indicator: { state: "error", text: "Mailbox not opened" },
      };
    }
    default: {
      const u = view.upgrade ?? {};
      const percent = Math.max(0, Math.min(100, Math.floor((u.done ?? 0) * 100)));
      const parts = [];
      if (u.steps > 0) parts.push(`${sentence(u.what)} (step ${u.step} of ${u.steps})`);
      else parts.push(sentence(u.what ?? "checking the database"));
      if (u.messages > 0) parts.push(`${formatCount(u.messages)} messages`);
      return {
        tone: "running",
        title: "Updating your mailbox for this version",
        detail: `${parts.join(" · ")}. This happens once; your mail stays as it is.`,
        percent,
        indicator: { state: "updating", text: `Updating · ${percent} %` },
      };
    }
  }
}
