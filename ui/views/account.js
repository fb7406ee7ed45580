//! The Account section of Settings: connect Gmail with a client secret file, wait for the browser, disconnect the
//! account in view, or add another account beside it.

import { h, setText } from "../dom.js";
import * as account from "../account-store.js";
import { accountPanel, clientSecretPathOf } from "../account-state.js";
import { openExternal } from "../open-external.js";

const CLOUD_CONSOLE_URL = "https://console.cloud.google.com/apis/credentials";
const PERMISSIONS_URL = "https://myaccount.google.com/permissions";

/** Busy buttons stay focusable (aria-disabled, not disabled) so the keyboard is not dropped mid-request. */
function setBusy(button, busy) {
  if (busy) button.setAttribute("aria-disabled", "true");
  else button.removeAttribute("aria-disabled");
}

function linkButton(id, label, url) {
  return h("button", { id, type: "button", class: "inline-link", on: { click: () => openExternal(url()) } }, label);
}

export function mountAccount(container) {
  // Not connected: what to fetch from Google, then the file's path and Connect.
  const pathInput = h("input", {
    id: "account-client-secret", type: "text", class: "text-input", autocomplete: "off", spellcheck: false,
    placeholder: "/home/you/Downloads/client_secret_….json",
    attrs: { "aria-describedby": "account-client-secret-hint", autocapitalize: "off" },
  });
  const pathHint = h("p", { class: "setting-hint", id: "account-client-secret-hint" });
  const connectButton = h("button", { id: "connect-button", type: "submit", class: "btn btn-primary" }, "Connect Gmail");
  const signedOut = h("div", { id: "account-signed-out", class: "account-group" },
    h("div", { class: "account-intro" },
      h("p", {}, "Inbox Sync reads your mail with an OAuth client of your own, so it goes straight from Google to this computer."),
      h("ol", { class: "account-steps" },
        h("li", {}, "In the Google Cloud console, enable the Gmail API for a project. ", linkButton("open-cloud-console", "Open the console", () => CLOUD_CONSOLE_URL)),
        h("li", {}, "Create an OAuth client ID of type “Desktop app” and download its JSON file."),
        h("li", {}, "Enter the file’s path here and connect. Inbox Sync asks only to read mail (gmail.readonly).")),
      h("p", {}, "Each account’s mail is kept separately on this computer.")),
    h("form", { class: "account-connect", on: { submit: (e) => { e.preventDefault(); connect(); } } },
      h("label", { class: "setting-label", htmlFor: "account-client-secret" }, "Client secret file"),
      pathHint,
      h("div", { class: "account-field" }, pathInput, connectButton)));

  // Signing in: the browser has the next step.
  const signInUrl = h("span", { class: "sign-in-url" });
  const reopen = h("p", { class: "account-reopen" },
    linkButton("reopen-sign-in", "Open the sign-in page again", () => account.getState().signIn?.url), signInUrl);
  const cancelButton = h("button", { id: "cancel-sign-in", type: "button", class: "btn btn-secondary", on: { click: () => account.cancelSignIn() } }, "Cancel");
  const signingIn = h("div", { id: "account-signing-in", class: "setting account-group" },
    h("div", { class: "setting-text" },
      h("p", { class: "setting-label" }, "Waiting for you to finish in the browser…"),
      h("p", { class: "setting-hint" }, "Sign in with Google and allow read-only access, then come back here."),
      reopen),
    h("div", { class: "setting-control" }, cancelButton));

  // Connected: who, where the token is, and a Disconnect that asks first.
  const email = h("strong", { id: "account-email" });
  const tokenHint = h("p", { class: "setting-hint", id: "account-token-hint" });
  const disconnectButton = h("button", {
    id: "disconnect-button", type: "button", class: "btn btn-secondary",
    attrs: { "aria-describedby": "account-token-hint", "aria-expanded": "false", "aria-controls": "account-confirm" },
    on: { click: () => setConfirming(true) },
  }, "Disconnect");
  const confirmText = h("p", { id: "account-confirm-text" });
  const deleteMail = h("input", { id: "disconnect-delete-mail", type: "checkbox" });
  const deleteMailLabel = h("label", { class: "account-delete-mail", htmlFor: "disconnect-delete-mail" }, deleteMail, " Also delete its synced mail from this computer");
  const confirmYes = h("button", { id: "confirm-disconnect", type: "button", class: "btn btn-danger", on: { click: () => account.disconnect(deleteMail.checked) } }, "Disconnect");
  const confirmNo = h("button", { id: "keep-connected", type: "button", class: "btn btn-secondary", on: { click: () => { setConfirming(false); disconnectButton.focus(); } } }, "Keep connected");
  const confirmBox = h("div", {
    id: "account-confirm", class: "account-confirm", hidden: true,
    attrs: { role: "group", "aria-labelledby": "account-confirm-text" },
    on: { keydown: (e) => { if (e.key === "Escape" && account.getState().pending !== "disconnect") { setConfirming(false); disconnectButton.focus(); } } },
  }, confirmText, deleteMailLabel, h("div", { class: "account-confirm-actions" }, confirmNo, confirmYes));
  // Another account beside this one: the same client file (or another project's).
  const addInput = h("input", {
    id: "account-add-client-secret", type: "text", class: "text-input", autocomplete: "off", spellcheck: false,
    placeholder: "/home/you/Downloads/client_secret_….json",
    attrs: { "aria-describedby": "account-add-hint", autocapitalize: "off" },
  });
  const addButton = h("button", { id: "add-account-button", type: "submit", class: "btn btn-secondary" }, "Add account");
  const addForm = h("form", { class: "account-connect account-add", on: { submit: (e) => { e.preventDefault(); add(); } } },
    h("label", { class: "setting-label", htmlFor: "account-add-client-secret" }, "Add another Gmail account"),
    h("p", { class: "setting-hint", id: "account-add-hint" }, "Each account syncs on its own; switch between them in the sidebar. Use the same client secret file or another one."),
    h("div", { class: "account-field" }, addInput, addButton));
  const connected = h("div", { id: "account-connected", class: "account-group" },
    h("div", { class: "setting" },
      h("div", { class: "setting-text" }, h("p", { class: "setting-label" }, "Connected as ", email), tokenHint),
      h("div", { class: "setting-control" }, disconnectButton)),
    confirmBox, addForm);

  const loading = h("p", { class: "setting-hint account-loading" }, "Checking the account…");
  const retry = h("button", { type: "button", class: "btn btn-secondary", on: { click: () => account.refresh() } }, "Try again");
  const unavailable = h("div", { class: "account-group account-unavailable" }, h("p", { class: "setting-hint" }, "The account could not be read."), retry);

  const errorBox = h("p", { id: "account-error", class: "callout callout-error account-error", attrs: { role: "alert" } });
  const noteText = h("span", {});
  const permissions = linkButton("open-permissions", "Open Google account permissions", () => PERMISSIONS_URL);
  const note = h("div", { id: "account-note", class: "callout account-note", attrs: { role: "status" } }, noteText, permissions);

  const section = h("section", { id: "account-section", class: "card settings-card", tabIndex: -1, attrs: { "aria-labelledby": "account-title" } },
    h("h2", { id: "account-title", class: "section-title" }, "Account"),
    loading, unavailable, signedOut, signingIn, connected, errorBox, note);
  container.append(section);

  /** A mistake caught here (no path typed) is shown like the backend's, and goes away as soon as the user types. */
  let localError = null;
  let confirming = false;
  const FOCUS_BY_MODE = { loading: section, unavailable: retry, signedOut: pathInput, signingIn: cancelButton, connected: disconnectButton };

  function connect() {
    const state = account.getState();
    const path = clientSecretPathOf(pathInput.value);
    const panel = accountPanel(state);
    if (path === null && !(panel.mode === "signedOut" && panel.canReconnect)) {
      localError = { code: "clientSecret", message: "Enter the path of the client secret file you downloaded from Google Cloud console." };
      render(state);
      pathInput.focus();
      return;
    }
    localError = null;
    account.connectAccount(path);
  }

  function add() {
    const path = clientSecretPathOf(addInput.value);
    if (path === null) {
      localError = { code: "clientSecret", message: "Enter the path of the client secret file to add another account with." };
      render(account.getState());
      addInput.focus();
      return;
    }
    localError = null;
    account.connectAccount(path);
  }

  function setConfirming(on) {
    confirming = on;
    render(account.getState());
    if (on) confirmNo.focus();
  }

  for (const input of [pathInput, addInput]) input.addEventListener("input", () => { if (localError) { localError = null; render(account.getState()); } });

  function render(s) {
    const panel = accountPanel(s);
    const hadFocus = section.contains(document.activeElement);
    section.dataset.mode = panel.mode;
    loading.hidden = panel.mode !== "loading";
    unavailable.hidden = panel.mode !== "unavailable";
    signedOut.hidden = panel.mode !== "signedOut";
    signingIn.hidden = panel.mode !== "signingIn";
    connected.hidden = panel.mode !== "connected";

    if (panel.mode === "signedOut") {
      setBusy(connectButton, !panel.connectEnabled);
      setText(pathHint, panel.canReconnect
        ? "The JSON file of your Desktop app client. Leave it empty to use the one you chose before."
        : "The JSON file of your Desktop app client, as downloaded from Google Cloud console.");
    }
    if (panel.mode === "signingIn") {
      reopen.hidden = !panel.url;
      setText(signInUrl, panel.url ?? "");
      signInUrl.title = panel.url ?? "";
      setBusy(cancelButton, !panel.cancelEnabled);
      setText(cancelButton, panel.cancelEnabled ? "Cancel" : "Cancelling…");
    }
    if (panel.mode === "connected") {
      setText(email, panel.email);
      setText(tokenHint, `Token kept in ${panel.tokenWhere}.`);
      setText(confirmText, `Disconnect ${panel.email}? Inbox Sync stops its running sync, deletes its sign-in from this computer, asks Google to revoke its access and takes it out of the accounts here${s.account?.accounts > 1 ? "; your other accounts stay connected" : ""}. Mail already synced from this account stays on this computer unless you tick the box.`);
      setBusy(addButton, s.pending !== null);
      const busy = s.pending === "disconnect";
      setBusy(disconnectButton, !panel.disconnectEnabled);
      setBusy(confirmYes, busy);
      confirmNo.hidden = busy;
      setText(confirmYes, busy ? "Disconnecting…" : "Disconnect");
    } else {
      confirming = false;
    }
    confirmBox.hidden = !confirming;
    disconnectButton.setAttribute("aria-expanded", String(confirming));

    const error = localError ?? s.error;
    setText(errorBox, error ? error.message : "");
    if (error?.code === "clientSecret" && panel.mode === "signedOut") pathInput.setAttribute("aria-invalid", "true");
    else pathInput.removeAttribute("aria-invalid");

    setText(noteText, s.note?.text ?? "");
    note.hidden = !s.note;
    note.classList.toggle("callout-warning", s.note?.tone === "warning");
    permissions.hidden = s.note?.revoked !== false;

    // Whatever had focus may just have been hidden (Connect → waiting, Disconnect → signed out): keep the keyboard here.
    const active = document.activeElement;
    if (hadFocus && (!active || active === document.body || active.closest("[hidden]"))) FOCUS_BY_MODE[panel.mode]?.focus();
  }

  render(account.getState());
  const unsubscribe = account.subscribe(render);
  account.refresh();
  return () => { unsubscribe(); section.remove(); };
}
