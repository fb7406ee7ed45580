//! Updating an existing database to this version (its pending migrations), with progress.
//!
//! A migration that builds something from the mail (the search index, the label and
//! conversation counts) reads every message: 0005 to 0009 take 16 s at 250,000 messages on
//! this project's machine, warm (a cold cache, or a busier machine, more). So the migrations run one at a time on one connection
//! with SQLite's progress handler counting the virtual machine's work, and the share done is
//! that count over what each migration was measured to need a message ([`WORK`]), reported
//! every [`REPORT_EVERY`] to whoever opened the database ([`OnUpgrade`]): a bar on the
//! command line, a card in the window.
use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::{MigrateError, Migration, Migrator};
use sqlx::SqlitePool;

/// How far the update of one database has come.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Upgrade {
    pub database: PathBuf,
    /// The migration running, counted from 1 among those this update applies, of `steps`.
    pub step: usize,
    pub steps: usize,
    /// What it does, in words ("building the search index").
    pub what: String,
    /// The messages the database holds (its highest message id: no count is kept yet).
    pub messages: i64,
    /// The estimated share of the whole update done, from 0 to 1; 1 only once it is done.
    pub done: f64,
}

impl Upgrade {
    pub fn finished(&self) -> bool {
        self.done >= 1.0
    }

    /// Before the first step, while another process updates the same database.
    pub(crate) fn waiting(database: &Path) -> Self {
        Self {
            database: database.to_owned(),
            step: 0,
            steps: 0,
            what: "waiting for another Inbox Sync to finish updating it".to_owned(),
            messages: 0,
            done: 0.0,
        }
    }
}

/// Told of an update's progress, at its start, every [`REPORT_EVERY`] while the share done
/// changes, and at its end (`done` = 1).
#[derive(Clone)]
pub struct OnUpgrade(Arc<dyn Fn(&Upgrade) + Send + Sync>);

impl OnUpgrade {
    pub fn new(f: impl Fn(&Upgrade) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    pub(crate) fn tell(&self, upgrade: &Upgrade) {
        (self.0)(upgrade)
    }
}

impl fmt::Debug for OnUpgrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OnUpgrade(..)")
    }
}

pub const REPORT_EVERY: Duration = Duration::from_millis(100);

/// The progress handler runs every this many virtual machine instructions.
const TICK_OPS: i32 = 10_000;

/// Per migration: what it does in words, the progress handler's ticks it takes a message
/// (how far it has come within itself) and its time a message (how much of the whole update
/// it is) — measured on a 250,000-message database taken back to the schema before 0005
/// (release build, warm cache, load 4): 8.2, 2.0, 0.25, 0 and 5.2 s, 15.6 s in all. The figures only shape the bar; a step never shows done
/// before it is.
const WORK: &[(i64, &str, f64, f64)] = &[
    (1, "creating the sync history", 0.0, 0.0),
    (2, "creating the mail tables", 0.0, 0.0),
    (3, "recording the boot clock", 0.0, 0.0),
    (4, "adding labels", 0.0, 0.0),
    (5, "building the search index", 0.004_22, 32.6),
    (6, "counting the mail by label", 0.011_77, 8.0),
    (7, "indexing attachments", 0.000_45, 1.0),
    (8, "making room for inline images", 0.0, 0.0),
    (9, "counting conversations and links", 0.017_22, 20.8),
];

/// One migration of an update, with what it is expected to take.
struct Step<'m> {
    migration: &'m Migration,
    what: String,
    /// The progress handler's ticks it takes, at least 1.
    ticks: f64,
    /// Its share of the update's time, in µs (1 ms at least, for the fixed cost).
    micros: f64,
}

impl<'m> Step<'m> {
    fn new(migration: &'m Migration, messages: i64) -> Self {
        let messages = messages.max(0) as f64;
        // A migration added without a measurement: its own description, a plain read of
        // every message.
        let (what, ticks, micros) = match WORK.iter().find(|w| w.0 == migration.version) {
            Some(&(_, what, ticks, micros)) => (what.to_owned(), ticks, micros),
            None => (migration.description.replace('_', " "), 0.004, 10.0),
        };
        Self {
            migration,
            what,
            ticks: (ticks * messages).max(1.0),
            micros: (micros * messages).max(1_000.0),
        }
    }
}

/// Applies `pending` (in order) on one connection of `pool`, telling `on_upgrade`.
pub(crate) async fn run(
    pool: &SqlitePool,
    migrator: &Migrator,
    pending: &[i64],
    path: &Path,
    on_upgrade: Option<&OnUpgrade>,
) -> Result<(), MigrateError> {
    let mut conn = pool.acquire().await?;
    let has_mail: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'messages'",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let messages: i64 = match has_mail {
        Some(_) => {
            sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM messages")
                .fetch_one(&mut *conn)
                .await?
        }
        None => 0,
    };
    let steps: Vec<Step> = migrator
        .iter()
        .filter(|m| pending.contains(&m.version))
        .map(|m| Step::new(m, messages))
        .collect();
    let total: f64 = steps.iter().map(|s| s.micros).sum();
    let ticks = Arc::new(AtomicU64::new(0));
    {
        let ticks = ticks.clone();
        conn.lock_handle()
            .await?
            .set_progress_handler(TICK_OPS, move || {
                ticks.fetch_add(1, Ordering::Relaxed);
                true
            });
    }
    let mut before = 0.0;
    let mut result = Ok(());
    for (i, step) in steps.iter().enumerate() {
        let migration = step.migration;
        let report = |done: f64| {
            if let Some(on_upgrade) = on_upgrade {
                on_upgrade.tell(&Upgrade {
                    database: path.to_owned(),
                    step: i + 1,
                    steps: steps.len(),
                    what: step.what.clone(),
                    messages,
                    done,
                });
            }
        };
        // This migration and every one before it: sqlx applies what is missing, in order, and
        // checks the ones applied against their checksums.
        let upto = Migrator {
            migrations: Cow::Owned(
                migrator
                    .iter()
                    .filter(|m| m.version <= migration.version)
                    .cloned()
                    .collect(),
            ),
            // The later ones applied already (a migration missed in between) are known: the
            // store refused a newer schema before.
            ignore_missing: true,
            locking: migrator.locking,
            no_tx: migrator.no_tx,
        };
        ticks.store(0, Ordering::Relaxed);
        let share = |ticks: u64| {
            // Never past this step's end before it ends: the measure is an estimate.
            let within = (ticks as f64 / step.ticks).min(0.99);
            ((before + within * step.micros) / total).min(0.99)
        };
        let began = std::time::Instant::now();
        report(share(0));
        // `run_direct`: `run` with a connection trips "Acquire is not general enough" in a spawned task.
        let applied = upto.run_direct(&mut *conn);
        tokio::pin!(applied);
        let mut every = tokio::time::interval(REPORT_EVERY);
        every.tick().await;
        let mut last = share(0);
        let outcome = loop {
            tokio::select! {
                outcome = &mut applied => break outcome,
                _ = every.tick() => {
                    let now = share(ticks.load(Ordering::Relaxed));
                    if now > last {
                        report(now);
                        last = now;
                    }
                }
            }
        };
        tracing::debug!(
            version = migration.version,
            ticks = ticks.load(Ordering::Relaxed),
            ms = began.elapsed().as_millis() as u64,
            messages,
            "migration applied"
        );
        if let Err(e) = outcome {
            result = Err(e);
            break;
        }
        before += step.micros;
        if i + 1 == steps.len() {
            report(1.0);
        }
    }
    if let Ok(mut handle) = conn.lock_handle().await {
        handle.remove_progress_handler();
    }
    result
}
