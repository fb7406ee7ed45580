//! Build script: lets tauri-build read tauri.conf.json, embed the frontend and icons, and
//! generate one permission per app command so capabilities can name exactly what windows use.
const COMMANDS: &[&str] = &[
    "start",
    "cancel",
    "get_active",
    "get_latest",
    "list_runs",
    "list_messages",
    "list_labels",
    "get_message",
    "open_link",
    "get_summary",
    "get_settings",
    "set_settings",
    "set_remote_content",
    "save_attachment",
    "open_attachment",
    "get_thread",
    "open_window",
    "list_mailboxes",
    "sync_all",
    "get_account",
    "connect_account",
    "cancel_sign_in",
    "disconnect_account",
    "first_card_painted",
    "get_startup",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step");
}
