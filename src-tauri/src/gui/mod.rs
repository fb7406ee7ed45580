//! The window process: one per data directory, with the tray, the commands, the events, the
//! launch and periodic syncs; closing the last window keeps it in the tray.
mod account;
mod commands;
mod events;
mod instance;
mod notify;
mod settings;
mod shown;
mod startup;
mod tray;
mod watcher;
mod windows;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use inbox_sync_core::Trigger;
use tauri::{Manager, RunEvent};

use crate::app::{AppError, DataDir};
use shown::{spawn_sync_all, Mailboxes};
use startup::{Startup, StartupView};

/// Where the settings file is (in the data directory, beside the database).
pub struct SettingsFile(PathBuf);

/// When this window process began (its first call), for the start-up timing it logs.
fn started() -> std::time::Instant {
    static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *STARTED.get_or_init(std::time::Instant::now)
}

/// Opens the app; `at_login` (the login entry's `--autostart`) starts it in the tray with no
/// window.
pub fn run(data_dir: Option<&Path>, stale_after: Duration, at_login: bool) -> i32 {
    started();
    let dir = match DataDir::open(data_dir, stale_after) {
        Ok(dir) => dir,
        Err(e) => return e.report(),
    };
    let _instance = match instance::claim(dir.path()) {
        Ok(instance::Claim::Primary(guard)) => guard,
        Ok(instance::Claim::Secondary) => {
            return match instance::ask_primary_to_show(dir.path()) {
                Ok(()) => {
                    eprintln!("Inbox Sync is already open for {}; showing its window.", dir.path().display());
                    0
                }
                Err(e) => AppError::new("alreadyOpen", format!("Inbox Sync is already open for this data directory but did not answer: {e}")).report(),
            };
        }
        Err(e) => {
            return AppError::new("dataDir", format!("cannot lock the data directory: {e}"))
                .report()
        }
    };
    if let Err(e) = display_ready() {
        return e.report();
    }
    // WebKitGTK's accelerated compositing costs ~80 MB in the web process for a window that
    // animates little more than a progress bar; a user's own setting still wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    // WebKitGTK's memory-pressure monitor wakes this process and the web process every 30 s
    // to read /proc (the web process parses all of its smaps, some 1,300 mappings): most of an
    // idle window's CPU, 0.167 % of a core over 60 s with it against 0.100 % without (a synced
    // 2,000-message demo, this project's machine, 2026-11-29). The page is one mailbox's
    // views, not a browser's tabs; the kernel still reclaims memory as it always does. A
    // user's own setting (`0` keeps the monitor) still wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_MEMORY_PRESSURE_MONITOR").is_none() {
        std::env::set_var("WEBKIT_DISABLE_MEMORY_PRESSURE_MONITOR", "1");
    }
    let settings_path = settings::file(dir.path());
    let keep_demo = settings::read_file(&settings_path).keep_demo_mailbox;
    // A database from an older version is updated with the window already open, showing how
    // far it has come (gui/startup.rs); otherwise the mailboxes open first, as they always have.
    let upgrading = tauri::async_runtime::block_on(needs_upgrade(&dir, keep_demo));
    let mailboxes = if upgrading {
        None
    } else {
        match tauri::async_runtime::block_on(Mailboxes::open(dir.clone(), keep_demo)) {
            Ok(mailboxes) => Some(Arc::new(mailboxes)),
            Err(e) => return e.report(),
        }
    };
    let data_dir = dir.path().to_owned();
    let account_dir = dir.clone();

    let app = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_opener::init())
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .app_name("inbox-sync")
                .arg(settings::AUTOSTART_ARG)
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        .manage(notify::Told::default())
        .manage(if upgrading {
            Startup::upgrading()
        } else {
            Startup::ready()
        })
        .manage(SettingsFile(settings_path.clone()))
        .manage(account::AccountState::new(account_dir))
        .invoke_handler(tauri::generate_handler![
            commands::start,
            commands::cancel,
            commands::get_active,
            commands::get_latest,
            commands::list_runs,
            commands::list_messages,
            commands::list_labels,
            commands::get_message,
            commands::open_link,
            commands::get_summary,
            commands::get_settings,
            commands::set_settings,
            commands::set_remote_content,
            commands::save_attachment,
            commands::open_attachment,
            commands::get_thread,
            commands::open_window,
            commands::list_mailboxes,
            commands::sync_all,
            commands::first_card_painted,
            startup::get_startup,
            account::get_account,
            account::connect_account,
            account::cancel_sign_in,
            account::disconnect_account,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            // The window is made here rather than from the configuration at start, so that a
            // start at login can stay in the tray.
            if !at_login {
                windows::open_main(&handle)?;
            }
            notify::open_window_on_click(&handle);
            let shower = handle.clone();
            instance::listen(&data_dir, move || windows::show_main(&shower));
            match mailboxes {
                Some(mailboxes) => begin(&handle, mailboxes, settings_path.clone()),
                None => {
                    let settings_path = settings_path.clone();
                    tauri::async_runtime::spawn(async move {
                        let dir = dir.with_upgrade_progress(startup::progress(&handle));
                        match Mailboxes::open(dir, keep_demo).await {
                            Ok(mailboxes) => {
                                begin(&handle, Arc::new(mailboxes), settings_path);
                                startup::set(&handle, StartupView::Ready);
                            }
                            Err(e) => {
                                e.report();
                                startup::set(&handle, StartupView::Failed { error: e });
                            }
                        }
                    });
                }
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => return AppError::new("window", format!("cannot open the window: {e}")).report(),
    };
    app.run(|app, event| {
        // Closing the last window keeps the app in the tray; "Quit" exits with a code. With
        // no mailbox open (start-up failed, said in the window) there is no tray to keep.
        if let RunEvent::ExitRequested {
            api, code: None, ..
        } = event
        {
            if !app.state::<Startup>().failed() {
                api.prevent_exit();
            }
        }
    });
    0
}

/// Whether a shown mailbox's database must be updated from an older version before it opens.
async fn needs_upgrade(dir: &DataDir, keep_demo: bool) -> bool {
    for mailbox in dir.shown_mailboxes(keep_demo).unwrap_or_default() {
        if inbox_sync_core::Store::needs_upgrade(&mailbox.database_path(dir.path())).await {
            return true;
        }
    }
    false
}

/// What the window process does once its mailboxes are open: the commands may use them, each
/// is watched for other processes' runs, the tray offers "Sync now", and the launch sync and
/// the schedule start.
fn begin(handle: &tauri::AppHandle, mailboxes: Arc<Mailboxes>, settings_path: PathBuf) {
    startup::manage_mailboxes(handle, mailboxes.clone());
    if let Err(e) = tray::build(handle) {
        tracing::warn!(error = %e, "no tray icon (is a status notifier host running?)");
    }
    for shown in mailboxes.all() {
        watcher::spawn(handle.clone(), shown);
    }
    let current = settings::load(handle, &settings_path);
    if current.auto_sync_on_launch {
        spawn_sync_all(handle, &mailboxes, Trigger::Launch);
    }
    spawn_schedule(handle.clone(), mailboxes, settings_path);
}

/// Runs a sync of every mailbox every `syncIntervalMinutes` (read afresh each minute, so
/// changes apply).
fn spawn_schedule(app: tauri::AppHandle, mailboxes: Arc<Mailboxes>, settings_path: PathBuf) {
    tauri::async_runtime::spawn(async move {
        let mut waited = Duration::ZERO;
        loop {
            tokio::time::sleep(Duration::from_secs(60)).await;
            waited += Duration::from_secs(60);
            let interval = settings::load(&app, &settings_path).sync_interval_minutes;
            if interval > 0 && waited >= Duration::from_secs(60 * u64::from(interval)) {
                waited = Duration::ZERO;
                spawn_sync_all(&app, &mailboxes, Trigger::Schedule);
            }
        }
    });
}

/// The window needs a graphical display. Without one (an SSH session, a service, a
/// container) GTK cannot start and Tauri would panic; this says so in words instead, and
/// points to the command line, which needs none.
#[cfg(target_os = "linux")]
fn display_ready() -> Result<(), AppError> {
    gtk::init().map_err(|e| {
        AppError::new(
            "noDisplay",
            format!(
                "cannot open the window: no graphical display could be opened ({e}; DISPLAY or \
                 WAYLAND_DISPLAY says where one is). The command line needs none: \
                 `inbox-sync sync`, `inbox-sync status`, `inbox-sync search`."
            ),
        )
    })
}

/// Windows and macOS always have their window server in a user's session.
#[cfg(not(target_os = "linux"))]
fn display_ready() -> Result<(), AppError> {
    Ok(())
}
