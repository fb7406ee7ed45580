//! Fixtures for sync tests: the fake Gmail server, a `GmailSource` pointed at it, one sync,
//! and comparing the local store with the server's mailbox.
use std::sync::Arc;
use std::time::Duration;

use fake_gmail::{FakeConfig, FakeGmail};
use inbox_sync_core::gmail::{GmailEndpoint, GmailSource, Secret, TokenGrant};
use inbox_sync_core::sync::{run_sync, MailStore, SyncOptions, SyncSummary};
use inbox_sync_core::{
    Leased, Ledger, LedgerConfig, RunProgress, RunReport, Store, SyncRun, Trigger,
};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub const TOKEN: &str = "test-access-token";

pub async fn fake(config: FakeConfig) -> FakeGmail {
    FakeGmail::start(config.static_token(TOKEN))
        .await
        .expect("fake Gmail starts")
}

pub fn source(fake: &FakeGmail) -> Arc<GmailSource> {
    let endpoint = GmailEndpoint::custom(&fake.base_url()).unwrap();
    Arc::new(
        GmailSource::new(
            &endpoint,
            TokenGrant::Fixed(Secret::new(TOKEN)),
            Duration::from_secs(10),
        )
        .unwrap(),
    )
}

/// Options for tests: no client-side quota unless a test sets one, quick backoff.
pub fn options() -> SyncOptions {
    SyncOptions {
        quota_units_per_sec: None,
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(200),
        request_timeout: Duration::from_secs(10),
        ..SyncOptions::default()
    }
}

pub fn ledger(store: &Store) -> Ledger {
    Ledger::new(store.clone(), LedgerConfig::default())
}

/// One sync that must start; returns its report and every phase it reported.
pub async fn sync_with<S: inbox_sync_core::sync::MailSource>(
    ledger: &Ledger,
    source: Arc<S>,
    options: SyncOptions,
) -> (RunReport<SyncSummary>, Vec<String>) {
    let (tx, mut rx) = watch::channel(RunProgress::default());
    let phases = tokio::spawn(async move {
        let mut seen: Vec<String> = Vec::new();
        while rx.changed().await.is_ok() {
            let phase = rx.borrow_and_update().phase.map(|p| p.as_str().to_owned());
            if let Some(phase) = phase {
                if seen.last() != Some(&phase) {
                    seen.push(phase);
                }
            }
        }
        seen
    });
    let result = run_sync(
        ledger,
        Trigger::Cli,
        source,
        options,
        CancellationToken::new(),
        Some(tx),
    )
    .await
    .expect("no ledger error");
    let phases = phases.await.unwrap();
    match result {
        Leased::Ran(report) => (report, phases),
        Leased::AlreadyRunning { run_id } => panic!("refused by run {run_id}"),
    }
}

pub async fn sync(ledger: &Ledger, fake: &FakeGmail) -> RunReport<SyncSummary> {
    sync_with(ledger, source(fake), options()).await.0
}

pub async fn run_row(ledger: &Ledger, id: i64) -> SyncRun {
    ledger.get(id).await.unwrap().expect("the run's row")
}

/// Asserts the store holds exactly the server's messages, with their threads, labels,
/// subjects and links.
pub async fn assert_mirrors(store: &Store, fake: &FakeGmail) {
    let mail = MailStore::new(store.clone());
    let truth = fake.truth();
    let mut want: Vec<String> = truth.iter().map(|t| t.id.clone()).collect();
    want.sort();
    let got = mail.ids().await.unwrap();
    assert_eq!(
        got.len(),
        want.len(),
        "as many stored messages as on the server"
    );
    assert_eq!(got, want, "exactly the server's message ids");
    for t in &truth {
        let m = mail.message(&t.id).await.unwrap().expect("stored");
        assert_eq!(m.headers.thread_id, t.thread_id, "thread of {}", t.id);
        let mut labels = m.headers.label_ids.clone();
        labels.sort();
        let mut want_labels = t.label_ids.clone();
        want_labels.sort();
        assert_eq!(labels, want_labels, "labels of {}", t.id);
        assert_eq!(
            m.headers.internal_date_ms,
            Some(t.internal_date),
            "internalDate of {}",
            t.id
        );
        // Headers and bodies, where the generator's truth matches its own bytes: its Latin-1
        // and windows-1252 subjects can hold characters those charsets lack (sent as `?`),
        // and its Shift_JIS encoder is off for some katakana (see mail_fake_mailbox.rs).
        use fake_gmail::MessageKind::*;
        if matches!(
            t.kind,
            PlainText | Html | Alternative | WithAttachments | Windows1252 | Newsletter
        ) {
            if t.kind != Windows1252 {
                assert_eq!(
                    m.headers.subject.as_deref(),
                    t.subject(),
                    "subject of {} ({:?})",
                    t.id,
                    t.kind
                );
            }
            if let Some(want) = t.text_body() {
                let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
                let got = m.text_body.as_deref().map(squash);
                assert_eq!(
                    got,
                    Some(squash(&want)),
                    "text body of {} ({:?})",
                    t.id,
                    t.kind
                );
            }
            if let Some(want) = t.html_body() {
                assert_eq!(
                    m.html_body.as_deref().map(str::trim),
                    Some(want.trim()),
                    "HTML body of {} ({:?})",
                    t.id,
                    t.kind
                );
            }
        }
        let links: std::collections::BTreeSet<String> = mail
            .links(&t.id)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.url)
            .collect();
        assert_eq!(links, t.links, "links of {} ({:?})", t.id, t.kind);
    }
}
