//! Starting and stopping syncs from the app (button, tray, launch, schedule): each runs in
//! the background under the ledger's lease; its progress reaches every window at most ten
//! times a second, and its end once.
use std::sync::Arc;
use std::time::Duration;

use inbox_sync_core::auth::Accounts;
use inbox_sync_core::gmail::GmailSource;
use inbox_sync_core::sync::{run_sync_notify, MailStore, SyncOptions};
use inbox_sync_core::{Leased, Ledger, RunProgress, StartResult, SyncRun, Trigger};
use tauri::{AppHandle, Runtime};
use tokio::sync::{oneshot, watch, Mutex, OnceCell};
use tokio_util::sync::CancellationToken;

use super::error::UiError;
use super::events;
use crate::demo::{fake_grant, DemoMailbox, DemoSettings};
use crate::mailbox::{account_source, Mailbox};

/// Progress events are coalesced to this interval (at most ~10 per second).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);
/// Each Gmail request gives up after this long.
const SOURCE_TIMEOUT: Duration = Duration::from_secs(30);

/// A sync this process runs.
struct OwnRun {
    run_id: i64,
    cancel: CancellationToken,
    done: watch::Receiver<bool>,
}

/// The mailbox the windows show; replaced when an account is connected or disconnected.
pub struct Current(std::sync::RwLock<Arc<SyncControl>>);

impl Current {
    pub fn new(control: Arc<SyncControl>) -> Self {
        Self(std::sync::RwLock::new(control))
    }

    pub fn get(&self) -> Arc<SyncControl> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Puts `control` in place and returns the one it replaces.
    pub fn replace(&self, control: Arc<SyncControl>) -> Arc<SyncControl> {
        std::mem::replace(
            &mut *self.0.write().unwrap_or_else(|e| e.into_inner()),
            control,
        )
    }
}

/// Starts, stops and reports the syncs of one mailbox (the demo, or the connected account).
pub struct SyncControl {
    ledger: Ledger,
    mail: MailStore,
    mailbox: Mailbox,
    accounts: Accounts,
    demo_settings: DemoSettings,
    /// The demo's server (kept running for incremental syncs) and the source, made once.
    source: OnceCell<(Option<DemoMailbox>, Arc<GmailSource>)>,
    own: Mutex<Option<OwnRun>>,
}

impl SyncControl {
    pub fn new(
        ledger: Ledger,
        mailbox: Mailbox,
        accounts: Accounts,
        demo_settings: DemoSettings,
    ) -> Self {
        Self {
            mail: MailStore::new(ledger.store().pool().clone()),
            ledger,
            mailbox,
            accounts,
            demo_settings,
            source: OnceCell::new(),
            own: Mutex::new(None),
        }
    }

