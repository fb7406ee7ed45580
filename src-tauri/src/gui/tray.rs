//! The tray: "Sync now" (disabled and showing progress while a sync runs), "Open",
//! "New window", "Quit" (which stops a running sync cleanly first).
use std::sync::Arc;
use std::time::Duration;

use inbox_sync_core::{SyncRun, Trigger};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

use super::shown::{spawn_sync, ShownMailbox};
use super::windows;

struct TrayItems<R: Runtime> {
    sync_now: MenuItem<R>,
}

pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let sync_now = MenuItem::with_id(app, "sync-now", "Sync now", true, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open", true, None::<&str>)?;
    let new_window = MenuItem::with_id(app, "new-window", "New window", true, None::<&str>)?;
    let quit_item = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(
        app,
        &[&sync_now, &open, &new_window, &separator, &quit_item],
    )?;
    app.manage(TrayItems { sync_now });
    let mut tray = TrayIconBuilder::with_id("main")
        .tooltip("Inbox Sync")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "sync-now" => sync_now_clicked(app),
            "open" => windows::show_main(app),
            "new-window" => windows::open_new(app),
            "quit" => quit(app),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

/// What "Sync now" does; the launch hook and the `start` command with trigger `tray` go
/// through the same `start_sync`.
pub fn sync_now_clicked<R: Runtime>(app: &AppHandle<R>) {
    let shown = app.state::<Arc<ShownMailbox>>().inner().clone();
    spawn_sync(app.clone(), shown, Trigger::Tray);
}

/// Reflects the running sync (or none) in the "Sync now" item.
pub fn show_run<R: Runtime>(app: &AppHandle<R>, run: Option<&SyncRun>) {
    let Some(items) = app.try_state::<TrayItems<R>>() else {
        return;
    };
    let (label, enabled) = match run {
        Some(run) if !run.is_stale && run.finished_at.is_none() => {
            let done = run.progress.processed_emails;
            let label = match run.total_estimate {
                Some(total) if total > 0 => format!("Syncing… {done} of {total}"),
                _ => "Syncing…".to_owned(),
            };
            (label, false)
        }
        _ => ("Sync now".to_owned(), true),
    };
    let _ = items.sync_now.set_text(label);
    let _ = items.sync_now.set_enabled(enabled);
}

/// Stops a running sync (its run ends aborted/cancelled), then exits.
fn quit<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let open = app.state::<Arc<ShownMailbox>>().get();
        open.cancel_and_wait(Duration::from_secs(10)).await;
        app.exit(0);
    });
}
