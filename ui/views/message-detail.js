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
import { formatFileSize } from "../file-size.js";

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

/** `Ann Lee <ann@example.com>` → `Ann Lee`; a bare address stays as it is. */
function displayName(from) {
  const match = /^\s*"?([^"<]*?)"?\s*<[^>]+>\s*$/.exec(from ?? "");
  return (match && match[1]) || from || "(unknown sender)";
}

/**
 * A conversation top to bottom: each message a header line (sender, date, snippet), the one
 * expanded showing in full below its header. One is expanded at a time (`openId`, else the
 * newest); clicking another header expands it and collapses the one open.
 * `expand(gmailId, pane)` renders a message into `pane`.
 */
export function renderThread(pane, messages, expand, openId) {
  const subject = messages[0]?.subject?.replace(/^(re|fwd?):\s*/i, "") || "(no subject)";
  const sections = messages.map((m) => {
    const body = h("div", { class: "thread-message-body" });
    const when = m.dateMs ?? m.internalDateMs;
    const head = h("button", { type: "button", class: "thread-message-head", attrs: { "aria-expanded": "false" } },
      h("span", { class: "tm-from", title: m.from ?? "" }, displayName(m.from)),
      h("time", { class: "tm-date", dateTime: new Date(when ?? 0).toISOString() }, formatAbsolute(when)),
      h("span", { class: "tm-snippet" }, m.snippet ?? ""));
    const section = h("section", { class: "thread-message", dataset: { threadMessage: m.gmailId, state: "collapsed" } }, head, body);
    head.addEventListener("click", () => open(section));
    return section;
  });
  function open(section) {
    for (const other of sections) {
      if (other === section) continue;
      other.dataset.state = "collapsed";
      other.querySelector(".thread-message-head").setAttribute("aria-expanded", "false");
      other.querySelector(".thread-message-body").replaceChildren();
    }
    section.dataset.state = "expanded";
    section.querySelector(".thread-message-head").setAttribute("aria-expanded", "true");
    const body = section.querySelector(".thread-message-body");
    renderLoading(body);
    expand(section.dataset.threadMessage, body);
  }
  pane.replaceChildren(h("article", { class: "thread", attrs: { "aria-labelledby": "thread-subject" } },
    h("header", { class: "thread-header" },
      h("h2", { id: "thread-subject", class: "message-subject" }, subject),
      h("p", { class: "thread-count" }, `${messages.length} messages`)),
    h("div", { id: "thread-messages", class: "thread-messages" }, sections)));
  const first = sections.find((s) => s.dataset.threadMessage === openId) ?? sections.at(-1);
  if (first) open(first);
}

/**
 * One attachment: its name (text only, as sent), type and size from the store; "Save" fetches
 * it from Gmail into the download folder, and "Open" does the same and hands the file to the
 * system's app for its type (refused for programs, scripts and pages, which are only saved).
 * The row then says where the file went.
 */
function attachmentItem(attachment, index, actions) {
  const name = attachment.filename || "(unnamed attachment)";
  const status = h("span", { class: "attachment-status", attrs: { role: "status" } });
  const save = h("button", { type: "button", class: "btn btn-secondary btn-small attachment-save", title: `Save ${name} to your download folder` }, "Save");
  const open = h("button", { type: "button", class: "btn btn-ghost btn-small attachment-open", title: `Save ${name} and open it with its app` }, "Open");
  const row = h("li", { class: "attachment-item", dataset: { index: String(index) } },
    h("span", { class: "attachment-name", title: name }, name),
    h("span", { class: "attachment-meta" }, `${attachment.mimeType || "unknown type"} · ${formatFileSize(attachment.size)}`),
    open, save, status);
  const run = async (busy, done, act) => {
    save.disabled = open.disabled = true;
    row.dataset.state = busy;
    status.textContent = busy === "opening" ? "Opening…" : "Saving…";
    try {
      const saved = await act(index);
      row.dataset.state = done;
      row.dataset.path = saved.path;
      status.textContent = done === "opened" ? `Opened ${saved.path}` : `Saved to ${saved.path}`;
    } catch (err) {
      row.dataset.state = "error";
      status.textContent = err?.code === "wontOpen"
        ? `Not opened: ${err.message}`
        : `Couldn't ${busy === "opening" ? "open" : "save"} (${err?.code ?? "error"}): ${err?.message ?? ""}`;
    } finally {
      save.disabled = open.disabled = false;
    }
  };
  save.addEventListener("click", () => run("saving", "saved", (i) => actions?.saveAttachment?.(i)));
  open.addEventListener("click", () => run("opening", "opened", (i) => actions?.openAttachment?.(i)));
  return row;
}

function attachmentList(message, actions) {
  const list = message.attachments ?? [];
  if (list.length === 0) return null;
  return h("section", { class: "message-attachments", attrs: { "aria-labelledby": "attachments-title" } },
    h("h3", { id: "attachments-title" }, list.length === 1 ? "1 attachment" : `${list.length} attachments`),
    h("ul", { id: "attachment-list", class: "attachment-list" }, list.map((a, i) => attachmentItem(a, i, actions))));
}

/** `actions`: { loadRemote(), trustSender(sender, trusted) } for the remote-content bar; { saveAttachment(index), openAttachment(index) } for the attachments. */
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
    attachmentList(message, actions),
    body(detail, actions),
    h("section", { class: "message-links", attrs: { "aria-labelledby": "links-title" } },
      h("h3", { id: "links-title" }, links.length ? `Links (${links.length})` : "No links"),
      links.length ? h("ul", { class: "link-list" }, links.map(linkItem)) : null)));
}
