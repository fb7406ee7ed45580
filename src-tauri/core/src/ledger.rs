//! The run ledger: `sync_runs` is both the record of every sync and the lock that lets at
//! most one run at a time, across windows, processes and relaunches.
//!
//! Every write is one `BEGIN IMMEDIATE` transaction, so the check ("is a run live?") and the
//! act ("insert mine") cannot interleave with another process. Timestamps are read after the
//! write lock is held, so run intervals in the ledger never overlap.
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};

use crate::boot::BootReading;
use crate::clock::{Clock, SystemClock};
use crate::error::{LedgerError, StoreError};
use crate::owner::{Owner, OwnerLiveness, ProcessLiveness};
use crate::run::{Outcome, Progress, RunProgress, RunStatus, StartResult, SyncRun, Trigger};
use crate::store::Store;
use crate::words::ErrorTag;

/// Timing of the lease protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerConfig {
    /// A running run whose heartbeat is older than this is stale and may be replaced.
    pub stale_after: Duration,
    /// How often a lease heartbeats.
    pub heartbeat_every: Duration,
    /// A lease gives up by itself when no heartbeat succeeded for this long; shorter than
    /// `stale_after`, so an owner stops before anyone may take over.
    pub self_fence_after: Duration,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        Self {
            stale_after: Duration::from_secs(60),
            heartbeat_every: Duration::from_secs(5),
            self_fence_after: Duration::from_secs(45),
        }
    }
}

impl LedgerConfig {
    /// Keeps the defaults' proportions for a given stale threshold (heartbeat 1/12 of it,
    /// self-fencing at 3/4), as `--stale-after` does.
    pub fn with_stale_after(stale_after: Duration) -> Self {
        Self {
            stale_after,
            heartbeat_every: (stale_after / 12).max(Duration::from_millis(10)),
            self_fence_after: stale_after * 3 / 4,
        }
    }
}

/// The run ledger over one database. Cheap to clone.
#[derive(Clone)]
pub struct Ledger {
    store: Store,
    clock: Arc<dyn Clock>,
    liveness: Arc<dyn OwnerLiveness>,
    owner: Owner,
    config: LedgerConfig,
}

const RUN_COLUMNS: &str = "id, status, \"trigger\", started_at, finished_at, last_heartbeat_at, \
    fetched_emails, processed_emails, inserted_emails, stored_links, total_estimate, phase, \
    error_name, error_message, error_tag, owner_host, owner_pid, owner_started_at, kind, \
    owner_boot_id, heartbeat_boot_ms";

impl Ledger {
    /// A ledger owned by this process, on the wall clock.
    pub fn new(store: Store, config: LedgerConfig) -> Self {
        Self::with_parts(
            store,
            config,
            Arc::new(SystemClock),
            Arc::new(ProcessLiveness::new()),
            Owner::current(),
        )
    }

