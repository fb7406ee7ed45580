//! The only door to the Rust side: one function per Tauri command and per event. Views import these, never invoke/listen.

function tauri() {
  const api = window.__TAURI__;
  if (!api) throw { code: "noBackend", message: "The app's backend is not available." };
  return api;
}

/** Errors always reject as { code, message } so callers can branch on code alone. */
async function call(cmd, args) {
  try {
    return await tauri().core.invoke(cmd, args);
  } catch (err) {
    if (err && typeof err === "object" && "code" in err) throw err;
    throw { code: "ipc", message: typeof err === "string" ? err : String(err?.message ?? err) };
  }
}

/** Resolves to an unlisten function; the handler gets the payload only. */
function on(event, handler) {
  return tauri().event.listen(event, (e) => handler(e.payload));
}

const MAILBOX_KEY = "inbox-sync.mailbox";

/** The key of the mailbox this window shows (each window its own; kept across a reload). */
let mailbox = (() => {
  try { return sessionStorage.getItem(MAILBOX_KEY); } catch { return null; }
})();

export const currentMailbox = () => mailbox;

/** Every call about one mailbox names this one from now on; only account-store switches it. */
export function setMailbox(key) {
  mailbox = key;
  try { sessionStorage.setItem(MAILBOX_KEY, key); } catch { /* a window without storage keeps it in memory */ }
}

/** A call about the mailbox in view. */
const about = (cmd, args = {}) => call(cmd, mailbox == null ? args : { ...args, mailbox });

/** Events about the mailbox in view only: the others' runs and mail are not this window's to show. */
function onShown(event, handler) {
  return on(event, (payload) => {
    if (mailbox == null || payload?.mailbox == null || payload.mailbox === mailbox) handler(payload);
  });
}

export const startSync = () => about("start");
export const cancelSync = () => about("cancel");
export const getActive = () => about("get_active");
export const getLatest = () => about("get_latest");
export const listRuns = (limit, before) => about("list_runs", before == null ? { limit } : { limit, before });
/** Every mailbox ({ key, source, active, latest }), the first connected account first. */
export const listMailboxes = () => call("list_mailboxes");
/** Starts a sync of every mailbox; one already syncing is left to it. */
export const syncAll = () => call("sync_all");
/**
 * `label` null lists every stored message; otherwise the messages that carry that Gmail label.
 * `after` ({ internalDateMs, gmailId } of the previous page's last row) reads the page by key.
 * `threads` lists conversations (one row per Gmail thread, `thread: { count, participants }`);
 * a search always lists messages.
 */
export const listMessages = (limit, offset, search, label, after, threads = false) =>
  about("list_messages", {
    limit, offset, ...(search ? { search } : {}), ...(label ? { label } : {}), ...(after ? { after } : {}),
    ...(threads ? { threads } : {}),
  });
/** Every stored message of a conversation, oldest first (headers and snippets). */
export const getThread = (threadId) => about("get_thread", { threadId });
export const listLabels = () => about("list_labels");
/** `allowRemote` asks for the HTML with remote images and fonts left in (the reader clicked "Load"). */
export const getMessage = (gmailId, allowRemote = false) => about("get_message", { gmailId, allowRemote });
/** Remembers (or forgets) a sender whose remote content always loads; resolves to the stored settings. */
export const setRemoteContent = (sender, allowed) => call("set_remote_content", { sender, allowed });
export const openLink = (url) => call("open_link", { url });
/** Fetches attachment `index` of a message and saves it as a new file; resolves to { path, size }. */
export const saveAttachment = (gmailId, index) => about("save_attachment", { gmailId, index });
export const openAttachment = (gmailId, index) => about("open_attachment", { gmailId, index });
export const getSummary = () => about("get_summary");
/** Where the app's start stands: { state: "ready" | "upgrading" (with `upgrade`) | "failed" (with `error`) }. */
export const getStartup = () => call("get_startup");
/** Tells the app when the first fetch card was painted (it logs the start-up time). */
export const firstCardPainted = (atMs) => call("first_card_painted", { atMs });
export const getSettings = () => call("get_settings");
export const setSettings = (settings) => call("set_settings", { settings });
export const getAccount = () => about("get_account");
/**
 * Resolves once the user finished in the browser (minutes, possibly), with the AccountView of the account connected.
 * A null path signs the account in view in again with its remembered client; a path adds an account.
 */
export const connectAccount = (clientSecretPath) => about("connect_account", { clientSecretPath });
export const cancelSignIn = () => call("cancel_sign_in");
/** `deleteMail` also deletes the account's synced mail and sync history from this computer. */
export const disconnectAccount = (deleteMail = false) => about("disconnect_account", { deleteMail });

export const onSyncProgress = (handler) => onShown("sync://progress", handler);
export const onSyncFinished = (handler) => onShown("sync://finished", handler);
export const onMailChanged = (handler) => onShown("mail://changed", handler);
/** Every mailbox's runs, for the switcher's per-mailbox status. */
export const onAnySyncProgress = (handler) => on("sync://progress", handler);
export const onAnySyncFinished = (handler) => on("sync://finished", handler);
export const onMailboxesChanged = (handler) => on("mailboxes://changed", handler);
export const onStartupChanged = (handler) => on("startup://changed", handler);
export const onSignIn = (handler) => on("account://sign-in", handler);
export const onAccountChanged = (handler) => on("account://changed", handler);
