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

export const startSync = () => call("start");
export const cancelSync = () => call("cancel");
export const getActive = () => call("get_active");
export const getLatest = () => call("get_latest");
export const listRuns = (limit, before) => call("list_runs", before == null ? { limit } : { limit, before });
/**
 * `label` null lists every stored message; otherwise the messages that carry that Gmail label.
 * `after` ({ internalDateMs, gmailId } of the previous page's last row) reads the page by key.
 * `threads` lists conversations (one row per Gmail thread, `thread: { count, participants }`);
 * a search always lists messages.
 */
export const listMessages = (limit, offset, search, label, after, threads = false) =>
  call("list_messages", {
    limit, offset, ...(search ? { search } : {}), ...(label ? { label } : {}), ...(after ? { after } : {}),
    ...(threads ? { threads } : {}),
  });
/** Every stored message of a conversation, oldest first (headers and snippets). */
export const getThread = (threadId) => call("get_thread", { threadId });
export const listLabels = () => call("list_labels");
/** `allowRemote` asks for the HTML with remote images and fonts left in (the reader clicked "Load"). */
export const getMessage = (gmailId, allowRemote = false) => call("get_message", { gmailId, allowRemote });
/** Remembers (or forgets) a sender whose remote content always loads; resolves to the stored settings. */
export const setRemoteContent = (sender, allowed) => call("set_remote_content", { sender, allowed });
export const openLink = (url) => call("open_link", { url });
/** Fetches attachment `index` of a message and saves it as a new file; resolves to { path, size }. */
export const saveAttachment = (gmailId, index) => call("save_attachment", { gmailId, index });
export const getSummary = () => call("get_summary");
export const getSettings = () => call("get_settings");
export const setSettings = (settings) => call("set_settings", { settings });
export const getAccount = () => call("get_account");
/** Resolves once the user finished in the browser (minutes, possibly); a null path reuses the remembered client. */
export const connectAccount = (clientSecretPath) => call("connect_account", { clientSecretPath });
export const cancelSignIn = () => call("cancel_sign_in");
export const disconnectAccount = () => call("disconnect_account");

export const onSyncProgress = (handler) => on("sync://progress", handler);
export const onSyncFinished = (handler) => on("sync://finished", handler);
export const onMailChanged = (handler) => on("mail://changed", handler);
export const onSignIn = (handler) => on("account://sign-in", handler);
export const onAccountChanged = (handler) => on("account://changed", handler);