    /// Everything injected: tests pass a manual clock, a fake liveness and invented owners.
    pub fn with_parts(
        store: Store,
        config: LedgerConfig,
        clock: Arc<dyn Clock>,
        liveness: Arc<dyn OwnerLiveness>,
        owner: Owner,
    ) -> Self {
        Self {
            store,
            clock,
            liveness,
            owner,
            config,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> LedgerConfig {
        self.config
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn owner(&self) -> &Owner {
        &self.owner
    }

    /// Starts a run unless a live one exists; a stale one is marked `aborted` (tag `stale`)
    /// and replaced in the same transaction.
    pub async fn start(&self, trigger: Trigger) -> Result<StartResult, LedgerError> {
        self.retrying(|| self.start_once(trigger)).await
    }

    async fn start_once(&self, trigger: Trigger) -> Result<StartResult, LedgerError> {
        let (mut txn, now, boot) = self.begin_write().await?;
        let tx = &mut txn;
        let result = async {
            if let Some(active) = fetch_running(tx).await? {
                match self.stale_reason(&active, now, boot.as_ref()) {
                    None => return Ok(StartResult::already_running(active.id)),
                    Some(reason) => {
                        sqlx::query(
                            "UPDATE sync_runs SET status = 'aborted', finished_at = ?, \
                                 error_name = 'StaleRun', error_message = ?, error_tag = ? \
                                 WHERE id = ? AND status = 'running'",
                        )
                        .bind(now.max(active.started_at))
                        .bind(reason)
                        .bind(ErrorTag::Stale.as_str())
                        .bind(active.id)
                        .execute(&mut **tx)
                        .await?;
                    }
                }
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO sync_runs (status, \"trigger\", started_at, last_heartbeat_at, \
                     owner_host, owner_pid, owner_started_at, owner_boot_id, heartbeat_boot_ms) \
                     VALUES ('running', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(trigger.as_str())
            .bind(now)
            .bind(now)
            .bind(&self.owner.host)
            .bind(self.owner.pid as i64)
            .bind(self.owner.started_at)
            .bind(boot.as_ref().map(|b| b.boot_id.as_str()))
            .bind(boot.as_ref().map(|b| b.ms))
            .fetch_one(&mut **tx)
            .await?;
            Ok(StartResult::started(id))
        }
        .await;
        self.commit(txn, result).await
    }

    /// Renews the lease of `run_id` and records its progress. `LeaseLost` when the run is no
    /// longer running (taken over or finished): nothing is changed then.
    pub async fn heartbeat(&self, run_id: i64, progress: &RunProgress) -> Result<(), LedgerError> {
        let changed = self
            .retrying(|| self.heartbeat_once(run_id, progress))
            .await?;
        if changed == 0 {
            return Err(LedgerError::LeaseLost { run_id });
        }
        Ok(())
    }

    async fn heartbeat_once(
        &self,
        run_id: i64,
        progress: &RunProgress,
    ) -> Result<u64, LedgerError> {
        let (mut txn, now, boot) = self.begin_write().await?;
        let result = write_heartbeat(&mut txn, run_id, now, boot.as_ref(), progress).await;
        self.commit(txn, result).await
    }

    /// Writes `run_id`'s heartbeat with `progress` in `tx`, a transaction that holds the
    /// write lock (one [`Ledger::begin_fenced`] gave), and commits it: the work's own writes
    /// and the heartbeat they earn commit together, or not at all. Fails with `LeaseLost`
    /// (nothing committed) when the run is no longer running.
    pub async fn commit_with_heartbeat(
        &self,
        mut tx: Transaction<'static, Sqlite>,
        run_id: i64,
        progress: &RunProgress,
    ) -> Result<(), LedgerError> {
        let (now, boot) = (self.clock.now_ms(), self.clock.boot());
        let result = write_heartbeat(&mut tx, run_id, now, boot.as_ref(), progress).await;
        if self.commit(tx, result).await? == 0 {
            return Err(LedgerError::LeaseLost { run_id });
        }
        Ok(())
    }

    /// Ends `run_id` with `outcome` and its final progress; fenced like `heartbeat`.
    pub async fn finish(
        &self,
        run_id: i64,
        outcome: &Outcome,
        progress: &RunProgress,
    ) -> Result<(), LedgerError> {
        let changed = self
            .retrying(|| self.finish_once(run_id, outcome, progress))
            .await?;
        if changed == 0 {
            return Err(LedgerError::LeaseLost { run_id });
        }
        Ok(())
    }

    async fn finish_once(
        &self,
        run_id: i64,
        outcome: &Outcome,
        progress: &RunProgress,
    ) -> Result<u64, LedgerError> {
        let (mut txn, now, _) = self.begin_write().await?;
        let tx = &mut txn;
        let result = async {
            let (name, message, tag) = outcome.error_fields();
            let p = &progress.progress;
            let done = sqlx::query(
                "UPDATE sync_runs SET status = ?, finished_at = max(?, started_at), \
                         last_heartbeat_at = ?, fetched_emails = ?, processed_emails = ?, \
                         inserted_emails = ?, stored_links = ?, phase = ?, total_estimate = ?, \
                         error_name = ?, error_message = ?, error_tag = ?, kind = coalesce(?, kind) \
                         WHERE id = ? AND status = 'running'",
            )
            .bind(outcome.status().as_str())
            .bind(now)
            .bind(now)
            .bind(p.fetched_emails)
            .bind(p.processed_emails)
            .bind(p.inserted_emails)
            .bind(p.stored_links)
            .bind(progress.phase.map(|p| p.as_str()))
            .bind(progress.total_estimate)
            .bind(name)
            .bind(message)
            .bind(tag.map(|t| t.as_str()))
            .bind(progress.kind.map(|k| k.as_str()))
            .bind(run_id)
            .execute(&mut **tx)
            .await?;
            Ok(done.rows_affected())
        }
        .await;
        self.commit(txn, result).await
    }

    /// The running run, if any, with `isStale` filled in.
    pub async fn get_active(&self) -> Result<Option<SyncRun>, LedgerError> {
        self.one_run("WHERE status = 'running'", None).await
    }

    /// Run `run_id`, of any status, if it exists.
    pub async fn get(&self, run_id: i64) -> Result<Option<SyncRun>, LedgerError> {
        self.one_run("WHERE id = ?", Some(run_id)).await
    }

    /// The newest run of any status.
    pub async fn get_latest(&self) -> Result<Option<SyncRun>, LedgerError> {
        self.one_run("ORDER BY id DESC LIMIT 1", None).await
    }

    /// The run `filter` selects (with its one optional parameter), with `isStale` filled in.
    async fn one_run(
        &self,
        filter: &str,
        param: Option<i64>,
    ) -> Result<Option<SyncRun>, LedgerError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM sync_runs {filter}");
        let row = self
            .read(|pool| {
                let query = sqlx::query(&sql);
                match param {
                    Some(p) => query.bind(p),
                    None => query,
                }
                .fetch_optional(pool)
            })
            .await?;
        let (now, boot) = (self.clock.now_ms(), self.clock.boot());
        Ok(row.map(|r| self.with_staleness(run_from_row(&r), now, boot.as_ref())))
    }

    /// Up to `limit` runs older than run `before` (all when `None`), newest first.
    pub async fn history(
        &self,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<SyncRun>, LedgerError> {
        let sql =
            format!("SELECT {RUN_COLUMNS} FROM sync_runs WHERE id < ? ORDER BY id DESC LIMIT ?");
        let before = before.unwrap_or(i64::MAX);
        let rows = self
            .read(|pool| {
                sqlx::query(&sql)
                    .bind(before)
                    .bind(limit as i64)
                    .fetch_all(pool)
            })
            .await?;
        let (now, boot) = (self.clock.now_ms(), self.clock.boot());
        Ok(rows
            .iter()
            .map(|r| self.with_staleness(run_from_row(r), now, boot.as_ref()))
            .collect())
    }

    /// Opens a write transaction that proves `run_id` still holds the lease; mail writes go
    /// through it so a replaced run can never write. The caller commits.
    pub async fn begin_fenced(
        &self,
        run_id: i64,
    ) -> Result<Transaction<'static, Sqlite>, LedgerError> {
        let mut tx = self.begin_immediate().await?;
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM sync_runs WHERE id = ?")
                .bind(run_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| self.storage(e))?;
        if status.as_deref() != Some(RunStatus::Running.as_str()) {
            return Err(LedgerError::LeaseLost { run_id });
        }
        Ok(tx)
    }

    /// Copies runs read from a damaged file into this (fresh) ledger under their own ids, so
    /// ids stay fencing tokens that are never reused. A run that was still running there
    /// ended with the damage: it is kept as `error` / `corrupt`. Then records the repair
    /// itself as one `error` / `corrupt` row, so History and `status` say what happened.
    pub async fn import_after_repair(
        &self,
        runs: &[SyncRun],
        set_aside: &std::path::Path,
        reason: &str,
    ) -> Result<(), LedgerError> {
        let (mut txn, now, _) = self.begin_write().await?;
        let tx = &mut txn;
        let result = async {
            for run in runs {
                let (status, finished, name, message, tag) = if run.status == RunStatus::Running {
                    (
                        RunStatus::Error,
                        Some(run.last_heartbeat_at.max(run.started_at)),
                        Some("DatabaseDamaged".to_owned()),
                        Some("the database was found damaged while this sync ran".to_owned()),
                        Some(ErrorTag::Corrupt),
                    )
                } else {
                    (
                        run.status,
                        run.finished_at,
                        run.error_name.clone(),
                        run.error_message.clone(),
                        run.error_tag,
                    )
                };
                let owner = run.owner.as_ref();
                sqlx::query(
                    "INSERT OR IGNORE INTO sync_runs (id, status, \"trigger\", started_at, \
                         finished_at, last_heartbeat_at, fetched_emails, processed_emails, \
                         inserted_emails, stored_links, total_estimate, phase, error_name, \
                         error_message, error_tag, owner_host, owner_pid, owner_started_at, kind) \
                         VALUES (?, ?, ?, ?, max(?, ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(run.id)
                .bind(status.as_str())
                .bind(run.trigger.as_str())
                .bind(run.started_at)
                .bind(finished.unwrap_or(run.started_at))
                .bind(run.started_at)
                .bind(run.last_heartbeat_at)
                .bind(run.progress.fetched_emails)
                .bind(run.progress.processed_emails)
                .bind(run.progress.inserted_emails)
                .bind(run.progress.stored_links)
                .bind(run.total_estimate)
                .bind(run.phase.map(|p| p.as_str()))
                .bind(name)
                .bind(message)
                .bind(tag.map(|t| t.as_str()))
                .bind(owner.map_or("unknown", |o| o.host.as_str()))
                .bind(owner.map_or(0, |o| o.pid as i64))
                .bind(owner.and_then(|o| o.started_at))
                .bind(run.kind.map(|k| k.as_str()))
                .execute(&mut **tx)
                .await?;
            }
            let message = format!(
                "the database was damaged ({reason}); the damaged file was set aside as {} \
                 (never deleted) and a fresh one is rebuilt from Gmail by a full sync — the mail \
                 is a copy of Gmail's, so nothing is lost; {} earlier run(s) were kept",
                set_aside.display(),
                runs.len()
            );
            sqlx::query(
                "INSERT INTO sync_runs (status, \"trigger\", started_at, finished_at, \
                     last_heartbeat_at, error_name, error_message, error_tag, owner_host, \
                     owner_pid, owner_started_at) \
                     VALUES ('error', 'launch', ?, ?, ?, 'DatabaseRepaired', ?, ?, ?, ?, ?)",
            )
            .bind(now)
            .bind(now)
            .bind(now)
            .bind(message)
            .bind(ErrorTag::Corrupt.as_str())
            .bind(&self.owner.host)
            .bind(self.owner.pid as i64)
            .bind(self.owner.started_at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }
        .await;
        self.commit(txn, result).await
    }

    /// The newest run that ended with `tag`.
    pub async fn latest_with_tag(&self, tag: ErrorTag) -> Result<Option<SyncRun>, LedgerError> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE error_tag = ? ORDER BY id DESC LIMIT 1"
        );
        let row = self
            .read(|pool| sqlx::query(&sql).bind(tag.as_str()).fetch_optional(pool))
            .await?;
        let (now, boot) = (self.clock.now_ms(), self.clock.boot());
        Ok(row.map(|r| self.with_staleness(run_from_row(&r), now, boot.as_ref())))
    }

    /// Why `run` may be replaced now, or `None` while it is live.
    ///
    /// An owner of this host and this boot is judged on the boot clock both sides read (as
    /// client-go judges a lease by what the observer saw on its own clock): a wall clock
    /// stepped, or a process started with a skewed one, cannot make a live run look silent.
    /// Other hosts, other boots and rows without a reading keep the wall-clock rule.
    fn stale_reason(&self, run: &SyncRun, now: i64, boot: Option<&BootReading>) -> Option<String> {
        if let Some(owner) = &run.owner {
            if self.liveness.is_dead(owner) {
                return Some(format!(
                    "its process (pid {} on {}) is no longer running",
                    owner.pid, owner.host
                ));
            }
        }
        let stale_after = self.config.stale_after.as_millis() as i64;
        let same_boot = match (boot, &run.heartbeat_boot, &run.owner) {
            (Some(mine), Some(theirs), Some(owner)) => {
                owner.host == self.owner.host && mine.boot_id == theirs.boot_id
            }
            _ => false,
        };
        if same_boot {
            let (mine, theirs) = (boot?, run.heartbeat_boot.as_ref()?);
            let silent = mine.ms - theirs.ms;
            return (silent > stale_after).then(|| {
                format!(
                    "no heartbeat for {} s (its process on this machine stopped renewing)",
                    silent / 1000
                )
            });
        }
        let silent = now - run.last_heartbeat_at;
        (silent > stale_after).then(|| {
            format!(
                "no heartbeat for {} s by the wall clock (its owner ran on {} or before a restart)",
                silent / 1000,
                run.owner
                    .as_ref()
                    .map_or("an unknown host", |o| o.host.as_str())
            )
        })
    }

    fn with_staleness(&self, mut run: SyncRun, now: i64, boot: Option<&BootReading>) -> SyncRun {
        run.is_stale =
            run.status == RunStatus::Running && self.stale_reason(&run, now, boot).is_some();
        run
    }

    fn storage(&self, e: sqlx::Error) -> LedgerError {
        StoreError::classify(e, self.store.path()).into()
    }

    async fn begin_immediate(&self) -> Result<Transaction<'static, Sqlite>, LedgerError> {
        // No run row is ever written into a file known to be damaged (see `crate::damage`).
        if let Some(reason) = self.store.damage() {
            return Err(StoreError::Corrupt {
                path: self.store.path().to_owned(),
                reason,
            }
            .into());
        }
        let deadline = Instant::now() + self.store.lock_wait();
        loop {
            match self.store.pool().begin_with("BEGIN IMMEDIATE").await {
                Ok(tx) => return Ok(tx),
                Err(e) => self.on_busy(self.storage(e), deadline).await?,
            }
        }
    }

    /// A write transaction holding the write lock, and `now` (wall clock and boot clock)
    /// read under that lock.
    async fn begin_write(
        &self,
    ) -> Result<(Transaction<'static, Sqlite>, i64, Option<BootReading>), LedgerError> {
        let tx = self.begin_immediate().await?;
        Ok((tx, self.clock.now_ms(), self.clock.boot()))
    }

    /// Commits when `result` is `Ok`; rolls back (by dropping) otherwise.
    async fn commit<T>(
        &self,
        tx: Transaction<'static, Sqlite>,
        result: Result<T, sqlx::Error>,
    ) -> Result<T, LedgerError> {
        let value = result.map_err(|e| self.storage(e))?;
        tx.commit().await.map_err(|e| self.storage(e))?;
        Ok(value)
    }

    /// Runs `attempt` again on contention until the store's lock wait runs out.
    async fn retrying<T, F, Fut>(&self, attempt: F) -> Result<T, LedgerError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, LedgerError>>,
    {
        let deadline = Instant::now() + self.store.lock_wait();
        loop {
            match attempt().await {
                Ok(value) => return Ok(value),
                Err(e) => self.on_busy(e, deadline).await?,
            }
        }
    }

    async fn read<'p, T, F, Fut>(&'p self, query: F) -> Result<T, LedgerError>
    where
        F: Fn(&'p sqlx::SqlitePool) -> Fut,
        Fut: Future<Output = Result<T, sqlx::Error>>,
    {
        let deadline = Instant::now() + self.store.lock_wait();
        loop {
            match query(self.store.pool()).await {
                Ok(value) => return Ok(value),
                Err(e) => self.on_busy(self.storage(e), deadline).await?,
            }
        }
    }

    /// Waits a little and returns `Ok` to retry on contention; otherwise (or past the
    /// deadline) returns the error, as `Locked` with the time waited.
    async fn on_busy(&self, err: LedgerError, deadline: Instant) -> Result<(), LedgerError> {
        match err {
            LedgerError::Store(e) => Ok(crate::store::wait_if_busy(
                e,
                self.store.path(),
                deadline,
                self.store.lock_wait(),
            )
            .await?),
            other => Err(other),
        }
    }
}

/// Every run that can still be read from a damaged database, oldest first: each row is read
/// on its own by id, so a damaged page loses only the rows on it. Empty when even the table
/// cannot be found.
pub async fn readable_runs(pool: &sqlx::SqlitePool) -> Vec<SyncRun> {
    let Ok(Some(last)) = sqlx::query_scalar::<_, Option<i64>>("SELECT max(id) FROM sync_runs")
        .fetch_one(pool)
        .await
    else {
        return Vec::new();
    };
    let sql = format!("SELECT {RUN_COLUMNS} FROM sync_runs WHERE id = ?");
    let mut runs = Vec::new();
    // Ids are dense from 1 (AUTOINCREMENT); a gap just reads nothing.
    for id in 1..=last {
        if let Ok(Some(row)) = sqlx::query(&sql).bind(id).fetch_optional(pool).await {
            // A value of the wrong type (garbage in a cell) makes the row unreadable, not us.
            if let Ok(run) =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_from_row(&row)))
            {
                runs.push(run);
            }
        }
    }
    runs
}

async fn fetch_running(
    tx: &mut Transaction<'static, Sqlite>,
) -> Result<Option<SyncRun>, sqlx::Error> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM sync_runs WHERE status = 'running'");
    let row = sqlx::query(&sql).fetch_optional(&mut **tx).await?;
    Ok(row.as_ref().map(run_from_row))
}

