//! The real `inbox-sync` binary in a real window (Xvfb + tauri-driver + WebKitWebDriver):
//! the fetch card tells the truth about syncs started here, elsewhere, after a crash, from
//! the tray's path and at launch, and the inbox ends equal to the server's mailbox; a Gmail
//! account is connected, synced, reconnected after Google revoked it, and disconnected.
// Xvfb, WebKitWebDriver and process groups: these window tests run on Linux only.
#![cfg(target_os = "linux")]
#[path = "e2e/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fake_gmail::{FakeConfig, FakeGmail};
use harness::{App, FakeBrowser, Knobs};
use serde_json::{json, Value};

/// A quota the demo server never reaches (`INBOX_SYNC_DEMO_QUOTA=0` is not unlimited for
/// the demo server: it answers every request with a rate-limit error).
const NO_QUOTA: u32 = 1_000_000;

/// A mailbox whose sync lasts a few seconds, so a window can be watched while it runs.
fn slow(latency_ms: u64) -> Knobs {
    Knobs {
        messages: 300,
        latency_ms,
        quota: NO_QUOTA,
        ..Knobs::default()
    }
}

/// Waits for the card to reach `state` within `deadline`.
async fn wait_state(app: &App, state: &str, deadline: Duration) {
    app.wait_for(
        &format!("the card's data-state is {state}"),
        deadline,
        || async { app.card_state().await == state },
    )
    .await;
}

/// The run with this id in the ledger.
async fn run(app: &App, id: i64) -> Value {
    app.runs()
        .await
        .into_iter()
        .find(|r| r["id"].as_i64() == Some(id))
        .unwrap_or_else(|| panic!("run {id} is in the ledger"))
}

/// Waits until no run is running and returns the newest run.
async fn wait_finished(app: &App, deadline: Duration) -> Value {
    app.wait_for("no sync is running any more", deadline, || async {
        app.invoke("get_active", json!({})).await.is_null()
    })
    .await;
    app.invoke("get_latest", json!({})).await
}

async fn assert_inbox_is_server(app: &App) {
    let ids = app.inbox_ids().await;
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no message is listed twice");
    assert_eq!(
        ids,
        app.knobs.server_ids(),
        "the inbox lists exactly the server's messages"
    );
}

/// Clicking "Fetch new emails" shows a running sync with rising counters and a disabled button, and ends idle with the inbox equal to the server's mailbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_button_shows_the_sync_and_ends_with_the_servers_mailbox() {
    let app = App::launch(slow(150)).await;
    assert_eq!(
        app.card_state().await,
        "idle",
        "auto-sync is off, so the window opens idle"
    );
    assert!(app.runs().await.is_empty(), "nothing has run yet");

    app.click("#fetch-button").await;
    wait_state(&app, "running", Duration::from_secs(10)).await;
    assert_eq!(
        app.text("#fetch-status").await.as_deref(),
        Some("Sync in progress…"),
        "a running sync is named as such"
    );
    assert!(
        app.disabled("#fetch-button").await,
        "the fetch button is disabled while a sync runs"
    );
    assert_eq!(
        app.attr("#stop-button", "hidden").await,
        None,
        "Stop is offered while a sync runs"
    );

    // The counters must be seen rising on screen, not only at the end.
    let mut seen: Vec<i64> = Vec::new();
    let end = Instant::now() + Duration::from_secs(60);
    while seen.len() < 3 && Instant::now() < end && app.card_state().await == "running" {
        let fetched = app.counter("count-fetched").await;
        if seen.last().is_none_or(|last| fetched > *last) {
            seen.push(fetched);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        seen.len() >= 3,
        "the fetched counter rose through at least two values while running: {seen:?}"
    );

    let latest = wait_finished(&app, Duration::from_secs(120)).await;
    assert_eq!(latest["status"], "success", "the sync succeeded: {latest}");
    assert_eq!(latest["trigger"], "button", "the click started it");
    wait_state(&app, "idle", Duration::from_secs(5)).await;
    let last = app.text("#last-synced").await.unwrap_or_default();
    assert!(
        last.starts_with("Last synced"),
        "the idle card says when it last synced: {last:?}"
    );
    assert!(
        !app.disabled("#fetch-button").await,
        "the fetch button is enabled again"
    );
    assert_eq!(
        app.counter("count-inserted").await,
        app.knobs.messages as i64,
        "the card's final count of new mail is the whole mailbox"
    );
    assert_inbox_is_server(&app).await;
}

