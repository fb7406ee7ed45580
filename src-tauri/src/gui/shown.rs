//! The mailboxes the windows show — every connected account's, else the demo's — and
//! starting their syncs from the app (button, tray, launch, schedule); each sync is then
//! followed in every window by `events::follow`. Each mailbox has its own database, ledger
//! and lease, so two mailboxes sync side by side and one never twice.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use inbox_sync_core::auth::account_folder;
use inbox_sync_core::{StartResult, SyncRun, Trigger};
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Emitter, Runtime};

use super::{events, notify};
use crate::app::{demo_mailbox, AppError, DataDir, Mailbox, OpenMailbox, Start};

/// Sent to every window when the set of mailboxes changed (an account added or removed).
pub const MAILBOXES_CHANGED: &str = "mailboxes://changed";

/// The key a window names a mailbox by: an account's folder name, or `demo`.
pub fn key_of(mailbox: &Mailbox) -> String {
    match mailbox {
        Mailbox::Account(record) => account_folder(&record.email),
        Mailbox::Demo(_) | Mailbox::Server(_) => "demo".to_owned(),
    }
}

/// One mailbox the windows show; its open database is replaced when the account signs in
/// again, and when its database was found damaged (see [`ShownMailbox::for_sync`]).
pub struct ShownMailbox {
    key: String,
    current: RwLock<Arc<OpenMailbox>>,
    dir: DataDir,
    /// One heal at a time (the button, the tray and the schedule may all ask at once).
    healing: tokio::sync::Mutex<()>,
    /// Held for reading by every window read of the mailbox ([`ShownMailbox::read`]) and for
    /// writing while a heal swaps the damaged database for a fresh one: a read never meets the
    /// closed database, it waits for the fresh one.
    swap: Arc<tokio::sync::RwLock<()>>,
    /// Set when the mailbox is no longer shown (its account was removed): its watcher ends.
    removed: AtomicBool,
}

impl ShownMailbox {
    pub fn new(open: Arc<OpenMailbox>, dir: DataDir) -> Self {
        Self {
            key: key_of(open.mailbox()),
            current: RwLock::new(open),
            dir,
            healing: tokio::sync::Mutex::new(()),
            swap: Arc::new(tokio::sync::RwLock::new(())),
            removed: AtomicBool::new(false),
        }
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn is_removed(&self) -> bool {
        self.removed.load(Ordering::Relaxed)
    }

    pub fn get(&self) -> Arc<OpenMailbox> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The mailbox for a window's read (its mail, counts, labels, runs): waits while a heal
    /// swaps the damaged database for a fresh one, and holds the next swap off until the read
    /// is done (the [`Reading`] dropped). Not for anything that starts a sync, which may heal.
    pub async fn read(&self) -> Reading {
        let guard = self.swap.clone().read_owned().await;
        Reading {
            open: self.get(),
            _swap: guard,
        }
    }

    /// Puts `open` in place and returns the one it replaces.
    pub fn replace(&self, open: Arc<OpenMailbox>) -> Arc<OpenMailbox> {
        std::mem::replace(
            &mut *self.current.write().unwrap_or_else(|e| e.into_inner()),
            open,
        )
    }

    /// The mailbox a sync should run in: the shown one, or — when its database was found
    /// damaged (by a sync, the check after one, or any read) — a fresh one opened in its
    /// place, as the command line does: the shown store is closed (this process's hold on
    /// the file goes), the open sets the damaged file aside (never deleted; refused while
    /// another process still has it open) and starts a fresh file whose first sync is a
    /// full one that rebuilds the mail from Gmail. `true` with it when it was replaced.
    pub async fn for_sync(&self) -> Result<(Arc<OpenMailbox>, bool), AppError> {
        let _one = self.healing.lock().await;
        let open = self.get();
        let Some(reason) = open.damage() else {
            return Ok((open, false));
        };
        tracing::warn!(
            mailbox = %self.key,
            "the database was found damaged ({reason}); setting it aside and rebuilding it"
        );
        open.cancel_and_wait(Duration::from_secs(10)).await;
        // The window's reads under way end first; those asked meanwhile wait for the fresh
        // database instead of failing on the closed one.
        let _swap = self.swap.write().await;
        open.close().await;
        let fresh = self.dir.open_mailbox(open.mailbox().clone()).await?;
        self.replace(fresh.clone());
        Ok((fresh, true))
    }
}

/// A window's read of a shown mailbox: its open database, which no heal replaces while this
/// is held ([`ShownMailbox::read`]).
pub struct Reading {
    open: Arc<OpenMailbox>,
    _swap: tokio::sync::OwnedRwLockReadGuard<()>,
}

impl std::ops::Deref for Reading {
    type Target = OpenMailbox;

