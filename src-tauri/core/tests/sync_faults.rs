//! The sync under faults over real HTTP: 429 storms, 5xx, corrupt bodies, expired and revoked
//! tokens, slow and hung servers, cancellation. Each run completes or fails with the right
//! tag, and a re-run completes with nothing lost or duplicated.
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::sync::*;
use common::*;
use fake_gmail::{FakeConfig, FakeGmail, FaultRates, OAuthClient};
use inbox_sync_core::gmail::{GmailEndpoint, GmailSource, Secret, TokenGrant};
use inbox_sync_core::sync::{run_sync, MailStore, SyncOptions};
use inbox_sync_core::{Leased, RunStatus, Trigger};
use tokio_util::sync::CancellationToken;

async fn stored(store: &inbox_sync_core::Store) -> i64 {
    MailStore::new(store.clone())
        .counts()
        .await
        .unwrap()
        .messages
}

fn refresh_source(fake: &FakeGmail) -> Arc<GmailSource> {
    let endpoint = GmailEndpoint::custom(&fake.base_url()).unwrap();
    let client = OAuthClient::default();
    let grant = TokenGrant::Refresh {
        token_url: endpoint.token_url().to_owned(),
        client_id: client.client_id,
        client_secret: Secret::new(client.client_secret),
        refresh_token: Secret::new(client.refresh_token),
    };
    Arc::new(GmailSource::new(&endpoint, grant, Duration::from_secs(5)).unwrap())
}

/// A server quota far below what the client sends: rate-limit refusals (403 userRateLimitExceeded), `throttled` shown, still complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_storm_completes_throttled() {
    let fake = fake(FakeConfig::default().messages(150).seed(21).quota(300)).await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let patient = SyncOptions {
        backoff_cap: Duration::from_secs(2),
        ..options()
    };
    let (report, phases) = sync_with(&ledger(&store), source(&fake), patient).await;
    assert_eq!(
        report.status(),
        RunStatus::Success,
        "completes despite 429s: {:?}",
        report.outcome
    );
    assert!(fake.counts().rate_limited > 0, "the server did answer 429s");
    assert!(
        phases.iter().any(|p| p == "throttled"),
        "the run said it was throttled: {phases:?}"
    );
    assert_mirrors(&store, &fake).await;
}

/// When 429s outlast the retries the run fails tagged `rateLimit`; a re-run completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_exhausted_fails_tagged_then_rerun_completes() {
    let fake = fake(FakeConfig::default().messages(80).seed(22).quota(5)).await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let ledger = ledger(&store);
    let stingy = SyncOptions {
        max_attempts: 2,
        ..options()
    };
    let (report, _) = sync_with(&ledger, source(&fake), stingy).await;
    assert_eq!(
        report.status(),
        RunStatus::Error,
        "gives up after its attempts"
    );
    let run = run_row(&ledger, report.run_id).await;
    assert_eq!(
        run.error_tag.map(|t| t.as_str()),
        Some("rateLimit"),
        "tagged rateLimit"
    );
    fake.set_quota(None);
    assert_eq!(
        sync(&ledger, &fake).await.status(),
        RunStatus::Success,
        "the re-run completes"
    );
    assert_mirrors(&store, &fake).await;
}

/// Random 500s/503s and bodies cut short or not JSON are retried; the sync completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_and_corrupt_bodies_are_retried() {
    let faults = FaultRates {
        internal: 0.08,
        unavailable: 0.08,
        corrupt_body: 0.08,
    };
    let fake = fake(FakeConfig::default().messages(300).seed(23).faults(faults)).await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let report = sync(&ledger(&store), &fake).await;
    assert_eq!(
        report.status(),
        RunStatus::Success,
        "completes: {:?}",
        report.outcome
    );
    assert!(
        fake.counts().injected_faults > 20,
        "faults were injected: {:?}",
        fake.counts()
    );
    assert_mirrors(&store, &fake).await;
}

