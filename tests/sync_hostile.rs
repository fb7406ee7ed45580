//! `inbox-sync sync` against a fake Gmail that lies: page tokens repeated forever, 200 MB
//! answers, ids that try to move the request path. Each run ends by itself, tagged, in
//! bounded memory (the child's own peak RSS, its `VmHWM`), with the mail stored before kept.
#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_gmail::{FakeConfig, FakeGmail, Lies};
use inbox_sync_core::{Store, StoreOptions};

/// How one `inbox-sync sync` went.
#[derive(Debug)]
struct Ran {
    code: Option<i32>,
    stderr: String,
    took: Duration,
    /// The process's peak resident memory (`VmHWM`), in MiB.
    peak_mib: u64,
}

/// The `VmHWM` (peak resident memory, kB) of a live process, `None` once it has exited.
fn peak_kib(pid: libc::pid_t) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `inbox-sync sync` against `base_url` to the end (killed after `limit`), following its
/// peak RSS. The kernel's high-water mark `VmHWM` is read every 10 ms while the child lives:
/// it only grows, so a late reading holds every earlier peak. (`wait4`'s `ru_maxrss` is no
/// use here: it keeps the high-water mark of the memory the child ran in before `exec`,
/// which after `posix_spawn`'s vfork is this test process, fake mailbox and all.)
// The child is reaped by `wait4` below, while the sampler still knows its pid.
#[allow(clippy::zombie_processes)]
fn sync_blocking(data: &Path, base_url: &str, limit: Duration) -> Ran {
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_inbox-sync"))
        .arg("--data-dir")
        .arg(data)
        .args(["sync", "--quota", "0", "--gmail-base-url", base_url])
        .env_remove("INBOX_SYNC_DATA_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn inbox-sync");
    let pid = child.id() as libc::pid_t;
    let mut pipe = child.stderr.expect("stderr piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
        text
    });
    // Samples the peak; and a run that never ends is itself the failure, so it is killed
    // for the test to report it.
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let done = done.clone();
        std::thread::spawn(move || {
            let end = Instant::now() + limit;
            let (mut peak, mut killed) = (0, false);
            while !done.load(Ordering::SeqCst) {
                if let Some(kib) = peak_kib(pid) {
                    peak = peak.max(kib);
                }
                if !killed && Instant::now() > end {
                    // SAFETY: pid is our child, not reaped before `done` is set.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    killed = true;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            peak
        })
    };
    let mut status = 0;
    // Waits for the exit without reaping (`WNOWAIT`), so the pid stays ours while the
    // watcher reads its last `VmHWM`; then reaps it.
    // SAFETY: a zeroed siginfo is a valid out-parameter.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: waits on our own child.
    unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOWAIT,
        )
    };
    done.store(true, Ordering::SeqCst);
    let peak = watcher.join().unwrap_or(0);
    // SAFETY: reaps our own child.
    let reaped = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(reaped, pid, "wait4 reaped the sync");
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Ran {
        code,
        stderr: reader.join().unwrap_or_default(),
        took: started.elapsed(),
        peak_mib: peak / 1024,
    }
}

async fn sync(data: &Path, fake: &FakeGmail, limit: Duration) -> Ran {
    let (data, url) = (data.to_owned(), fake.base_url());
    tokio::task::spawn_blocking(move || sync_blocking(&data, &url, limit))
        .await
        .expect("sync thread")
}

async fn store(data: &Path) -> Store {
    Store::open(&data.join("inbox-sync.sqlite3"), StoreOptions::default())
        .await
        .expect("open the database")
}

async fn stored_ids(data: &Path) -> Vec<String> {
    let store = store(data).await;
    let ids = sqlx::query_scalar("SELECT gmail_id FROM messages ORDER BY gmail_id")
        .fetch_all(store.pool())
        .await
        .expect("read ids");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(store.pool())
        .await
        .expect("integrity_check");
    assert_eq!(integrity, "ok", "the database is intact");
    store.close().await;
    ids
}

fn server_ids(fake: &FakeGmail) -> Vec<String> {
    let mut ids: Vec<String> = fake.truth().into_iter().map(|t| t.id).collect();
    ids.sort();
    ids
}

const LIMIT: Duration = Duration::from_secs(90);