fn run_from_row(row: &SqliteRow) -> SyncRun {
    let text = |name: &str| row.get::<Option<String>, _>(name);
    // A word this version does not know (written by a newer one) reads as absent.
    fn word<T: std::str::FromStr>(text: Option<String>) -> Option<T> {
        text.and_then(|t| t.parse().ok())
    }
    SyncRun {
        id: row.get("id"),
        status: row
            .get::<String, _>("status")
            .parse()
            .unwrap_or(RunStatus::Error),
        trigger: row
            .get::<String, _>("trigger")
            .parse()
            .unwrap_or(Trigger::Cli),
        started_at: row.get("started_at"),
        finished_at: row.get("finished_at"),
        last_heartbeat_at: row.get("last_heartbeat_at"),
        is_stale: false,
        phase: word(text("phase")),
        total_estimate: row.get("total_estimate"),
        kind: word(text("kind")),
        progress: Progress {
            fetched_emails: row.get("fetched_emails"),
            processed_emails: row.get("processed_emails"),
            inserted_emails: row.get("inserted_emails"),
            stored_links: row.get("stored_links"),
        },
        error_name: text("error_name"),
        error_message: text("error_message"),
        error_tag: word(text("error_tag")),
        owner: Some(Owner {
            host: row.get("owner_host"),
            pid: row.get::<i64, _>("owner_pid") as u32,
            started_at: row.get("owner_started_at"),
        }),
        heartbeat_boot: match (
            text("owner_boot_id"),
            row.get::<Option<i64>, _>("heartbeat_boot_ms"),
        ) {
            (Some(boot_id), Some(ms)) => Some(BootReading { boot_id, ms }),
            _ => None,
        },
    }
}

