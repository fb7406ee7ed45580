//! The tray: "Sync now" (syncs every mailbox; shows what runs, and is disabled while every
//! mailbox syncs), "Open", "New window", "Quit" (which stops running syncs cleanly first).
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use inbox_sync_core::{SyncRun, Trigger};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

use super::shown::{spawn_sync_all, Mailboxes};
use super::windows;
use crate::format::count;

struct TrayItems<R: Runtime> {
    sync_now: MenuItem<R>,
    /// The running sync of each mailbox that has one: (processed, total estimate).
    running: Mutex<BTreeMap<String, (i64, Option<i64>)>>,
    /// The label last set, so it is set (and logged) only when it changes.
    label: Mutex<String>,
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
    app.manage(TrayItems {
        sync_now,
        running: Mutex::new(BTreeMap::new()),
        label: Mutex::new("Sync now".to_owned()),
    });
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

/// What "Sync now" does: a sync of every mailbox; the launch hook and the `start` command
/// with trigger `tray` go through the same `start_sync`.
pub fn sync_now_clicked<R: Runtime>(app: &AppHandle<R>) {
    let mailboxes = app.state::<Arc<Mailboxes>>().inner().clone();
    spawn_sync_all(app, &mailboxes, Trigger::Tray);
}

/// Reflects `mailbox`'s running sync (or none) in the "Sync now" item, with every other
/// mailbox's: "Syncing… 340 of 1,200", or "Syncing 2 accounts… 340 of 1,200".
pub fn show_run<R: Runtime>(app: &AppHandle<R>, mailbox: &str, run: Option<&SyncRun>) {
    let Some(items) = app.try_state::<TrayItems<R>>() else {
        return;
    };
    let mut running = items.running.lock().unwrap_or_else(|e| e.into_inner());
    match run {
        Some(run) if !run.is_stale && run.finished_at.is_none() => {
            running.insert(
                mailbox.to_owned(),
                (run.progress.processed_emails, run.total_estimate),
            );
        }
        _ => {
            running.remove(mailbox);
        }
    }
    let all = app
        .try_state::<Arc<Mailboxes>>()
        .map_or(1, |m| m.all().len());
    let label = tray_label(running.values().copied());
    let mut shown = items.label.lock().unwrap_or_else(|e| e.into_inner());
    if *shown != label {
        tracing::debug!(label = %label, "tray: Sync now item");
        let _ = items.sync_now.set_text(&label);
        *shown = label;
    }
    // "Sync now" starts what is not running yet; with everything running it has nothing to do.
    let _ = items.sync_now.set_enabled(running.len() < all.max(1));
}

/// The "Sync now" item's words for the syncs running: (processed, total estimate) each.
pub fn tray_label(running: impl Iterator<Item = (i64, Option<i64>)>) -> String {
    let runs: Vec<_> = running.collect();
    if runs.is_empty() {
        return "Sync now".to_owned();
    }
    let done: i64 = runs.iter().map(|r| r.0).sum();
    let total: Option<i64> = runs.iter().map(|r| r.1.filter(|t| *t > 0)).sum();
    let what = match runs.len() {
        1 => "Syncing…".to_owned(),
        n => format!("Syncing {n} accounts…"),
    };
    match total {
        Some(total) => format!("{what} {} of {}", count(done), count(total)),
        None => what,
    }
}

/// Stops the running syncs (their runs end aborted/cancelled), then exits.
fn quit<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mailboxes = app.state::<Arc<Mailboxes>>().inner().clone();
        // Every mailbox is told to stop first, then each is waited for.
        let all = mailboxes.all();
        for shown in &all {
            shown.get().cancel().await;
        }
        for shown in &all {
            shown.get().cancel_and_wait(Duration::from_secs(10)).await;
        }
        app.exit(0);
    });
}

#[cfg(test)]
mod tests {
    use super::tray_label;

    #[test]
    fn the_label_says_how_many_accounts_sync_and_their_sum() {
        assert_eq!(tray_label([].into_iter()), "Sync now");
        assert_eq!(
            tray_label([(340, Some(1200))].into_iter()),
            "Syncing… 340 of 1,200"
        );
        assert_eq!(
            tray_label([(300, Some(1000)), (40, Some(200))].into_iter()),
            "Syncing 2 accounts… 340 of 1,200"
        );
        // One total unknown: no sum of totals is claimed.
        assert_eq!(
            tray_label([(300, Some(1000)), (40, None)].into_iter()),
            "Syncing 2 accounts…"
        );
    }
}
