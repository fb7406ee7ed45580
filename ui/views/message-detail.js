//! The reading pane: headers, the plain-text body (as text, never HTML), and the links, which open in the browser.

import { labelName } from "../labels.js";
import { currentLabels } from "./sidebar-mail.js";
import { h, icon } from "../dom.js";
import { ICONS } from "../icons.js";
import { isOpenableUrl } from "../link-policy.js";
import { openExternal } from "../open-external.js";
import { formatAbsolute } from "../time-format.js";

export function renderPlaceholder(pane) {
  pane.replaceChildren(h("div", { class: "detail-empty" }, icon(ICONS.mail, "icon icon-xl"), h("p", {}, "Select a message to read it.")));
}

export function renderLoading(pane) {
  pane.replaceChildren(h("div", { class: "detail-empty" }, h("p", {}, "Loading…")));
}

export function renderError(pane, err) {
  pane.replaceChildren(h("div", { class: "detail-empty" }, h("p", {}, `This message couldn't be opened (${err.code}).`)));
}

function linkItem({ url, domain }) {
  if (!isOpenableUrl(url)) {
    return h("li", { class: "link-item is-blocked", title: "Only web links open in the browser" },
      h("span", { class: "link-domain" }, domain || "link"), h("span", { class: "link-url" }, url));
  }
  return h("li", { class: "link-item" },
    h("button", { type: "button", class: "link-button", title: `Open ${url} in your browser`, on: { click: () => openExternal(url) } },
      h("span", { class: "link-domain" }, domain || new URL(url).hostname),
      h("span", { class: "link-url" }, url),
      icon(ICONS.external, "icon link-external")));
}

export function renderMessage(pane, { message, links }) {
  const when = message.dateMs ?? message.internalDateMs;
  const header = (label, value) => value ? [h("dt", {}, label), h("dd", {}, value)] : [];
  const labels = (message.labelIds ?? []).filter((l) => !l.startsWith("CATEGORY_"));
  const body = message.textBody?.trim()
    ? h("pre", { class: "body-text" }, message.textBody)
    : h("p", { class: "body-missing" }, message.htmlBody ? "This message has only an HTML version, which isn't shown here." : "This message has no text.");

  pane.replaceChildren(h("article", { class: "message", attrs: { "aria-labelledby": "message-subject" } },
    h("header", { class: "message-header" },
      h("h2", { id: "message-subject", class: "message-subject" }, message.subject || "(no subject)"),
      labels.length ? h("ul", { class: "labels", attrs: { "aria-label": "Labels" } }, labels.map((l) => h("li", { class: "label" }, labelName(currentLabels(), l)))) : null,
      h("dl", { class: "message-headers" },
        ...header("From", message.from), ...header("To", message.to), ...header("Date", formatAbsolute(when))),
      // Shown as a note only: HTML mail is never rendered live here (no sanitized, sandboxed view yet).
      message.htmlBody && message.textBody?.trim() ? h("p", { class: "html-note" }, "HTML version available") : null),
    message.defects?.length
      ? h("p", { class: "callout callout-warning" }, icon(ICONS.warning), `Parts of this message couldn't be read: ${message.defects.join(", ")}.`)
      : null,
    body,
    h("section", { class: "message-links", attrs: { "aria-labelledby": "links-title" } },
      h("h3", { id: "links-title" }, links.length ? `Links (${links.length})` : "No links"),
      links.length ? h("ul", { class: "link-list" }, links.map(linkItem)) : null)));
}