    fn deref(&self) -> &OpenMailbox {
        &self.open
    }
}

/// What the mailbox switcher shows of one mailbox.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MailboxView {
    key: String,
    /// What the mailbox is (`kind`, `label`, `email`), as Home shows it.
    source: Value,
    active: Option<SyncRun>,
    latest: Option<SyncRun>,
}

/// Every mailbox the windows show, the first connected account first.
pub struct Mailboxes {
    dir: DataDir,
    slots: RwLock<Vec<Arc<ShownMailbox>>>,
    /// The demo mailbox stays beside the accounts (Settings → "Keep the demo mailbox").
    keep_demo: AtomicBool,
}

impl Mailboxes {
    /// Opens every connected account's mailbox (else the demo's). An account whose database
    /// cannot be opened is left out with a warning rather than keeping the others shut.
    pub async fn open(dir: DataDir, keep_demo: bool) -> Result<Self, AppError> {
        let wanted = match dir.shown_mailboxes(keep_demo) {
            Ok(all) => all,
            Err(e) => {
                tracing::warn!(code = %e.code, "cannot read the connected accounts ({}); showing the demo mailbox", e.message);
                vec![demo_mailbox()?]
            }
        };
        let mut slots = Vec::new();
        let mut first_error = None;
        for mailbox in wanted {
            match dir.open_mailbox(mailbox).await {
                Ok(open) => slots.push(Arc::new(ShownMailbox::new(open, dir.clone()))),
                Err(e) => {
                    tracing::warn!(code = %e.code, "a mailbox cannot be opened: {}", e.message);
                    first_error.get_or_insert(e);
                }
            }
        }
        if slots.is_empty() {
            return Err(first_error.unwrap_or_else(|| AppError::config("no mailbox to show")));
        }
        Ok(Self {
            dir,
            slots: RwLock::new(slots),
            keep_demo: AtomicBool::new(keep_demo),
        })
    }

    pub fn all(&self) -> Vec<Arc<ShownMailbox>> {
        self.slots.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The mailbox `key` names; `None` is the first.
    pub fn get(&self, key: Option<&str>) -> Result<Arc<ShownMailbox>, AppError> {
        let slots = self.slots.read().unwrap_or_else(|e| e.into_inner());
        match key {
            None => slots.first().cloned(),
            Some(key) => slots.iter().find(|s| s.key == key).cloned(),
        }
        .ok_or_else(|| {
            AppError::new(
                "noSuchMailbox",
                format!(
                    "that mailbox ({}) is no longer connected",
                    key.unwrap_or("none")
                ),
            )
        })
    }

    /// What the switcher lists, in order.
    pub async fn views(&self) -> Vec<MailboxView> {
        let mut views = Vec::new();
        for slot in self.all() {
            let open = slot.read().await;
            views.push(MailboxView {
                key: slot.key.clone(),
                source: open.mailbox().view(),
                active: open.ledger().get_active().await.ok().flatten(),
                latest: open.ledger().get_latest().await.ok().flatten(),
            });
        }
        views
    }

    /// Reads the connected accounts again (one was added, signed in again or removed) and
    /// brings the mailboxes in line: a new account is opened and watched, one signed in again
    /// gets its new sign-in, a removed one's sync is stopped, its database closed, and it
    /// leaves the list. Every window is told.
    pub async fn reload<R: Runtime>(&self, app: &AppHandle<R>) -> Result<(), AppError> {
        let wanted = self
            .dir
            .shown_mailboxes(self.keep_demo.load(Ordering::Relaxed))?;
        let old = self.all();
        let mut next = Vec::new();
        let mut added = Vec::new();
        for mailbox in wanted {
            let key = key_of(&mailbox);
            match old.iter().find(|s| s.key == key) {
                Some(slot) => {
                    if let (Mailbox::Account(new), Mailbox::Account(had)) =
                        (&mailbox, slot.get().mailbox())
                    {
                        if new != had {
                            let open = self.dir.open_mailbox(mailbox.clone()).await?;
                            slot.get().cancel_and_wait(Duration::from_secs(10)).await;
                            slot.replace(open);
                        }
                    }
                    next.push(slot.clone());
                }
                None => {
                    let open = self.dir.open_mailbox(mailbox).await?;
                    let slot = Arc::new(ShownMailbox::new(open, self.dir.clone()));
                    added.push(slot.clone());
                    next.push(slot);
                }
            }
        }
        *self.slots.write().unwrap_or_else(|e| e.into_inner()) = next.clone();
        for gone in old.iter().filter(|s| !next.iter().any(|n| n.key == s.key)) {
            gone.removed.store(true, Ordering::Relaxed);
            gone.get().cancel_and_wait(Duration::from_secs(10)).await;
            // Its database is let go (and the demo's server stopped) now, not at exit.
            gone.get().close().await;
            super::tray::show_run(app, &gone.key, None);
        }
        for shown in added {
            super::watcher::spawn(app.clone(), shown);
        }
        let _ = app.emit(MAILBOXES_CHANGED, self.views().await);
        Ok(())
    }

    /// Keeps (or stops keeping) the demo mailbox beside the accounts, and shows it so.
    pub async fn keep_demo<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        keep: bool,
    ) -> Result<(), AppError> {
        if self.keep_demo.swap(keep, Ordering::Relaxed) != keep {
            self.reload(app).await?;
        }
        Ok(())
    }
}