/// A command-line sync shows in the open window within 2 s with its button disabled, a start from the window is refused as alreadyRunning, and the window returns to idle within 2 s of its end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_line_sync_shows_in_the_window_and_blocks_starting_another() {
    let app = App::launch(slow(400)).await;
    assert_eq!(app.card_state().await, "idle", "the window opens idle");

    let mut cli = app
        .cli(&["sync", "--demo"])
        .spawn()
        .expect("start `inbox-sync sync --demo`");
    // The window's 2 s are measured from the moment the CLI's run row exists.
    app.wait_for(
        "the command line's run is in the ledger",
        Duration::from_secs(30),
        || async { app.invoke("get_active", json!({})).await["trigger"] == "cli" },
    )
    .await;
    wait_state(&app, "running", Duration::from_secs(2)).await;
    assert!(
        app.disabled("#fetch-button").await,
        "the fetch button is disabled while another process syncs"
    );
    assert_eq!(
        app.text("#fetch-status").await.as_deref(),
        Some("Sync in progress…"),
        "the window names the other process's sync as running"
    );

    let before = app.runs().await.len();
    let refused = app.invoke("start", json!({})).await;
    assert_eq!(
        refused["started"], false,
        "a second sync must not start: {refused}"
    );
    assert_eq!(
        refused["reason"], "alreadyRunning",
        "the refusal says a sync is already running: {refused}"
    );
    assert_eq!(
        app.runs().await.len(),
        before,
        "the refused start added no run"
    );
    assert!(
        cli.try_wait().expect("poll the CLI").is_none(),
        "the CLI was still running when the start was refused, so the refusal was about it"
    );

    let end = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = cli.try_wait().expect("poll the CLI") {
            break status;
        }
        assert!(
            app.disabled("#fetch-button").await || cli.try_wait().ok().flatten().is_some(),
            "the fetch button stays disabled for as long as the command line syncs"
        );
        assert!(
            Instant::now() < end,
            "the command-line sync ends within 2 minutes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let out = cli.wait_with_output().expect("CLI output");
    assert_eq!(
        status.code(),
        Some(0),
        "the command-line sync succeeds: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_state(&app, "idle", Duration::from_secs(2)).await;
    assert!(
        !app.disabled("#fetch-button").await,
        "the button is enabled once the other process is done"
    );
    assert_eq!(
        app.runs().await.len(),
        before,
        "only the command line's run exists"
    );
    assert_inbox_is_server(&app).await;
}

/// After the app is SIGKILLed mid-sync, a relaunch with auto-sync shows the resumed sync or "Last sync interrupted", records the dead run as aborted, and ends with the server's mailbox, no duplicates.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_app_relaunches_resumes_and_ends_with_the_servers_mailbox() {
    let mut app = App::launch(slow(500)).await;
    let started = app.invoke("start", json!({})).await;
    assert_eq!(started["started"], true, "the sync starts: {started}");
    let killed_run = started["runId"].as_i64().expect("a run id");
    app.wait_for(
        "some mail is stored before the crash",
        Duration::from_secs(60),
        || async { app.counter("count-inserted").await > 0 },
    )
    .await;
    let pids = app.app_pids();
    assert_eq!(
        pids.len(),
        1,
        "exactly one window process runs on the data dir: {pids:?}"
    );
    // SAFETY: a signal to the app process this test launched.
    unsafe {
        libc::kill(pids[0], libc::SIGKILL);
    }
    app.wait_for(
        "the killed app is gone",
        Duration::from_secs(10),
        || async { app.app_pids().is_empty() },
    )
    .await;

    harness::write_settings(&app.data_dir(), true);
    app.relaunch().await;
    // The first paint precedes the first answer from Rust; the truth must follow promptly.
    app.wait_for(
        "the relaunched window shows the resumed sync or the interruption",
        Duration::from_secs(5),
        || async { matches!(app.card_state().await.as_str(), "running" | "interrupted") },
    )
    .await;
    let headline = app.text("#fetch-status").await.unwrap_or_default();
    assert!(
        matches!(
            headline.as_str(),
            "Sync in progress…" | "Last sync interrupted"
        ),
        "the headline names the resumed sync or the interruption: {headline:?}"
    );

    let latest = wait_finished(&app, Duration::from_secs(120)).await;
    assert_eq!(
        latest["status"], "success",
        "the resumed sync completes: {latest}"
    );
    assert_eq!(
        latest["trigger"], "launch",
        "auto-sync on launch resumed it"
    );
    let dead = run(&app, killed_run).await;
    assert_eq!(
        dead["status"], "aborted",
        "the killed run is recorded as aborted, not left running: {dead}"
    );
    wait_state(&app, "idle", Duration::from_secs(5)).await;
    assert_inbox_is_server(&app).await;
}