/// The heartbeat's row update: when it was written (wall and boot clock) and the run's
/// progress. Returns the rows changed: 0 when the run is no longer running.
async fn write_heartbeat(
    tx: &mut Transaction<'static, Sqlite>,
    run_id: i64,
    now: i64,
    boot: Option<&BootReading>,
    progress: &RunProgress,
) -> Result<u64, sqlx::Error> {
    let p = &progress.progress;
    let done = sqlx::query(
        "UPDATE sync_runs SET last_heartbeat_at = ?, heartbeat_boot_ms = ?, \
                 owner_boot_id = ?, fetched_emails = ?, \
                 processed_emails = ?, inserted_emails = ?, stored_links = ?, \
                 phase = ?, total_estimate = ?, kind = coalesce(?, kind) \
                 WHERE id = ? AND status = 'running'",
    )
    .bind(now)
    .bind(boot.map(|b| b.ms))
    .bind(boot.map(|b| b.boot_id.as_str()))
    .bind(p.fetched_emails)
    .bind(p.processed_emails)
    .bind(p.inserted_emails)
    .bind(p.stored_links)
    .bind(progress.phase.map(|p| p.as_str()))
    .bind(progress.total_estimate)
    .bind(progress.kind.map(|k| k.as_str()))
    .bind(run_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}