/// A server that keeps failing ends the run `gmail`; the mail so far is kept and a re-run
/// after it recovers completes with nothing lost or duplicated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_server_errors_fail_tagged_then_rerun_completes() {
    let fake = fake(FakeConfig::default().messages(400).seed(24)).await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let ledger = ledger(&store);
    let handle = fake.handle();
    let store2 = store.clone();
    let breaker = tokio::spawn(async move {
        while stored(&store2).await < 150 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        handle.set_faults(FaultRates {
            internal: 1.0,
            ..FaultRates::default()
        });
    });
    let opts = SyncOptions {
        max_attempts: 3,
        batch_size: 50,
        concurrency: 4,
        ..options()
    };
    let (report, _) = sync_with(&ledger, source(&fake), opts).await;
    breaker.await.unwrap();
    assert_eq!(
        report.status(),
        RunStatus::Error,
        "fails once Gmail keeps failing"
    );
    assert_eq!(
        run_row(&ledger, report.run_id)
            .await
            .error_tag
            .map(|t| t.as_str()),
        Some("gmail"),
        "tagged gmail"
    );
    let kept = stored(&store).await;
    assert!(
        kept >= 150,
        "the mail stored before the failure is kept ({kept})"
    );
    fake.set_faults(FaultRates::default());
    fake.reset_counts();
    assert_eq!(
        sync(&ledger, &fake).await.status(),
        RunStatus::Success,
        "the re-run completes"
    );
    assert!(
        (fake.counts().messages_get as i64) <= 400 - kept + 60,
        "the re-run resumed instead of starting over: {:?}",
        fake.counts()
    );
    assert_mirrors(&store, &fake).await;
}

/// Access tokens expiring mid-sync (401) are refreshed once and the sync goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_access_token_is_refreshed() {
    let fake = FakeGmail::start(FakeConfig::default().messages(300).seed(25))
        .await
        .unwrap();
    let db = temp_db();
    let store = open_store(&db.path).await;
    let handle = fake.handle();
    let store2 = store.clone();
    let expirer = tokio::spawn(async move {
        while stored(&store2).await < 100 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        handle.expire_access_tokens();
    });
    let (report, _) = sync_with(&ledger(&store), refresh_source(&fake), options()).await;
    expirer.await.unwrap();
    assert_eq!(
        report.status(),
        RunStatus::Success,
        "completes: {:?}",
        report.outcome
    );
    let counts = fake.counts();
    assert!(counts.unauthorized >= 1, "a 401 was answered: {counts:?}");
    assert!(counts.token >= 2, "and a new token fetched: {counts:?}");
    assert_mirrors(&store, &fake).await;
}

/// A refresh token revoked mid-sync ends the run `auth`, keeping the mail so far; after
/// reconnecting, the next run resumes and completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_refresh_token_fails_auth_then_resumes() {
    let fake = FakeGmail::start(FakeConfig::default().messages(300).seed(26))
        .await
        .unwrap();
    let db = temp_db();
    let store = open_store(&db.path).await;
    let ledger = ledger(&store);
    let handle = fake.handle();
    let store2 = store.clone();
    let revoker = tokio::spawn(async move {
        while stored(&store2).await < 100 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        handle.set_oauth(OAuthClient {
            refresh_token: "rotated".into(),
            ..OAuthClient::default()
        });
        handle.expire_access_tokens();
    });
    let (report, _) = sync_with(&ledger, refresh_source(&fake), options()).await;
    revoker.await.unwrap();
    assert_eq!(report.status(), RunStatus::Error, "the run fails");
    assert_eq!(
        run_row(&ledger, report.run_id)
            .await
            .error_tag
            .map(|t| t.as_str()),
        Some("auth"),
        "tagged auth"
    );
    assert!(stored(&store).await >= 100, "mail so far is kept");
    fake.set_oauth(OAuthClient::default());
    let (again, _) = sync_with(&ledger, refresh_source(&fake), options()).await;
    assert_eq!(
        again.status(),
        RunStatus::Success,
        "reconnected, the next run completes"
    );
    assert_mirrors(&store, &fake).await;
}