/// A database from an older version opens with the window already up: while another process
/// holds the update (here the test, holding its lock) the start-up card says so, then the app
/// updates the database itself and the window goes on with every message kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_database_is_updated_with_the_window_showing_how_far() {
    let mut app = App::launch(slow(0)).await;
    app.click("#fetch-button").await;
    app.wait_for("the first sync starts", Duration::from_secs(30), || async {
        !app.runs().await.is_empty()
    })
    .await;
    let first = wait_finished(&app, Duration::from_secs(120)).await;
    assert_eq!(first["status"], "success", "the first sync: {first}");
    for pid in app.app_pids() {
        // SAFETY: a signal to the app process this test launched.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
    app.wait_for("the app is gone", Duration::from_secs(10), || async {
        app.app_pids().is_empty()
    })
    .await;
    // Back to before migration 0008 (the inline images' table), as an older version left it.
    let db = app.data_dir().join("inbox-sync.sqlite3");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("open the database");
    for sql in [
        "DROP TABLE inline_images",
        "DELETE FROM _sqlx_migrations WHERE version = 8",
    ] {
        sqlx::query(sql).execute(&pool).await.expect(sql);
    }
    pool.close().await;
    // The lock every process takes to update the database: held here, as by another process.
    let lock = std::fs::File::create(db.with_extension("sqlite3-migrate.lock")).unwrap();
    lock.lock().expect("hold the update lock");

    app.relaunch().await;
    app.wait_for(
        "the start-up card says the update waits for another process",
        Duration::from_secs(30),
        || async {
            app.text("#startup-status").await.as_deref()
                == Some("Updating your mailbox for this version")
                && app
                    .text("#startup-detail")
                    .await
                    .is_some_and(|d| d.starts_with("Waiting for another Inbox Sync"))
        },
    )
    .await;
    app.screenshot("update-waiting-for-another-process").await;
    let sidebar = app.text("#sync-indicator .indicator-text").await;
    assert!(
        sidebar
            .as_deref()
            .is_some_and(|t| t.starts_with("Updating")),
        "the sidebar says the mailbox is being updated, not that all is synced: {sidebar:?}"
    );
    assert_eq!(
        app.card_state().await,
        "",
        "no fetch card before the mailbox is open"
    );
    drop(lock);
    app.wait_for(
        "the update ends and the window shows the mailbox",
        Duration::from_secs(30),
        || async { app.text("#startup-card").await.is_none() && app.card_state().await == "idle" },
    )
    .await;
    assert_inbox_is_server(&app).await;
}

/// With auto-sync on, a launch-triggered run starts by itself; then the tray's "Sync now" path starts a tray run that completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_sync_on_launch_and_the_tray_sync_now_path_both_sync() {
    let app = App::launch(Knobs {
        auto_sync: true,
        ..slow(20)
    })
    .await;
    app.wait_for("a launch run exists", Duration::from_secs(30), || async {
        app.runs().await.iter().any(|r| r["trigger"] == "launch")
    })
    .await;
    let first = wait_finished(&app, Duration::from_secs(120)).await;
    assert_eq!(
        first["trigger"], "launch",
        "the app synced by itself at launch"
    );
    assert_eq!(
        first["status"], "success",
        "the launch sync completed: {first}"
    );
    assert_inbox_is_server(&app).await;

    let tray = app.invoke("start", json!({"trigger": "tray"})).await;
    assert_eq!(
        tray["started"], true,
        "the tray's Sync now starts a sync when idle: {tray}"
    );
    let id = tray["runId"].as_i64().expect("a run id");
    let done = wait_finished(&app, Duration::from_secs(120)).await;
    assert_eq!(
        done["id"].as_i64(),
        Some(id),
        "the latest run is the tray's"
    );
    assert_eq!(
        done["trigger"], "tray",
        "the run is recorded as started from the tray"
    );
    assert_eq!(
        done["status"], "success",
        "the tray's sync completed: {done}"
    );
    wait_state(&app, "idle", Duration::from_secs(5)).await;
    assert_eq!(
        app.runs().await.len(),
        2,
        "exactly the launch run and the tray run exist"
    );
}

