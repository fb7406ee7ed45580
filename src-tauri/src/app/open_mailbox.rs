//! A mailbox opened for syncing — its ledger, its mail and where the mail comes from — and
//! the one way a sync of it starts, whoever asks (the fetch button, the tray, launch, the
//! schedule, the command line): [`OpenMailbox::start`]. The sync runs in the background
//! under the ledger's lease; the caller follows it through [`RunningSync`].
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use inbox_sync_core::auth::Accounts;
use inbox_sync_core::gmail::GmailSource;
use inbox_sync_core::sync::{
    request, run_sync_notify, MailStore, Method, QuotaBucket, SyncOptions, SyncSummary,
};
use inbox_sync_core::{
    Leased, Ledger, LedgerConfig, Outcome, RunProgress, RunReport, Store, StoreOptions, SyncRun,
    Trigger,
};
use tokio::sync::{oneshot, watch, Mutex};
use tokio_util::sync::CancellationToken;

use inbox_sync_core::damage::SetAside;
use inbox_sync_core::mail::{runs_code, safe_file_name, save_new};
use inbox_sync_core::sync::SourceError;

use super::mailbox::{MailOrigin, Mailbox};
use super::AppError;

/// A mailbox with its database open. One per mailbox per process; shared by every window
/// (the window process) or owned by one command (the command line).
pub struct OpenMailbox {
    mailbox: Mailbox,
    ledger: Ledger,
    mail: MailStore,
    accounts: Accounts,
    /// Where the mail comes from, connected on the first sync and kept: the demo's server
    /// (and so its history) lives on, so later syncs are incremental.
    origin: Mutex<Option<MailOrigin>>,
    /// The sync this process runs in this mailbox, if any: what Stop cancels and what the
    /// window's ledger watcher leaves to the progress events.
    own: Mutex<Option<OwnRun>>,
    /// The damaged file set aside when this mailbox was opened, if one was.
    repaired: Option<SetAside>,
    /// The per-user quota the reader's own requests (attachments) spend from together.
    reader_quota: Arc<QuotaBucket>,
}

/// An attachment written to disk: where, and how many bytes.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedAttachment {
    pub path: std::path::PathBuf,
    pub size: u64,
}

/// The bucket a mailbox's on-demand requests share: Gmail's per-user quota, as the sync
/// paces itself.
fn reader_quota(options: &SyncOptions) -> Arc<QuotaBucket> {
    Arc::new(QuotaBucket::new(options.quota_units_per_sec))
}

/// Why an attachment could not be fetched, in the shell's codes.
fn attachment_error(e: SourceError) -> AppError {
    let code = match &e {
        SourceError::NotFound(_) => "notFound",
        SourceError::SignInRequired(_) | SourceError::Unauthorized(_) => "signInRequired",
        SourceError::Network(_) | SourceError::Timeout(_) => "offline",
        SourceError::RateLimited { .. } => "throttled",
        _ => "gmailError",
    };
    AppError::new(code, format!("the attachment could not be fetched: {e}"))
}

/// A sync this process runs.
struct OwnRun {
    run_id: i64,
    cancel: CancellationToken,
    /// Turns true once the run is recorded as ended.
    done: watch::Receiver<bool>,
}

/// What `start` did.
pub enum Start {
    Started(Box<RunningSync>),
    /// Another sync of this mailbox (any process) holds the lease.
    AlreadyRunning {
        run_id: i64,
    },
}

/// A sync running in the background: its live progress and its end.
pub struct RunningSync {
    pub run_id: i64,
    pub live: LiveRun,
    pub end: SyncEnd,
}

/// The run as it stands: the row's fixed fields, read once at the start, with the engine's
/// live progress on top — no database read per progress event.
pub struct LiveRun {
    base: SyncRun,
    progress: watch::Receiver<RunProgress>,
}

impl LiveRun {
    /// Waits for the next change of progress; `None` once the sync has stopped reporting.
    pub async fn next(&mut self) -> Option<SyncRun> {
        self.progress.changed().await.ok()?;
        Some(self.now())
    }

    /// The run with its latest progress.
    pub fn now(&mut self) -> SyncRun {
        self.base.with_progress(&self.progress.borrow_and_update())
    }
}

/// Resolves when the sync has ended and its end is recorded.
pub struct SyncEnd(oneshot::Receiver<Result<Ended, AppError>>);

/// How a sync ended: the lease's report and the run's final row.
pub struct Ended {
    pub report: RunReport<SyncSummary>,
    /// `None` only when the ledger could not be read after the end.
    pub run: Option<SyncRun>,
}

impl SyncEnd {
    pub async fn wait(self) -> Result<Ended, AppError> {
        self.0
            .await
            .unwrap_or_else(|_| Err(AppError::internal("the sync task vanished")))
    }
}