/// A `messages.list` that repeats its page token forever: the run ends by itself well within
/// 60 s, `[gmailLoop]`, under 200 MB, with the first page's mail kept; an honest re-run
/// completes the mailbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_list_token_ends_the_run_gmail_loop() {
    let fake = FakeGmail::start(FakeConfig::default().messages(1_200).seed(31).lies(Lies {
        list_repeats_token: true,
        ..Lies::default()
    }))
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ran = sync(dir.path(), &fake, LIMIT).await;
    let lists = fake.counts().messages_list;
    eprintln!("list loop: {ran:?}, {lists} messages.list requests");
    assert_eq!(ran.code, Some(1), "exits 1: {}", ran.stderr);
    assert!(ran.stderr.contains("[gmailLoop]"), "tagged: {}", ran.stderr);
    assert!(
        ran.took < Duration::from_secs(60),
        "ended by itself in {:?}",
        ran.took
    );
    assert!(ran.peak_mib < 200, "peak RSS {} MiB", ran.peak_mib);
    assert_eq!(lists, 2, "stopped at the first repeated token");
    assert_eq!(
        stored_ids(dir.path()).await.len(),
        500,
        "the first page's mail is kept"
    );

    fake.set_lies(Lies::default());
    let again = sync(dir.path(), &fake, LIMIT).await;
    assert_eq!(
        again.code,
        Some(0),
        "an honest server completes: {}",
        again.stderr
    );
    assert_eq!(
        stored_ids(dir.path()).await,
        server_ids(&fake),
        "the whole mailbox"
    );
}

/// A `history.list` that repeats its page token forever: the incremental run ends by itself,
/// `[gmailLoop]`, under 200 MB, and the mail synced before is all still there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_history_token_ends_the_run_gmail_loop() {
    let fake = FakeGmail::start(FakeConfig::default().messages(200).seed(32))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let first = sync(dir.path(), &fake, LIMIT).await;
    assert_eq!(first.code, Some(0), "first sync: {}", first.stderr);
    let before = stored_ids(dir.path()).await;
    fake.add_messages(5);
    fake.set_lies(Lies {
        history_repeats_token: true,
        ..Lies::default()
    });
    fake.reset_counts();
    let ran = sync(dir.path(), &fake, LIMIT).await;
    let pages = fake.counts().history_list;
    eprintln!("history loop: {ran:?}, {pages} history.list requests");
    assert_eq!(ran.code, Some(1), "exits 1: {}", ran.stderr);
    assert!(ran.stderr.contains("[gmailLoop]"), "tagged: {}", ran.stderr);
    assert!(
        ran.took < Duration::from_secs(60),
        "ended by itself in {:?}",
        ran.took
    );
    assert!(ran.peak_mib < 200, "peak RSS {} MiB", ran.peak_mib);
    assert_eq!(pages, 2, "stopped at the first repeated token");
    let after = stored_ids(dir.path()).await;
    assert!(
        before.iter().all(|id| after.binary_search(id).is_ok()),
        "every message synced before is kept"
    );

    fake.set_lies(Lies::default());
    let again = sync(dir.path(), &fake, LIMIT).await;
    assert_eq!(
        again.code,
        Some(0),
        "an honest server completes: {}",
        again.stderr
    );
    assert_eq!(
        stored_ids(dir.path()).await,
        server_ids(&fake),
        "the whole mailbox"
    );
}