/// The database is damaged while the window is open (random bytes over its middle), and the
/// command line's `status` finds it: the window's next "Fetch" sets the file aside (kept, not
/// deleted), rebuilds the mail from the server with a full sync, and the ledger keeps its
/// history with a `corrupt` row saying what happened — without restarting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_database_is_set_aside_and_rebuilt_from_the_window() {
    use std::os::unix::fs::FileExt;
    let app = App::launch(slow(0)).await;
    app.click("#fetch-button").await;
    app.wait_for("the first sync starts", Duration::from_secs(30), || async {
        !app.runs().await.is_empty()
    })
    .await;
    let first = wait_finished(&app, Duration::from_secs(120)).await;
    assert_eq!(first["status"], "success", "the first sync: {first}");

    // A command-line sync beside the window (nothing new to fetch); its clean close folds
    // the write-ahead log into the file, so the mail is in the file itself.
    let beside = app
        .cli(&["sync"])
        .output()
        .expect("run a command-line sync");
    assert_eq!(
        beside.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&beside.stderr)
    );
    let db = app.data_dir().join("inbox-sync.sqlite3");
    let len = std::fs::metadata(&db).unwrap().len();
    assert!(len > 256 * 1024, "the mail is in the file: {len} bytes");
    let middle = (len / 2) & !4095;
    let garbage: Vec<u8> = (0..16_384u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    // A positional write by this process (which has no SQLite connection to the file).
    std::fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .unwrap()
        .write_all_at(&garbage, middle)
        .unwrap();

    let status = app.cli(&["status"]).output().expect("run status");
    let said = String::from_utf8_lossy(&status.stderr).into_owned()
        + &String::from_utf8_lossy(&status.stdout);
    assert!(
        said.contains("[corrupt]") || said.contains("damaged"),
        "the command line finds the damage: {said}"
    );

    app.click("#fetch-button").await;
    // Until the heal, a read of the damaged file may fail saying so; while the damaged file is
    // swapped for a fresh one, reads wait for the fresh one: none meets the closed database.
    let failures = std::sync::Mutex::new(Vec::new());
    app.wait_for("the rebuild ends", Duration::from_secs(120), || async {
        let runs = match app.try_invoke("list_runs", json!({"limit": 500})).await {
            Ok(Value::Array(runs)) => runs,
            Ok(_) => return false,
            Err(e) => {
                failures.lock().unwrap().push(e.to_string());
                return false;
            }
        };
        runs.iter().any(|r| r["errorTag"] == "corrupt")
            && runs.first().is_some_and(|r| r["status"] == "success")
    })
    .await;
    let failures = failures.into_inner().unwrap();
    assert!(
        !failures.iter().any(|e| e.contains("closed pool")),
        "no read met the closed database during the swap: {failures:?}"
    );
    let runs = app.runs().await;
    assert!(
        runs.iter()
            .any(|r| r["id"] == first["id"] && r["status"] == "success"),
        "the first sync is still in the history: {runs:?}"
    );
    let aside: Vec<PathBuf> = files_under(&app.data_dir())
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("inbox-sync.sqlite3.damaged-")
                && !name.contains("-wal")
                && !name.contains("-shm")
        })
        .collect();
    assert_eq!(aside.len(), 1, "the damaged file is kept beside: {aside:?}");
    wait_state(&app, "idle", Duration::from_secs(10)).await;
    assert_inbox_is_server(&app).await;
    app.screenshot("rebuilt-after-damage").await;
}

