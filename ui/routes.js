//! The app's hash routes and how a location hash maps to one of them. Pure.

export const ROUTES = [
  { name: "home", hash: "#/", title: "Home" },
  { name: "inbox", hash: "#/inbox", title: "Inbox" },
  { name: "history", hash: "#/history", title: "History" },
  { name: "settings", hash: "#/settings", title: "Settings" },
];

/** Unknown or empty hashes land on Home, so a stale bookmark never shows a blank window. */
export function routeFromHash(hash) {
  const path = (hash ?? "").replace(/^#/, "").split("?")[0].replace(/\/+$/, "") || "/";
  const normalized = path.startsWith("/") ? path : `/${path}`;
  return ROUTES.find((r) => r.hash === `#${normalized}`) ?? ROUTES[0];
}
