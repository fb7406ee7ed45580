//! The app's hash routes and how a location hash maps to one of them. Pure.

export const ROUTES = [
  { name: "home", hash: "#/", title: "Home" },
  { name: "inbox", hash: "#/inbox", title: "Inbox", label: "INBOX" },
  { name: "history", hash: "#/history", title: "History" },
  { name: "settings", hash: "#/settings", title: "Settings" },
];

/** The mail views of the sidebar besides Inbox; `label: null` is every stored message. */
export const MAIL_VIEWS = [
  { key: "STARRED", title: "Starred", label: "STARRED" },
  { key: "SENT", title: "Sent", label: "SENT" },
  { key: "all", title: "All mail", label: null },
];

export function mailHash(key) {
  return `#/mail/${encodeURIComponent(key)}`;
}

/** Unknown or empty hashes land on Home, so a stale bookmark never shows a blank window. */
export function routeFromHash(hash) {
  const path = (hash ?? "").replace(/^#/, "").split("?")[0].replace(/\/+$/, "") || "/";
  const normalized = path.startsWith("/") ? path : `/${path}`;
  const mail = /^\/mail\/(.+)$/.exec(normalized);
  if (mail) {
    const key = safeDecode(mail[1]);
    const view = MAIL_VIEWS.find((v) => v.key === key);
    // Any other key is a label id (a user label such as Label_12); its title comes from the label list.
    return { name: "inbox", hash: mailHash(key), title: view?.title ?? "Label", label: view ? view.label : key };
  }
  return ROUTES.find((r) => r.hash === `#${normalized}`) ?? ROUTES[0];
}

function safeDecode(text) {
  try { return decodeURIComponent(text); } catch { return text; }
}