/// A sync started in one window shows running (button disabled) in a second window, and stopping it there ends it as cancelled in both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_windows_show_one_sync_and_either_can_stop_it() {
    let app = App::launch(slow(500)).await;
    let first = app
        .client
        .window()
        .await
        .expect("the first window's handle");
    app.invoke("open_window", json!({})).await;
    app.wait_for(
        "WebDriver sees a second window",
        Duration::from_secs(30),
        || async { app.client.windows().await.is_ok_and(|h| h.len() == 2) },
    )
    .await;
    let second = app
        .client
        .windows()
        .await
        .expect("window handles")
        .into_iter()
        .find(|h| *h != first)
        .expect("a second window");
    let switch = |handle: fantoccini::wd::WindowHandle| {
        let client = app.client.clone();
        async move {
            client
                .switch_to_window(handle)
                .await
                .expect("switch windows");
        }
    };

    switch(second.clone()).await;
    app.wait_for(
        "the second window paints its fetch card",
        harness::LAUNCH,
        || async { app.attr("#fetch-card", "data-state").await.is_some() },
    )
    .await;
    wait_state(&app, "idle", Duration::from_secs(5)).await;

    switch(first.clone()).await;
    app.click("#fetch-button").await;
    wait_state(&app, "running", Duration::from_secs(10)).await;

    switch(second.clone()).await;
    wait_state(&app, "running", Duration::from_secs(2)).await;
    assert!(
        app.disabled("#fetch-button").await,
        "the other window's fetch button is disabled while the sync runs"
    );
    app.wait_for(
        "Stop is offered in the second window",
        Duration::from_secs(2),
        || async { app.attr("#stop-button", "hidden").await.is_none() },
    )
    .await;
    app.click("#stop-button").await;

    let latest = wait_finished(&app, Duration::from_secs(30)).await;
    assert_eq!(
        latest["status"], "aborted",
        "the stopped run ends aborted: {latest}"
    );
    assert_eq!(
        latest["errorTag"], "cancelled",
        "it was the user who stopped it: {latest}"
    );
    for (name, handle) in [("second", second), ("first", first)] {
        switch(handle).await;
        wait_state(&app, "cancelled", Duration::from_secs(2)).await;
        assert_eq!(
            app.text("#fetch-status").await.as_deref(),
            Some("Sync stopped"),
            "the {name} window says the sync was stopped"
        );
        assert!(
            !app.disabled("#fetch-button").await,
            "the {name} window's fetch button is enabled again"
        );
    }
}

const EMAIL: &str = "you@example.com";

/// Goes to a page through the sidebar, as a user would.
async fn go_to(app: &App, hash: &str) {
    app.click(&format!(".nav a[href=\"{hash}\"]")).await;
    app.wait_for(
        &format!("the {hash} page is shown"),
        Duration::from_secs(5),
        || async { app.eval("return location.hash").await == json!(hash) },
    )
    .await;
}

/// Waits for the app to ask the browser to open its `n`th address (1-based) and returns it.
async fn wait_for_opened(app: &App, browser: &FakeBrowser, n: usize) -> String {
    app.wait_for(
        &format!("the app asked the browser to open address #{n}"),
        Duration::from_secs(30),
        || async { browser.opened().len() >= n },
    )
    .await;
    let opened = browser.opened();
    assert_eq!(
        opened.len(),
        n,
        "one sign-in opens exactly one browser, through exactly one launcher: {opened:?}"
    );
    let (program, url) = opened[n - 1].clone();
    assert_eq!(
        program, "xdg-open",
        "xdg-open is the launcher used: {opened:?}"
    );
    url
}

/// The user in the browser: opens the consent page (the fake approves and redirects to the
/// app's loopback address), then follows the redirect by hand and lands on the app's page.
async fn act_as_browser(url: &str, fake: &FakeGmail) {
    assert!(
        url.starts_with(&fake.auth_url()),
        "the address is the client file's consent endpoint: {url}"
    );
    let (consent, landing) = fake_gmail::browser::sign_in(url)
        .await
        .unwrap_or_else(|e| panic!("the browser signs in at {url}: {e}"));
    assert_eq!(consent.status, 302, "consent redirects: {}", consent.body);
    let location = consent.location.unwrap_or_default();
    assert!(
        location.starts_with("http://127.0.0.1:")
            && location.contains("/callback?")
            && location.contains("code="),
        "consent redirects to the app's loopback address with a code: {location}"
    );
    assert_eq!(
        landing.status, 200,
        "the app's loopback page answers: {}",
        landing.body
    );
    assert!(
        landing.body.contains("You can close this tab"),
        "the landing page tells the user to go back: {}",
        landing.body
    );
}

/// Where a screenshot of the real window goes: `docs/` when `INBOX_SYNC_E2E_DOCS=1` (to
/// refresh the README's pictures), else `target/tmp/e2e-screens/`, so that a test run leaves
/// the working tree as it was.
fn shot_path(name: &str) -> PathBuf {
    let dir = if std::env::var("INBOX_SYNC_E2E_DOCS").is_ok_and(|v| v == "1") {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs")
    } else {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-screens")
    };
    dir.join(format!("{name}.png"))
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if path.is_file() {
            out.push(path);
        }
    }
    out
}

fn holds(bytes: &[u8], token: &str) -> bool {
    bytes.windows(token.len()).any(|w| w == token.as_bytes())
}

