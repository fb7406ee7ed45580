//! The reading pane: headers, the body (HTML in a sandboxed frame with remote content blocked until asked for, else the text as text), and the links, which open in the browser.

import { labelName } from "../labels.js";
import { currentLabels } from "./sidebar-mail.js";
import { h, icon } from "../dom.js";
import { ICONS } from "../icons.js";
import { isOpenableUrl } from "../link-policy.js";
import { openExternal } from "../open-external.js";
import { formatAbsolute } from "../time-format.js";
import { mailFrame } from "../mail-frame.js";
import { inlineNote, remoteBar } from "../remote-content.js";

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

/** The bar over an HTML mail: remote content blocked ("Load", "Always load from …") or trusted ("Stop"). */
function remoteContentBar(detail, actions) {
  const bar = remoteBar(detail);
  if (!bar) return null;
  if (bar.kind === "trusted") {
    return h("div", { id: "remote-bar", class: "remote-bar", dataset: { state: "trusted" } },
      h("span", { class: "remote-bar-text" }, bar.text),
      h("button", { type: "button", id: "untrust-sender", class: "btn btn-secondary btn-small", on: { click: () => actions?.trustSender?.(bar.sender, false) } }, "Stop"));
  }
  return h("div", { id: "remote-bar", class: "remote-bar", dataset: { state: "blocked" }, attrs: { role: "status" } },
    icon(ICONS.warning),
    h("span", { class: "remote-bar-text" }, h("strong", {}, bar.text), " — ", bar.detail),
    h("button", { type: "button", id: "load-remote", class: "btn btn-secondary btn-small", on: { click: () => actions?.loadRemote?.() } }, "Load"),
    bar.sender
      ? h("button", { type: "button", id: "trust-sender", class: "btn btn-ghost btn-small", on: { click: () => actions?.trustSender?.(bar.sender, true) } }, `Always load from ${bar.sender}`)
      : null);
}

function body(detail, actions) {
  const { message, html } = detail;
  if (html) {
    const note = inlineNote(html);
    return h("div", { class: "body-html-wrap" },
      remoteContentBar(detail, actions),
      note ? h("p", { class: "html-note" }, note) : null,
      mailFrame(html.document, `Message: ${message.subject || "(no subject)"}`));
  }
  return message.textBody?.trim()
    ? h("pre", { class: "body-text" }, message.textBody)
    : h("p", { class: "body-missing" }, "This message has no text.");
}

/** `actions`: { loadRemote(), trustSender(sender, trusted) } for the remote-content bar. */
export function renderMessage(pane, detail, actions) {
  const { message, links } = detail;
  const when = message.dateMs ?? message.internalDateMs;
  const header = (label, value) => value ? [h("dt", {}, label), h("dd", {}, value)] : [];
  const labels = (message.labelIds ?? []).filter((l) => !l.startsWith("CATEGORY_"));

  pane.replaceChildren(h("article", { class: "message", attrs: { "aria-labelledby": "message-subject" } },
    h("header", { class: "message-header" },
      h("h2", { id: "message-subject", class: "message-subject" }, message.subject || "(no subject)"),
      labels.length ? h("ul", { class: "labels", attrs: { "aria-label": "Labels" } }, labels.map((l) => h("li", { class: "label" }, labelName(currentLabels(), l)))) : null,
      h("dl", { class: "message-headers" },
        ...header("From", message.from), ...header("To", message.to), ...header("Date", formatAbsolute(when)))),
    message.defects?.length
      ? h("p", { class: "callout callout-warning" }, icon(ICONS.warning), `Parts of this message couldn't be read: ${message.defects.join(", ")}.`)
      : null,
    body(detail, actions),
    h("section", { class: "message-links", attrs: { "aria-labelledby": "links-title" } },
      h("h3", { id: "links-title" }, links.length ? `Links (${links.length})` : "No links"),
      links.length ? h("ul", { class: "link-list" }, links.map(linkItem)) : null)));
}