/// Slow answers within the request timeout are waited for; slower ones time out, retried,
/// then fail the run `network`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_responses_complete_or_fail_network() {
    let fake = fake(
        FakeConfig::default()
            .messages(40)
            .seed(27)
            .latency(Duration::from_millis(60)),
    )
    .await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let ledger = ledger(&store);
    let impatient = SyncOptions {
        request_timeout: Duration::from_millis(20),
        max_attempts: 2,
        ..options()
    };
    let (report, _) = sync_with(&ledger, source(&fake), impatient).await;
    assert_eq!(
        report.status(),
        RunStatus::Error,
        "too slow for the timeout"
    );
    assert_eq!(
        run_row(&ledger, report.run_id)
            .await
            .error_tag
            .map(|t| t.as_str()),
        Some("network"),
        "tagged network"
    );
    let patient = SyncOptions {
        request_timeout: Duration::from_secs(2),
        ..options()
    };
    let (report, _) = sync_with(&ledger, source(&fake), patient).await;
    assert_eq!(
        report.status(),
        RunStatus::Success,
        "a patient sync completes"
    );
    assert_mirrors(&store, &fake).await;
}

/// A server that stops answering mid-sync does not look alive forever: the run ends
/// `error`/`stalled` at the stall deadline although its heartbeat timer still ticks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_server_ends_the_run_stalled() {
    let fake = fake(FakeConfig::default().messages(300).seed(28)).await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let ledger = ledger(&store);
    let handle = fake.handle();
    let store2 = store.clone();
    let hanger = tokio::spawn(async move {
        while stored(&store2).await < 100 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        handle.set_hang(true);
        Instant::now()
    });
    let opts = SyncOptions {
        stall_after: Duration::from_millis(1_500),
        request_timeout: Duration::from_millis(400),
        max_attempts: 1_000,
        batch_size: 50,
        ..options()
    };
    let (report, _) = sync_with(&ledger, source(&fake), opts).await;
    let hung_at = hanger.await.unwrap();
    let noticed = hung_at.elapsed();
    assert_eq!(report.status(), RunStatus::Error, "the run ends");
    assert_eq!(
        run_row(&ledger, report.run_id)
            .await
            .error_tag
            .map(|t| t.as_str()),
        Some("stalled"),
        "tagged stalled"
    );
    assert!(
        noticed < Duration::from_secs(4),
        "soon after the 1.5 s stall deadline: {noticed:?}"
    );
    fake.set_hang(false);
    assert_eq!(
        sync(&ledger, &fake).await.status(),
        RunStatus::Success,
        "after the server recovers"
    );
    assert_mirrors(&store, &fake).await;
}

/// Cancelling mid-sync stops within a second; the run ends aborted/cancelled, mail kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_is_prompt() {
    let fake = fake(
        FakeConfig::default()
            .messages(500)
            .seed(29)
            .latency(Duration::from_millis(20)),
    )
    .await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let ledger = ledger(&store);
    let cancel = CancellationToken::new();
    let (trigger, store2) = (cancel.clone(), store.clone());
    let canceller = tokio::spawn(async move {
        while stored(&store2).await < 50 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        trigger.cancel();
        Instant::now()
    });
    let result = run_sync(
        &ledger,
        Trigger::Button,
        source(&fake),
        options(),
        cancel,
        None,
    )
    .await
    .unwrap();
    let took = canceller.await.unwrap().elapsed();
    let Leased::Ran(report) = result else {
        panic!("the sync started")
    };
    assert!(
        took < Duration::from_secs(1),
        "stopped within a second: {took:?}"
    );
    let run = run_row(&ledger, report.run_id).await;
    assert_eq!(
        (run.status, run.error_tag.map(|t| t.as_str())),
        (RunStatus::Aborted, Some("cancelled")),
        "aborted/cancelled"
    );
    assert!(stored(&store).await >= 50, "mail so far is kept");
}