/// Fails if any of `tokens` is in any of `places` (name, content).
fn assert_no_token(places: &[(String, Vec<u8>)], tokens: &[String]) {
    for (name, bytes) in places {
        for token in tokens {
            assert!(
                !holds(bytes, token),
                "{name} holds a token the fake issued ({}…)",
                &token[..6]
            );
        }
    }
}

/// Every regular file under the data directory, except `except`, with its content.
fn data_files(data_dir: &Path, except: &[&Path]) -> Vec<(String, Vec<u8>)> {
    files_under(data_dir)
        .into_iter()
        .filter(|p| !except.contains(&p.as_path()))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_default();
            (p.display().to_string(), bytes)
        })
        .collect()
}

/// Waits until the latest run is finished, is not run `not_id`, and none runs; returns it.
async fn wait_run_done(app: &App, not_id: Option<i64>, deadline: Duration) -> Value {
    app.wait_for(
        "a new sync of the account has finished",
        deadline,
        || async {
            let latest = app.invoke("get_latest", json!({})).await;
            latest["status"].as_str().is_some_and(|s| s != "running")
                && latest["id"].as_i64() != not_id
                && app.invoke("get_active", json!({})).await.is_null()
        },
    )
    .await;
    app.invoke("get_latest", json!({})).await
}