/// Starts a sync of `shown` (button, tray, launch, schedule) and follows it in the windows;
/// a damaged database is set aside and rebuilt first.
pub async fn start_sync<R: Runtime>(
    app: &AppHandle<R>,
    shown: &Arc<ShownMailbox>,
    trigger: Trigger,
) -> Result<StartResult, AppError> {
    let (open, replaced) = shown.for_sync().await?;
    if replaced {
        if let Ok(counts) = open.mail().counts().await {
            events::mail_changed(app, shown.key(), &counts);
        }
    }
    match open.start(trigger, None).await? {
        Start::AlreadyRunning { run_id } => Ok(StartResult::already_running(run_id)),
        Start::Started(running) => {
            let run_id = running.run_id;
            tauri::async_runtime::spawn(events::follow(
                app.clone(),
                shown.clone(),
                open.clone(),
                *running,
            ));
            Ok(StartResult::started(run_id))
        }
    }
}

/// Starts a sync from the app itself (launch, schedule, tray) in the background.
pub fn spawn_sync<R: Runtime>(app: AppHandle<R>, shown: Arc<ShownMailbox>, trigger: Trigger) {
    tauri::async_runtime::spawn(async move {
        match start_sync(&app, &shown, trigger).await {
            Ok(result) if !result.started => {
                tracing::info!(mailbox = %shown.key(), run_id = result.run_id, "a sync is already running")
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(mailbox = %shown.key(), code = %e.code, "{trigger} sync failed to start: {}", e.message);
                notify::start_failed(&app, &shown.get().mailbox().view(), trigger, &e);
            }
        }
    });
}

/// Starts a sync of every mailbox (the tray's "Sync now", "Sync all", launch, schedule);
/// one that cannot start never keeps the others from starting.
pub fn spawn_sync_all<R: Runtime>(app: &AppHandle<R>, mailboxes: &Mailboxes, trigger: Trigger) {
    for shown in mailboxes.all() {
        spawn_sync(app.clone(), shown, trigger);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// While a heal swaps a damaged database for a fresh one, the window's reads (four at
    /// once, without pause) wait for the fresh database: none meets the closed one.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_during_a_heal_wait_for_the_fresh_database() {
        let folder = tempfile::tempdir().expect("a scratch folder");
        let dir = DataDir::open(Some(folder.path()), Duration::from_secs(60)).expect("data dir");
        let open = dir
            .open_mailbox(demo_mailbox().expect("the demo"))
            .await
            .expect("open the mailbox");
        let damaged = open.ledger().store().path().to_owned();
        let shown = Arc::new(ShownMailbox::new(open, dir));
        inbox_sync_core::damage::note(&damaged, "damaged on purpose by a test");

        let stop = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..4)
            .map(|_| {
                let (shown, stop) = (shown.clone(), stop.clone());
                tokio::spawn(async move {
                    let mut reads = 0u32;
                    while !stop.load(Ordering::Relaxed) {
                        let reading = shown.read().await;
                        reading
                            .ledger()
                            .get_latest()
                            .await
                            .map_err(|e| format!("read {reads}: {e}"))?;
                        reads += 1;
                        tokio::task::yield_now().await;
                    }
                    Ok::<u32, String>(reads)
                })
            })
            .collect();
        // Let the readers get going before the heal.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (fresh, replaced) = shown.for_sync().await.expect("the heal");
        // And go on reading the fresh database a moment.
        tokio::time::sleep(Duration::from_millis(50)).await;
        stop.store(true, Ordering::Relaxed);

        assert!(replaced, "the damaged database was replaced");
        assert!(Arc::ptr_eq(&fresh, &shown.get()), "the fresh one is shown");
        assert!(fresh.repaired().is_some(), "the damaged file was set aside");
        for reader in readers {
            let reads = reader
                .await
                .expect("the reader ran")
                .expect("every read succeeded");
            assert!(reads > 0, "the reader read");
        }
    }
}