impl OpenMailbox {
    /// Opens `mailbox`'s database under `data_dir` (creating its folder on first use) for
    /// syncing. A database known or found damaged is set aside and a fresh one started, with
    /// the old ledger's readable runs and a `corrupt` row saying what happened; its first
    /// sync is then a full one, which rebuilds the mail from Gmail.
    pub async fn open(
        data_dir: &Path,
        mailbox: Mailbox,
        accounts: Accounts,
        stale_after: Duration,
        options: StoreOptions,
    ) -> Result<Arc<Self>, AppError> {
        let path = mailbox.database_path(data_dir);
        if let Some(parent) = path.parent() {
            super::create_dir(parent)?;
        }
        let (store, repair) = Store::open_repairing(&path, options, super::now_ms()).await?;
        let ledger = Ledger::new(store.clone(), LedgerConfig::with_stale_after(stale_after));
        if let Some(repair) = &repair {
            let imported = ledger
                .import_after_repair(
                    &repair.runs,
                    &repair.set_aside.path,
                    &repair.set_aside.reason,
                )
                .await;
            if let Err(e) = imported {
                store.close().await;
                return Err(e.into());
            }
        }
        let mailbox_options = mailbox.sync_options();
        Ok(Arc::new(Self {
            mailbox,
            ledger,
            mail: MailStore::new(store),
            accounts,
            origin: Mutex::new(None),
            own: Mutex::new(None),
            repaired: repair.map(|r| r.set_aside),
            reader_quota: reader_quota(&mailbox_options),
        }))
    }

    /// Opens `mailbox`'s existing database for reading only (`status`, `history`): works on
    /// read-only media and never sets anything aside.
    pub async fn open_read_only(
        data_dir: &Path,
        mailbox: Mailbox,
        accounts: Accounts,
        stale_after: Duration,
        options: StoreOptions,
    ) -> Result<Arc<Self>, AppError> {
        let path = mailbox.database_path(data_dir);
        let store = Store::open_read_only(&path, options).await?;
        let ledger = Ledger::new(store.clone(), LedgerConfig::with_stale_after(stale_after));
        let reader_quota = reader_quota(&mailbox.sync_options());
        Ok(Arc::new(Self {
            mailbox,
            ledger,
            mail: MailStore::new(store),
            accounts,
            origin: Mutex::new(None),
            own: Mutex::new(None),
            repaired: None,
            reader_quota,
        }))
    }

    /// The damaged file set aside when this mailbox was opened, if one was.
    pub fn repaired(&self) -> Option<&SetAside> {
        self.repaired.as_ref()
    }

    /// Why this mailbox's database is known to be damaged (found during this process's sync
    /// or by the quick check after it), if it is: the next open sets it aside.
    pub fn damage(&self) -> Option<String> {
        self.ledger.store().damage()
    }