/// Settings → Connect Gmail with a client secret file, the browser signs in, the account's mail syncs; Google revokes the
/// sign-in, the next sync asks to reconnect and Reconnect signs in again; Disconnect revokes the token and returns to the
/// demo mailbox; no token the fake issued is ever written to the data directory or the app's output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_gmail_sync_reconnect_disconnect() {
    let t0 = Instant::now();
    let mut timings: Vec<(&str, Duration)> = Vec::new();
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(120)
            .seed(4242)
            .email_address(EMAIL)
            .latency(Duration::from_millis(5)),
    )
    .await
    .expect("start the fake Gmail");
    let mut truth: Vec<String> = fake.truth().into_iter().map(|m| m.id).collect();
    truth.sort();
    assert_eq!(truth.len(), 120, "the fake holds 120 messages");

    let browser = FakeBrowser::install();
    let secrets = tempfile::Builder::new()
        .prefix("inbox-sync-e2e-secret-")
        .tempdir()
        .expect("temp dir");
    let secret_path = secrets.path().join("client_secret_fake.json");
    std::fs::write(&secret_path, fake.client_secret_json()).expect("write the client secret");

    let app = App::launch(Knobs {
        quota: NO_QUOTA,
        extra_env: vec![
            browser.path_env(),
            ("INBOX_SYNC_TOKEN_STORE".into(), "file".into()),
            ("INBOX_SYNC_GMAIL_BASE_URL".into(), fake.base_url()),
            // Every log line the app has goes to its stderr, which is searched for tokens.
            ("INBOX_SYNC_LOG".into(), "debug,sqlx=warn".into()),
        ],
        ..Knobs::default()
    })
    .await;
    timings.push(("launch", t0.elapsed()));
    app.trace_page().await;
    let demo_label = format!("Demo mailbox ({} messages)", app.knobs.messages);
    assert_eq!(
        app.text("#source-label").await.as_deref(),
        Some(demo_label.as_str()),
        "the window starts on the demo mailbox"
    );

    // 2. Connect from Settings.
    let t = Instant::now();
    go_to(&app, "#/settings").await;
    app.wait_for(
        "the Account section offers to connect",
        Duration::from_secs(10),
        || async {
            app.attr("#account-section", "data-mode").await.as_deref() == Some("signedOut")
        },
    )
    .await;
    app.type_into("#account-client-secret", &secret_path.display().to_string())
        .await;
    app.click("#connect-button").await;
    let url = wait_for_opened(&app, &browser, 1).await;
    assert_eq!(
        app.attr("#account-section", "data-mode").await.as_deref(),
        Some("signingIn"),
        "the window waits for the browser"
    );
    assert_eq!(
        app.text("#account-signing-in .setting-label")
            .await
            .as_deref(),
        Some("Waiting for you to finish in the browser…")
    );
    app.wait_for(
        "the window shows the address the browser was sent to",
        Duration::from_secs(5),
        || async { app.text(".sign-in-url").await.as_deref() == Some(url.as_str()) },
    )
    .await;
    act_as_browser(&url, &fake).await;
    app.wait_for(
        "Settings says Connected as you@example.com",
        Duration::from_secs(15),
        || async {
            app.attr("#account-section", "data-mode").await.as_deref() == Some("connected")
                && app
                    .text("#account-connected .setting-label")
                    .await
                    .as_deref()
                    == Some("Connected as you@example.com")
        },
    )
    .await;
    timings.push(("connect (click to Connected as)", t.elapsed()));
    let credentials = app
        .data_dir()
        .join("accounts")
        .join(EMAIL)
        .join("credentials.json");
    let hint = app.text("#account-token-hint").await.unwrap_or_default();
    assert_eq!(
        hint,
        format!(
            "Token kept in {} (readable only by you).",
            credentials.display()
        ),
        "Settings says where the token is"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&credentials)
            .expect("credentials.json exists with INBOX_SYNC_TOKEN_STORE=file")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "credentials.json is readable only by its owner"
        );
    }

    // 3. Connecting starts a sync of the account; it ends with the fake's mailbox.
    let t = Instant::now();
    let first = wait_run_done(&app, None, Duration::from_secs(120)).await;
    timings.push(("first account sync (after Connected as)", t.elapsed()));
    assert_eq!(
        first["status"], "success",
        "the account's first sync succeeds: {first}"
    );
    assert_eq!(first["trigger"], "button", "connecting started it: {first}");
    assert_eq!(
        app.runs().await.len(),
        1,
        "the account's ledger holds only its own run (the demo's are elsewhere)"
    );
    assert_eq!(
        app.inbox_ids().await,
        truth,
        "the inbox lists exactly the fake's messages"
    );
    let summary = app.invoke("get_summary", json!({})).await;
    assert_eq!(
        summary["counts"]["messages"], 120,
        "the summary counts the fake's mailbox: {summary}"
    );
    assert_eq!(summary["source"]["kind"], "account", "{summary}");
    app.wait_for(
        "the sidebar names the account's mailbox",
        Duration::from_secs(5),
        || async { app.text("#source-label").await.as_deref() == Some(EMAIL) },
    )
    .await;
    app.screenshot_display_to(&shot_path("settings-account"))
        .await;

    // 4. Google revokes the sign-in: the next sync asks to reconnect; Reconnect signs in again.
    let t = Instant::now();
    fake.revoke_refresh_tokens();
    go_to(&app, "#/").await;
    wait_state(&app, "idle", Duration::from_secs(10)).await;
    assert_eq!(
        app.text("#fetch-status").await.as_deref(),
        Some("Up to date")
    );
    app.click("#fetch-button").await;
    let failed = wait_run_done(&app, first["id"].as_i64(), Duration::from_secs(60)).await;
    assert_eq!(
        failed["status"], "error",
        "the sync with a revoked sign-in fails: {failed}"
    );
    assert_eq!(failed["errorTag"], "auth", "as an auth error: {failed}");
    assert_eq!(failed["trigger"], "button", "{failed}");
    wait_state(&app, "error", Duration::from_secs(5)).await;
    assert_eq!(
        app.text("#fetch-status").await.as_deref(),
        Some("Reconnect your Gmail account"),
        "the card asks to reconnect"
    );
    assert_eq!(
        app.text("#fetch-button").await.as_deref(),
        Some("Reconnect")
    );
    assert!(
        !app.disabled("#fetch-button").await,
        "Reconnect can be clicked"
    );
    timings.push(("revoked to Reconnect card", t.elapsed()));
    app.screenshot_display_to(&shot_path("reconnect-card"))
        .await;

    let t = Instant::now();
    app.click("#fetch-button").await;
    let url = wait_for_opened(&app, &browser, 2).await;
    wait_state(&app, "signingIn", Duration::from_secs(5)).await;
    act_as_browser(&url, &fake).await;
    let again = wait_run_done(&app, failed["id"].as_i64(), Duration::from_secs(120)).await;
    assert_eq!(
        again["status"], "success",
        "the sync after reconnecting succeeds: {again}"
    );
    wait_state(&app, "idle", Duration::from_secs(5)).await;
    assert_eq!(
        app.text("#fetch-status").await.as_deref(),
        Some("Up to date"),
        "the card is back to normal"
    );
    assert_eq!(
        app.text("#fetch-button").await.as_deref(),
        Some("Fetch new emails")
    );
    timings.push(("Reconnect click to Up to date", t.elapsed()));
    assert_eq!(
        app.inbox_ids().await,
        truth,
        "the mail is still there, once each"
    );
    assert_eq!(app.text("#source-label").await.as_deref(), Some(EMAIL));

    // While connected, the refresh token is in credentials.json (which shows the search finds
    // tokens as they are stored) and nowhere else: not in account.json, settings.json or any
    // database.
    let issued = fake.issued_tokens();
    let kept = std::fs::read(&credentials).expect("read credentials.json");
    assert!(
        issued.iter().any(|t| holds(&kept, t)),
        "credentials.json holds a token the fake issued"
    );
    let connected_files = data_files(&app.data_dir(), &[credentials.as_path()]);
    let names: Vec<&str> = connected_files.iter().map(|(n, _)| n.as_str()).collect();
    for wanted in [
        "/account.json",
        "/settings.json",
        "/accounts/you@example.com/inbox-sync.sqlite3",
    ] {
        assert!(
            names.iter().any(|n| n.ends_with(wanted)),
            "{wanted} is among the files searched while connected: {names:?}"
        );
    }
    assert_no_token(&connected_files, &issued);

    // 5. Disconnect from Settings, confirming in the page.
    let t = Instant::now();
    let revokes = fake.counts().revoke;
    go_to(&app, "#/settings").await;
    app.wait_for(
        "Settings shows the connected account",
        Duration::from_secs(10),
        || async {
            app.attr("#account-section", "data-mode").await.as_deref() == Some("connected")
        },
    )
    .await;
    app.click("#disconnect-button").await;
    app.wait_for(
        "the in-page confirmation is shown",
        Duration::from_secs(5),
        || async { app.attr("#account-confirm", "hidden").await.is_none() },
    )
    .await;
    app.click("#confirm-disconnect").await;
    app.wait_for(
        "the window says the account was disconnected",
        Duration::from_secs(30),
        || async {
            app.text("#account-note")
                .await
                .is_some_and(|t| t.starts_with("Disconnected you@example.com"))
                && app.attr("#account-section", "data-mode").await.as_deref() == Some("signedOut")
        },
    )
    .await;
    timings.push(("disconnect", t.elapsed()));
    let note = app.text("#account-note").await.unwrap_or_default();
    assert!(
        note.contains("access was revoked at Google and the token deleted"),
        "the note says the access was revoked: {note}"
    );
    assert!(
        fake.counts().revoke > revokes,
        "Google was asked to revoke the token ({} before, {} after)",
        revokes,
        fake.counts().revoke
    );
    app.wait_for(
        "the sidebar is back on the demo mailbox",
        Duration::from_secs(5),
        || async { app.text("#source-label").await.as_deref() == Some(demo_label.as_str()) },
    )
    .await;
    assert_eq!(
        app.invoke("get_summary", json!({})).await["source"]["kind"],
        "demo",
        "the app shows the demo mailbox again"
    );
    let account_dbs: Vec<PathBuf> = files_under(&app.data_dir().join("accounts"))
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".sqlite3"))
        .collect();
    assert_eq!(
        account_dbs.len(),
        1,
        "the account's mail stays on disk: {account_dbs:?}"
    );

    // 6. No token the fake handed out was written anywhere the app writes, or printed.
    let tokens = fake.issued_tokens();
    assert!(
        tokens.len() >= 6 && tokens.iter().all(|t| t.len() >= 16),
        "two sign-ins issued two codes, two refresh tokens and access tokens: {} tokens",
        tokens.len()
    );
    assert!(
        !credentials.exists(),
        "disconnecting deleted the token file"
    );
    let mut scanned = data_files(&app.data_dir(), &[]);
    let names: Vec<String> = scanned.iter().map(|(n, _)| n.clone()).collect();
    for wanted in [
        "/settings.json",
        "/inbox-sync.sqlite3",
        "/accounts/you@example.com/inbox-sync.sqlite3",
    ] {
        assert!(
            names.iter().any(|n| n.ends_with(wanted)),
            "{wanted} is among the files searched: {names:?}"
        );
    }
    let output = app.driver_log();
    assert!(
        output.contains(" DEBUG "),
        "the app's log lines (INBOX_SYNC_LOG=debug) are in the captured output"
    );
    scanned.push(("the app's stdout and stderr".into(), output.into_bytes()));
    assert_no_token(&scanned, &tokens);
    timings.push(("whole test", t0.elapsed()));
    eprintln!("e2e timings: {timings:?}; files scanned: {names:?}");
}