/// Four 200 MB answers to `messages.get`: the sync stays under 300 MB, records those four
/// with a defect, stores every other message, and ends `[tooLarge]`; the next run is clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_answers_are_skipped_in_bounded_memory() {
    let fake = FakeGmail::start(FakeConfig::default().messages(60).seed(33))
        .await
        .unwrap();
    let huge: Vec<String> = server_ids(&fake).into_iter().step_by(15).collect();
    assert_eq!(huge.len(), 4, "four messages answer 200 MB");
    fake.set_lies(Lies {
        huge_answers: Some((huge.clone(), 200 * 1024 * 1024)),
        ..Lies::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let ran = sync(dir.path(), &fake, LIMIT).await;
    eprintln!(
        "huge answers: {ran:?}, {} messages.get",
        fake.counts().messages_get
    );
    assert_eq!(ran.code, Some(1), "exits 1: {}", ran.stderr);
    assert!(ran.stderr.contains("[tooLarge]"), "tagged: {}", ran.stderr);
    assert!(
        ran.stderr.contains("4 messages"),
        "says how many: {}",
        ran.stderr
    );
    assert!(ran.peak_mib < 300, "peak RSS {} MiB", ran.peak_mib);
    assert_eq!(
        stored_ids(dir.path()).await,
        server_ids(&fake),
        "every message is recorded, the four too large as placeholders"
    );
    let store = store(dir.path()).await;
    let flagged: Vec<String> = sqlx::query_scalar(
        "SELECT gmail_id FROM messages WHERE defects LIKE '%larger than 48 MB%' ORDER BY gmail_id",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    store.close().await;
    assert_eq!(flagged, huge, "exactly the four carry the size defect");

    let again = sync(dir.path(), &fake, LIMIT).await;
    assert_eq!(
        again.code,
        Some(0),
        "the next sync is clean: {}",
        again.stderr
    );
}

/// A 200 MB `users.getProfile` (read when a full sync starts) and a 200 MB `labels.list`
/// (read by every sync), each one small answer when honest: the run ends by itself
/// `[tooLarge]` under 300 MB, the mail already synced kept whole; an honest server then
/// syncs cleanly again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_profile_or_label_list_ends_the_run_in_bounded_memory() {
    let fake = FakeGmail::start(FakeConfig::default().messages(60).seed(34))
        .await
        .unwrap();
    let huge = 200 * 1024 * 1024;
    let bounded = |what: &str, ran: &Ran| {
        eprintln!("huge {what}: {ran:?}");
        assert_eq!(ran.code, Some(1), "{what}: exits 1: {}", ran.stderr);
        assert!(
            ran.stderr.contains("[tooLarge]"),
            "{what}: tagged: {}",
            ran.stderr
        );
        assert!(ran.peak_mib < 300, "{what}: peak RSS {} MiB", ran.peak_mib);
    };

    let dir = tempfile::tempdir().unwrap();
    fake.set_lies(Lies {
        huge_profile: Some(huge),
        ..Lies::default()
    });
    bounded("profile", &sync(dir.path(), &fake, LIMIT).await);
    assert!(
        stored_ids(dir.path()).await.is_empty(),
        "nothing half-stored"
    );

    fake.set_lies(Lies::default());
    let first = sync(dir.path(), &fake, LIMIT).await;
    assert_eq!(first.code, Some(0), "honest: {}", first.stderr);
    let synced = stored_ids(dir.path()).await;
    assert_eq!(synced, server_ids(&fake));

    fake.set_lies(Lies {
        huge_labels: Some(huge),
        ..Lies::default()
    });
    bounded("labels", &sync(dir.path(), &fake, LIMIT).await);
    assert_eq!(
        stored_ids(dir.path()).await,
        synced,
        "labels: the mail is kept"
    );

    fake.set_lies(Lies::default());
    let again = sync(dir.path(), &fake, LIMIT).await;
    assert_eq!(again.code, Some(0), "honest again: {}", again.stderr);
}

/// Whether `path` (with its query) is one a Gmail sync may request: the four list-type
/// methods, or `messages/{hex id}`.
fn expected_path(path_and_query: &str) -> bool {
    let path = path_and_query.split('?').next().unwrap_or_default();
    let Some(rest) = path.strip_prefix("/gmail/v1/users/me/") else {
        return path == "/token";
    };
    match rest.strip_prefix("messages/") {
        Some(id) => !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit()),
        None => ["profile", "labels", "messages", "history"].contains(&rest),
    }
}

/// An id with `/`, `..`, `?` or `#` in a list page or in history never changes a request
/// path (the fake's log): the run ends `[gmail]` naming the bad id, earlier mail kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_ids_never_change_the_request_path() {
    for hostile in ["../../x", "x?format=full", "y#frag", "a/b", ".."] {
        let fake = FakeGmail::start(FakeConfig::default().messages(30).seed(34))
            .await
            .unwrap();
        let lie = Lies {
            hostile_id: Some(hostile.to_owned()),
            ..Lies::default()
        };
        // In a list page, on the first sync.
        fake.set_lies(lie.clone());
        let dir = tempfile::tempdir().unwrap();
        let listed = sync(dir.path(), &fake, LIMIT).await;
        assert_eq!(
            listed.code,
            Some(1),
            "{hostile:?} in a list: {}",
            listed.stderr
        );
        assert!(
            listed.stderr.contains("[gmail]") && listed.stderr.contains("message id"),
            "{hostile:?}: a gmail protocol error naming the id: {}",
            listed.stderr
        );
        // In history, after an honest sync.
        fake.set_lies(Lies::default());
        let honest = sync(dir.path(), &fake, LIMIT).await;
        assert_eq!(honest.code, Some(0), "honest sync: {}", honest.stderr);
        fake.add_messages(2);
        fake.set_lies(lie);
        let history = sync(dir.path(), &fake, LIMIT).await;
        assert_eq!(
            history.code,
            Some(1),
            "{hostile:?} in history: {}",
            history.stderr
        );
        assert!(
            history.stderr.contains("[gmail]"),
            "tagged: {}",
            history.stderr
        );
        assert!(
            stored_ids(dir.path()).await.len() >= 30,
            "{hostile:?}: the mail synced before is kept"
        );
        let paths = fake.request_paths();
        assert!(paths.len() > 5, "the fake logged the requests: {paths:?}");
        let odd: Vec<&String> = paths.iter().filter(|p| !expected_path(p)).collect();
        assert!(
            odd.is_empty(),
            "{hostile:?} never reached a request path: {odd:?}"
        );
        fake.shutdown().await;
    }
}