    /// What the Home page says the mailbox is.
    pub fn source_view(&self) -> serde_json::Value {
        match &self.mailbox {
            Mailbox::Demo => serde_json::json!({
                "kind": "demo",
                "label": format!("Demo mailbox ({} messages)", self.demo_settings.messages),
            }),
            Mailbox::Account(record) => serde_json::json!({
                "kind": "account",
                "label": format!("Gmail: {}", record.email),
                "email": record.email,
            }),
        }
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub fn mail(&self) -> &MailStore {
        &self.mail
    }

    /// The id of the sync this process runs, if any.
    pub async fn own_run_id(&self) -> Option<i64> {
        self.own.lock().await.as_ref().map(|r| r.run_id)
    }

    /// Where this mailbox's mail comes from: the connected account with its saved sign-in,
    /// or the demo's server. Made once and kept, so later syncs are incremental.
    async fn source(&self) -> Result<Arc<GmailSource>, UiError> {
        let (_, source) = self
            .source
            .get_or_try_init(|| async {
                if let Mailbox::Account(record) = &self.mailbox {
                    let source = account_source(&self.accounts, record, SOURCE_TIMEOUT)
                        .await
                        .map_err(UiError::from)?;
                    return Ok::<_, UiError>((None, source));
                }
                let demo = DemoMailbox::start(&self.demo_settings)
                    .await
                    .map_err(|e| UiError::new("internal", e))?;
                let source =
                    GmailSource::new(&demo.endpoint, fake_grant(&demo.endpoint), SOURCE_TIMEOUT)
                        .map_err(|e| UiError::new("network", e.to_string()))?;
                Ok((Some(demo), Arc::new(source)))
            })
            .await?;
        Ok(source.clone())
    }

    /// Starts a sync in the background, or says which run is already going.
    pub async fn start<R: Runtime>(
        self: &Arc<Self>,
        app: &AppHandle<R>,
        trigger: Trigger,
    ) -> Result<StartResult, UiError> {
        let source = self.source().await?;
        let options = match self.mailbox {
            Mailbox::Demo => SyncOptions {
                quota_units_per_sec: Some(self.demo_settings.quota).filter(|q| *q > 0),
                ..SyncOptions::default()
            },
            Mailbox::Account(_) => SyncOptions::default(),
        };
        let cancel = CancellationToken::new();
        let (progress_tx, progress_rx) = watch::channel(RunProgress::default());
        let (started_tx, mut started_rx) = oneshot::channel();
        let ledger = self.ledger.clone();
        let task_cancel = cancel.clone();
        let mut task = tauri::async_runtime::spawn(async move {
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
            Ok(run_id) = &mut started_rx => {
                let (done_tx, done_rx) = watch::channel(false);
                *self.own.lock().await = Some(OwnRun { run_id, cancel, done: done_rx });
                tauri::async_runtime::spawn(forward_progress(app.clone(), self.ledger.clone(), self.mail.clone(), run_id, progress_rx));
                let this = self.clone();
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let outcome = task.await;
                    if let Ok(Err(e)) = &outcome {
                        tracing::error!(run_id, error = %e, "the sync ended with a storage error");
                    }
                    *this.own.lock().await = None;
                    let _ = done_tx.send(true);
                    this.announce_end(&app, run_id).await;
                });
                Ok(StartResult::started(run_id))
            }
            joined = &mut task => match joined {
                Ok(Ok(Leased::AlreadyRunning { run_id })) => Ok(StartResult::already_running(run_id)),
                Ok(Ok(Leased::Ran(report))) => Ok(StartResult::started(report.run_id)),
                Ok(Err(e)) => Err(e.into()),
                Err(e) => Err(UiError::new("internal", format!("the sync task failed: {e}"))),
            },
        }
    }

    /// Tells every window how run `run_id` ended and what the mail looks like now.
    pub async fn announce_end<R: Runtime>(&self, app: &AppHandle<R>, run_id: i64) {
        if let Ok(Some(run)) = run_by_id(&self.ledger, run_id).await {
            events::finished(app, &run);
        }
        if let Ok(counts) = self.mail.counts().await {
            events::mail_changed(app, &counts);
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
}

pub async fn run_by_id(ledger: &Ledger, run_id: i64) -> Result<Option<SyncRun>, UiError> {
    Ok(ledger
        .history(1, Some(run_id + 1))
        .await?
        .into_iter()
        .next()
        .filter(|r| r.id == run_id))
}

/// Sends this process's progress to the windows, coalesced, with the ledger's row as base.
async fn forward_progress<R: Runtime>(
    app: AppHandle<R>,
    ledger: Ledger,
    mail: MailStore,
    run_id: i64,
    mut progress: watch::Receiver<RunProgress>,
) {
    let mut stored = -1;
    while progress.changed().await.is_ok() {
        let p = progress.borrow_and_update().clone();
        if let Ok(Some(mut run)) = run_by_id(&ledger, run_id).await {
            if run.finished_at.is_none() {
                run.progress = p.progress;
                run.phase = p.phase;
                run.total_estimate = p.total_estimate;
                run.kind = p.kind;
                events::progress(&app, &run);
                super::tray::show_run(&app, Some(&run));
            }
        }
        // The mail counts move with each committed batch; tell the windows when they do.
        if p.progress.inserted_emails != stored {
            stored = p.progress.inserted_emails;
            if let Ok(counts) = mail.counts().await {
                events::mail_changed(&app, &counts);
            }
        }
        tokio::time::sleep(PROGRESS_EVERY).await;
    }
}
