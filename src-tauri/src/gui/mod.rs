//! The window process: one per data directory, with the tray, the commands, the events, the
//! launch and periodic syncs; closing the last window keeps it in the tray.
mod account;
mod commands;
mod control;
mod error;
mod events;
mod instance;
mod settings;
mod tray;
mod watcher;
mod windows;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use inbox_sync_core::Trigger;
use tauri::RunEvent;

use crate::cli::{self, GlobalArgs};
use crate::demo::DemoSettings;
use crate::mailbox::{self, Mailbox};
use crate::paths;
use control::{Current, SyncControl};

/// Where the settings file is (in the data directory, beside the database).
pub struct SettingsFile(PathBuf);

pub fn run(global: &GlobalArgs) -> i32 {
    let data_dir = match paths::data_dir(global.data_dir.as_deref()) {
        Ok(dir) => dir,
        Err(message) => return cli::report(&message, "dataDir"),
    };
    if let Err(e) = std::fs::create_dir_all(&data_dir) {
        return cli::report(
            &format!("cannot create {}: {e}", data_dir.display()),
            "dataDir",
        );
    }
    let _instance = match instance::claim(&data_dir) {
        Ok(instance::Claim::Primary(guard)) => guard,
        Ok(instance::Claim::Secondary) => {
            return match instance::ask_primary_to_show(&data_dir) {
                Ok(()) => {
                    eprintln!("Inbox Sync is already open for {}; showing its window.", data_dir.display());
                    0
                }
                Err(e) => cli::report(&format!("Inbox Sync is already open for this data directory but did not answer: {e}"), "alreadyOpen"),
            };
        }
        Err(e) => return cli::report(&format!("cannot lock the data directory: {e}"), "dataDir"),
    };
    // WebKitGTK's accelerated compositing costs ~80 MB in the web process for a window that
    // animates little more than a progress bar; a user's own setting still wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    let demo = match DemoSettings::from_env() {
        Ok(d) => d,
        Err(e) => return cli::report(&e, "config"),
    };
    let accounts = match mailbox::accounts(&data_dir) {
        Ok(a) => a,
        Err(e) => return cli::report(&e.to_string(), e.code()),
    };
    let mailbox = Mailbox::current(&accounts).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "cannot read the connected account; showing the demo mailbox");
        Mailbox::Demo
    });
    let ledger = match tauri::async_runtime::block_on(cli::open_ledger(
        &data_dir,
        &mailbox,
        global.stale_after,
    )) {
        Ok(ledger) => ledger,
        Err((message, code)) => return cli::report(&message, code),
    };
    let account_state = account::AccountState::new(
        &data_dir,
        global.stale_after,
        accounts.clone(),
        demo.clone(),
    );
    let control = Arc::new(Current::new(Arc::new(SyncControl::new(
        ledger, mailbox, accounts, demo,
    ))));
    let settings_path = settings::file(&data_dir);

    let app = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_opener::init())
        .manage(control.clone())
        .manage(SettingsFile(settings_path.clone()))
        .manage(account_state)
        .invoke_handler(tauri::generate_handler![
            commands::start,
            commands::cancel,
            commands::get_active,
            commands::get_latest,
            commands::list_runs,
            commands::list_messages,
            commands::get_message,
            commands::open_link,
            commands::get_summary,
            commands::get_settings,
            commands::set_settings,
            commands::open_window,
            account::get_account,
            account::connect_account,
            account::cancel_sign_in,
            account::disconnect_account,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            if let Err(e) = tray::build(&handle) {
                tracing::warn!(error = %e, "no tray icon (is a status notifier host running?)");
            }
            let shower = handle.clone();
            instance::listen(&data_dir, move || windows::show_main(&shower));
            watcher::spawn(handle.clone(), control.clone());
            let current = settings::load(&handle, &settings_path);
            if current.auto_sync_on_launch {
                launch_sync(handle.clone(), control.get(), Trigger::Launch);
            }
            spawn_schedule(handle, control.clone(), settings_path.clone());
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => return cli::report(&format!("cannot open the window: {e}"), "window"),
    };
    app.run(|_, event| {
        // Closing the last window keeps the app in the tray; "Quit" exits with a code.
        if let RunEvent::ExitRequested {
            api, code: None, ..
        } = event
        {
            api.prevent_exit();
        }
    });
    0
}

/// Starts a sync from the app itself (launch, schedule) — the same path as the button.
pub(crate) fn launch_sync(app: tauri::AppHandle, control: Arc<SyncControl>, trigger: Trigger) {
    tauri::async_runtime::spawn(async move {
        match control.start(&app, trigger).await {
            Ok(result) if !result.started => {
                tracing::info!(run_id = result.run_id, "a sync is already running")
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(code = %e.code, "{trigger} sync failed to start: {}", e.message)
            }
        }
    });
}

/// Runs a sync every `syncIntervalMinutes` (read afresh each minute, so changes apply).
fn spawn_schedule(app: tauri::AppHandle, control: Arc<Current>, settings_path: PathBuf) {
    tauri::async_runtime::spawn(async move {
        let mut waited = Duration::ZERO;
        loop {
            tokio::time::sleep(Duration::from_secs(60)).await;
            waited += Duration::from_secs(60);
            let interval = settings::load(&app, &settings_path).sync_interval_minutes;
            if interval > 0 && waited >= Duration::from_secs(60 * u64::from(interval)) {
                waited = Duration::ZERO;
                launch_sync(app.clone(), control.get(), Trigger::Schedule);
            }
        }
    });
}