    pub fn mailbox(&self) -> &Mailbox {
        &self.mailbox
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub fn mail(&self) -> &MailStore {
        &self.mail
    }

    /// The id of the sync this process runs here, if any.
    pub async fn own_run_id(&self) -> Option<i64> {
        self.own.lock().await.as_ref().map(|r| r.run_id)
    }

    async fn source(&self, timeout: Duration) -> Result<Arc<GmailSource>, AppError> {
        let mut origin = self.origin.lock().await;
        if origin.is_none() {
            *origin = Some(self.mailbox.connect(&self.accounts, timeout).await?);
        }
        Ok(origin
            .as_ref()
            .map(|o| o.source.clone())
            .expect("set above"))
    }

    /// Saves attachment `index` of message `gmail_id` into `folder` as a new file (never
    /// replacing one), its name made safe; its bytes are fetched from Gmail on demand
    /// (`messages.attachments.get`), as the store keeps only what the attachment is.
    pub async fn save_attachment(
        &self,
        gmail_id: &str,
        index: usize,
        folder: &Path,
    ) -> Result<SavedAttachment, AppError> {
        self.save_attachment_for(gmail_id, index, folder, false)
            .await
    }

    /// Saves attachment `index` as [`Self::save_attachment`] does, for the system to open
    /// next; refused before anything is fetched when the file could run code (a program, a
    /// script, a shortcut, a web page): those are only ever saved.
    pub async fn save_attachment_to_open(
        &self,
        gmail_id: &str,
        index: usize,
        folder: &Path,
    ) -> Result<SavedAttachment, AppError> {
        self.save_attachment_for(gmail_id, index, folder, true)
            .await
    }

    async fn save_attachment_for(
        &self,
        gmail_id: &str,
        index: usize,
        folder: &Path,
        to_open: bool,
    ) -> Result<SavedAttachment, AppError> {
        let message =
            self.mail.message(gmail_id).await?.ok_or_else(|| {
                AppError::new("notFound", "that message is no longer in the mailbox")
            })?;
        let wanted = message
            .attachments
            .get(index)
            .ok_or_else(|| AppError::new("notFound", "that message has no such attachment"))?;
        if to_open
            && runs_code(
                &safe_file_name(wanted.filename.as_deref(), &wanted.mime_type),
                &wanted.mime_type,
            )
        {
            return Err(AppError::new(
                "wontOpen",
                "this file could run a program, so Inbox Sync does not open it; save it, and open it yourself only if you trust the sender",
            ));
        }
        let options = self.mailbox.sync_options();
        let source = self.source(options.request_timeout).await?;
        // Paced and retried as the sync's own requests are (quota, 429/403 rate limits, 5xx,
        // timeouts, one token refresh).
        let bytes = request(
            Arc::clone(&source),
            options,
            Arc::clone(&self.reader_quota),
            Method::Attachment,
            || source.attachment(gmail_id, wanted, index),
        )
        .await
        .map_err(attachment_error)?;
        let name = safe_file_name(wanted.filename.as_deref(), &wanted.mime_type);
        std::fs::create_dir_all(folder).map_err(|e| {
            AppError::new(
                "saveFailed",
                format!("the folder {} cannot be used: {e}", folder.display()),
            )
        })?;
        let folder = folder.to_owned();
        let size = bytes.len() as u64;
        let path = tokio::task::spawn_blocking(move || save_new(&folder, &name, &bytes))
            .await
            .map_err(|e| AppError::internal(format!("saving the attachment failed: {e}")))?
            .map_err(|e| {
                AppError::new(
                    "saveFailed",
                    format!("the attachment could not be saved: {e}"),
                )
            })?;
        Ok(SavedAttachment { path, size })
    }

    /// Starts a sync in the background with `options` (the mailbox's own when `None`), or
    /// says which run already holds the lease. Every sync of the app starts here.
    pub async fn start(
        self: &Arc<Self>,
        trigger: Trigger,
        options: Option<SyncOptions>,
    ) -> Result<Start, AppError> {
        let options = options.unwrap_or_else(|| self.mailbox.sync_options());
        let source = self.source(options.request_timeout).await?;
        let cancel = CancellationToken::new();
        let (progress_tx, progress_rx) = watch::channel(RunProgress::default());
        let (started_tx, mut started_rx) = oneshot::channel();
        let ledger = self.ledger.clone();
        let task_cancel = cancel.clone();
        let mut task = tokio::spawn(async move {
            run_sync_notify(
                &ledger,
                trigger,
                source,
                options,
                task_cancel,
                Some(progress_tx),
                Some(started_tx),
            )
            .await
        });
        tokio::select! {
            // Polled first: a run that started is reported as started, however fast it ends.
            biased;
            Ok(run_id) = &mut started_rx => {
                let base = match self.ledger.get(run_id).await {
                    Ok(Some(run)) => run,
                    _ => SyncRun::running(run_id, trigger, self.ledger.clock().now_ms()),
                };
                let (done_tx, done_rx) = watch::channel(false);
                *self.own.lock().await = Some(OwnRun { run_id, cancel, done: done_rx });
                let (end_tx, end_rx) = oneshot::channel();
                let this = self.clone();
                tokio::spawn(async move {
                    let ended = match task.await {
                        Ok(Ok(Leased::Ran(report))) => {
                            // The periodic check: damage found here is recorded (marker)
                            // and healed by the next open.
                            if matches!(report.outcome, Outcome::Success) {
                                let _ = this.ledger.store().check_after_sync(run_id).await;
                            }
                            Ok(report)
                        }
                        Ok(Ok(Leased::AlreadyRunning { .. })) => {
                            Err(AppError::internal("the sync was refused after it had started"))
                        }
                        Ok(Err(e)) => Err(AppError::from(e)),
                        Err(e) => Err(AppError::internal(format!("the sync task failed: {e}"))),
                    };
                    let run = this.ledger.get(run_id).await.ok().flatten();
                    *this.own.lock().await = None;
                    let _ = done_tx.send(true);
                    let _ = end_tx.send(ended.map(|report| Ended { report, run }));
                });
                Ok(Start::Started(Box::new(RunningSync {
                    run_id,
                    live: LiveRun { base, progress: progress_rx },
                    end: SyncEnd(end_rx),
                })))
            }
            joined = &mut task => match joined {
                Ok(Ok(Leased::AlreadyRunning { run_id })) => Ok(Start::AlreadyRunning { run_id }),
                Ok(Ok(Leased::Ran(report))) => Err(AppError::internal(format!(
                    "run #{} ended before it was reported as started", report.run_id
                ))),
                Ok(Err(e)) => Err(e.into()),
                Err(e) => Err(AppError::internal(format!("the sync task failed: {e}"))),
            },
        }
    }

    /// Asks this process's sync to stop; `false` when it runs none.
    pub async fn cancel(&self) -> bool {
        match self.own.lock().await.as_ref() {
            Some(run) => {
                run.cancel.cancel();
                true
            }
            None => false,
        }
    }

    /// Stops this process's sync and waits (up to `limit`) until its run is recorded as ended.
    pub async fn cancel_and_wait(&self, limit: Duration) {
        let done = match self.own.lock().await.as_ref() {
            Some(run) => {
                run.cancel.cancel();
                Some(run.done.clone())
            }
            None => None,
        };
        if let Some(mut done) = done {
            let _ = tokio::time::timeout(limit, done.wait_for(|d| *d)).await;
        }
    }

    /// Stops the demo's server (if one runs) and closes the database.
    pub async fn close(&self) {
        if let Some(origin) = self.origin.lock().await.take() {
            if let Some(demo) = origin.demo {
                demo.server.shutdown().await;
            }
        }
        self.ledger.store().close_checkpointed().await;
    }
}
