//! Two Gmail accounts in one real window (Xvfb + tauri-driver + WebKitWebDriver), each on its
//! own fake Gmail: "Sync all" syncs both at the same time, each into its own database with
//! exactly its own server's mail, and each ledger never holds two running rows (sampled from
//! the databases throughout); a command-line `sync --all` while the window syncs one is
//! refused for that one only, and the window shows the command line's sync of the other
//! within 2 s; a token revoked mid-sync ends that account `auth` with Reconnect while the
//! other completes.
// Xvfb, WebKitWebDriver and process groups: these window tests run on Linux only.
#![cfg(target_os = "linux")]
#[path = "e2e/harness.rs"]
#[allow(dead_code)] // the harness serves several test binaries; this one uses part of it
mod harness;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fake_gmail::{FakeConfig, FakeGmail};
use harness::{account_files, App, Knobs};
use serde_json::{json, Value};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

const A: &str = "a@example.com";
const B: &str = "b@example.com";

async fn fake(email: &str, messages: usize, seed: u64) -> FakeGmail {
    FakeGmail::start(
        FakeConfig::default()
            .messages(messages)
            .seed(seed)
            .email_address(email)
            .latency(Duration::from_millis(15)),
    )
    .await
    .expect("start a fake Gmail")
}

fn truth(fake: &FakeGmail) -> Vec<String> {
    let mut ids: Vec<String> = fake.truth().into_iter().map(|m| m.id).collect();
    ids.sort();
    ids
}

fn database(app: &App, email: &str) -> PathBuf {
    app.data_dir()
        .join("accounts")
        .join(email)
        .join("inbox-sync.sqlite3")
}

/// The running rows of each account's ledger, read from its database file every 20 ms for
/// as long as the test runs: the most seen at once in each, and how often both had one.
struct Sampler {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<(BTreeMap<String, i64>, u32, u32)>,
}

impl Sampler {
    fn start(dbs: Vec<(String, PathBuf)>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let task = tokio::spawn(async move {
            let mut most: BTreeMap<String, i64> = BTreeMap::new();
            let (mut samples, mut both) = (0, 0);
            while !stopped.load(Ordering::Relaxed) {
                let mut running_now = 0;
                for (email, db) in &dbs {
                    let n = running_rows(db).await;
                    let seen = most.entry(email.clone()).or_insert(0);
                    *seen = (*seen).max(n);
                    running_now += (n > 0) as u32;
                }
                samples += 1;
                both += (running_now == 2) as u32;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (most, samples, both)
        });
        Self { stop, task }
    }

    async fn finish(self) -> (BTreeMap<String, i64>, u32, u32) {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.expect("the sampler")
    }
}

/// How many runs of the ledger in `db` are running, read through a read-only connection.
async fn running_rows(db: &Path) -> i64 {
    let Ok(mut conn) = SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .connect()
        .await
    else {
        return 0;
    };
    let n = sqlx::query_scalar("SELECT count(*) FROM sync_runs WHERE status = 'running'")
        .fetch_one(&mut conn)
        .await
        .unwrap_or(0);
    let _ = conn.close().await;
    n
}

/// `get_active` / `get_latest` / … of one mailbox.
async fn about(app: &App, cmd: &str, email: &str) -> Value {
    app.invoke(cmd, json!({ "mailbox": email })).await
}

/// Waits until `email`'s mailbox has no running sync, and returns its latest run.
async fn wait_done(app: &App, email: &str, deadline: Duration) -> Value {
    app.wait_for(&format!("{email}'s sync ends"), deadline, || async {
        about(app, "get_active", email).await.is_null()
    })
    .await;
    about(app, "get_latest", email).await
}

/// Shows `email`'s mailbox in the window with a click on its row in the sidebar.
async fn show(app: &App, email: &str) {
    app.click(&format!("#mailbox-nav .mailbox[data-mailbox=\"{email}\"]"))
        .await;
    app.wait_for(
        &format!("the window shows {email}"),
        Duration::from_secs(10),
        || async {
            app.attr(
                &format!("#mailbox-nav .mailbox[data-mailbox=\"{email}\"]"),
                "aria-current",
            )
            .await
            .as_deref()
                == Some("true")
                && app.text("#source-label").await.as_deref() == Some(email)
        },
    )
    .await;
}

const TRAYER: &str = "trayer --edge top --align right --widthtype request --height 28 --SetDockType true --transparent false";

/// Runs an X tool on the test's display and returns what it printed.
fn x_tool(app: &App, program: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .env("DISPLAY", app.display())
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The top-level windows on the display, as `xwininfo -root -children` lists them.
fn windows(app: &App) -> Vec<String> {
    x_tool(app, "xwininfo", &["-root", "-children"])
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The app's menu windows shown on the display: its viewable windows but the main one.
fn app_popups(app: &App) -> usize {
    x_tool(
        app,
        "xdotool",
        &["search", "--onlyvisible", "--class", "Inbox-sync"],
    )
    .split_whitespace()
    .filter(|id| x_tool(app, "xdotool", &["getwindowname", id]).trim() != "Inbox Sync")
    .count()
}

/// Clicks the app's tray icon (in trayer's panel, top right) until its menu is shown.
async fn open_tray_menu(app: &App) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // The panel: `"panel": ("panel" "trayer")  27x28+1253+0  +1253+0`.
        let panel = windows(app)
            .into_iter()
            .find(|w| w.contains(r#"("panel" "trayer")"#));
        let geometry = panel.as_deref().and_then(|w| {
            w.split_whitespace()
                .find(|p| p.contains('x') && p.contains('+'))
        });
        if let Some(g) = geometry.filter(|g| !g.starts_with("1x")) {
            let nums: Vec<i64> = g.split(['x', '+']).filter_map(|n| n.parse().ok()).collect();
            if let [w, h, x, y] = nums[..] {
                let (cx, cy) = (x + w - 14, y + h / 2);
                x_tool(
                    app,
                    "xdotool",
                    &["mousemove", &cx.to_string(), &cy.to_string(), "click", "1"],
                );
                let shown = Instant::now() + Duration::from_secs(2);
                while Instant::now() < shown {
                    if app_popups(app) > 0 {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "the tray menu opens from trayer's panel: {:?}",
            windows(app)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Closes the tray menu with a click on the bare display below the tray (outside the window).
async fn close_tray_menu(app: &App) {
    x_tool(app, "xdotool", &["mousemove", "1200", "780", "click", "1"]);
    app.wait_for("the tray menu closes", Duration::from_secs(5), || async {
        app_popups(app) == 0
    })
    .await;
}

/// The whole display (window, tray and its menu) as a PNG.
fn shoot_display(app: &App, path: &Path) {
    let status = std::process::Command::new("import")
        .args(["-window", "root", "-display", app.display()])
        .arg(path)
        .status()
        .expect("run imagemagick's import");
    assert!(status.success(), "import saves {}", path.display());
}

/// Every file under `dir`, recursively.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn docs_shot(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(format!("{name}.png"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_sync_side_by_side_and_fail_apart_in_the_window() {
    let a = fake(A, 600, 31).await;
    let b = fake(B, 400, 32).await;
    let mut data_files = account_files(&a);
    data_files.extend(account_files(&b));
    let app = App::launch(Knobs {
        data_files,
        extra_env: vec![
            ("INBOX_SYNC_TOKEN_STORE".into(), "file".into()),
            // The tray's label changes are logged at debug level; the test reads them.
            ("INBOX_SYNC_LOG".into(), "debug,sqlx=warn".into()),
        ],
        // An X system tray on the display, so the tray's menu can be opened and shown.
        on_bus: vec![TRAYER.into()],
        ..Knobs::default()
    })
    .await;
    app.wait_for(
        "the sidebar lists both accounts",
        Duration::from_secs(20),
        || async {
            app.eval(
                "return document.querySelectorAll('#mailbox-nav:not([hidden]) .mailbox').length",
            )
            .await
                == json!(2)
        },
    )
    .await;
    let sampler = Sampler::start(vec![
        (A.into(), database(&app, A)),
        (B.into(), database(&app, B)),
    ]);

    // 1. "Sync all": both sync at the same time, each to exactly its own server's mail.
    app.click("#sync-all").await;
    app.wait_for(
        "both accounts sync at the same time",
        Duration::from_secs(30),
        || async {
            let list = app.invoke("list_mailboxes", json!({})).await;
            list.as_array()
                .is_some_and(|l| l.len() == 2 && l.iter().all(|m| !m["active"].is_null()))
        },
    )
    .await;
    app.wait_for("the sidebar shows both syncing", Duration::from_secs(5), || async {
        app.eval("return document.querySelectorAll('#mailbox-nav .mailbox[data-status=syncing]').length")
            .await
            == json!(2)
    })
    .await;
    app.wait_for(
        "the tray's Sync now item says both accounts sync",
        Duration::from_secs(5),
        || async { app.driver_log().contains("label=Syncing 2 accounts… ") },
    )
    .await;
    open_tray_menu(&app).await;
    app.wait_for(
        "both still sync with the tray menu open",
        Duration::from_secs(1),
        || async {
            !about(&app, "get_active", A).await.is_null()
                && !about(&app, "get_active", B).await.is_null()
        },
    )
    .await;
    shoot_display(&app, &docs_shot("tray-two-syncing"));
    close_tray_menu(&app).await;
    // The window while one account still syncs and the other is done (a has more mail).
    let one_syncing = Instant::now() + Duration::from_secs(60);
    loop {
        let (a_active, b_active) = (
            about(&app, "get_active", A).await,
            about(&app, "get_active", B).await,
        );
        if !a_active.is_null() && b_active.is_null() {
            app.wait_for(
                "the sidebar shows a syncing and b idle",
                Duration::from_secs(2),
                || async {
                    app.attr(&format!(".mailbox[data-mailbox=\"{B}\"]"), "data-status")
                        .await
                        .as_deref()
                        == Some("idle")
                },
            )
            .await;
            app.screenshot_display_to(&docs_shot("accounts-one-syncing"))
                .await;
            break;
        }
        if a_active.is_null() {
            break; // a finished first on a very slow machine: no screenshot this time
        }
        assert!(
            Instant::now() < one_syncing,
            "the syncs go on for at most 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for (email, fake) in [(A, &a), (B, &b)] {
        let run = wait_done(&app, email, Duration::from_secs(120)).await;
        assert_eq!(run["status"], "success", "{email}: {run}");
        assert_eq!(run["trigger"], "button", "{email}: {run}");
        assert_eq!(
            app.inbox_ids_of(Some(email)).await,
            truth(fake),
            "{email}'s inbox is its server's mailbox"
        );
    }

    // 2. The window syncs a (held on a's server); the command line's `sync --all` is refused
    //    for a only and syncs b, which the window (showing b) shows within 2 s.
    a.add_messages(60);
    b.add_messages(300);
    a.set_hang(true);
    show(&app, A).await;
    app.click("#fetch-button").await;
    app.wait_for(
        "the window's sync of a runs",
        Duration::from_secs(20),
        || async { about(&app, "get_active", A).await["trigger"] == "button" },
    )
    .await;
    show(&app, B).await;
    let cli = app
        .cli(&["sync", "--all", "--json"])
        .env("INBOX_SYNC_TOKEN_STORE", "file")
        .spawn()
        .expect("start `inbox-sync sync --all`");
    app.wait_for(
        "the command line's sync of b is in b's ledger",
        Duration::from_secs(30),
        || async { about(&app, "get_active", B).await["trigger"] == "cli" },
    )
    .await;
    let cli_run = about(&app, "get_active", B).await;
    app.wait_for(
        "the window shows the command line's sync of b",
        Duration::from_secs(2),
        || async { app.card_state().await == "running" },
    )
    .await;
    let shown_after = now_ms() - cli_run["startedAt"].as_i64().unwrap_or(0);
    println!("the command line's sync of b showed in the window {shown_after} ms after it started");
    assert!(shown_after <= 2_000, "within 2 s: {shown_after} ms");
    let out = tokio::task::spawn_blocking(move || cli.wait_with_output().expect("the CLI"))
        .await
        .unwrap();
    let lines: BTreeMap<String, i64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| {
            (
                v["account"].as_str().unwrap_or_default().to_owned(),
                v["exit"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(lines.get(A), Some(&3), "a was refused: {lines:?} {said}");
    assert_eq!(lines.get(B), Some(&0), "b synced: {lines:?} {said}");
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert_eq!(app.inbox_ids_of(Some(B)).await, truth(&b));
    a.set_hang(false);
    let run = wait_done(&app, A, Duration::from_secs(120)).await;
    assert_eq!(run["status"], "success", "the window's sync of a: {run}");
    assert_eq!(app.inbox_ids_of(Some(A)).await, truth(&a));

    // 3. Both sync; a's token is revoked mid-sync: a ends auth and asks to reconnect, b completes.
    a.add_messages(80);
    b.add_messages(80);
    // Both servers hold their answers until both runs are seen, so a quick b cannot finish
    // before a's run has started.
    a.set_hang(true);
    b.set_hang(true);
    app.click("#sync-all").await;
    app.wait_for(
        "both accounts sync again",
        Duration::from_secs(30),
        || async {
            !about(&app, "get_active", A).await.is_null()
                && !about(&app, "get_active", B).await.is_null()
        },
    )
    .await;
    a.revoke_refresh_tokens();
    a.set_hang(false);
    b.set_hang(false);
    let a_run = wait_done(&app, A, Duration::from_secs(120)).await;
    let b_run = wait_done(&app, B, Duration::from_secs(120)).await;
    assert_eq!(
        (a_run["status"].clone(), a_run["errorTag"].clone()),
        (json!("error"), json!("auth")),
        "{a_run}"
    );
    assert_eq!(
        b_run["status"], "success",
        "the other account completes: {b_run}"
    );
    assert_eq!(app.inbox_ids_of(Some(B)).await, truth(&b));
    app.wait_for("b's card is up to date", Duration::from_secs(5), || async {
        app.text("#fetch-status").await.as_deref() == Some("Up to date")
    })
    .await;
    show(&app, A).await;
    app.wait_for(
        "a's card asks to reconnect",
        Duration::from_secs(5),
        || async {
            app.text("#fetch-status").await.as_deref() == Some("Reconnect your Gmail account")
                && app.text("#fetch-button").await.as_deref() == Some("Reconnect")
        },
    )
    .await;

    // 4. Disconnecting a from Settings with its mail: its token and folder go, b stays.
    app.click("a[href=\"#/settings\"]").await;
    app.wait_for(
        "Settings shows a connected",
        Duration::from_secs(10),
        || async { app.text("#account-email").await.as_deref() == Some(A) },
    )
    .await;
    app.click("#disconnect-button").await;
    app.click("#disconnect-delete-mail").await;
    app.click("#confirm-disconnect").await;
    app.wait_for(
        "the window says a was disconnected and its mail deleted",
        Duration::from_secs(30),
        || async {
            app.text("#account-note").await.is_some_and(|t| {
                t.starts_with("Disconnected a@example.com") && t.contains("was deleted")
            })
        },
    )
    .await;
    let (most, samples, both) = sampler.finish().await;
    let folder = |email: &str| app.data_dir().join("accounts").join(email);
    assert!(
        !folder(A).exists(),
        "a's token, record and mail are deleted"
    );
    assert!(
        folder(B).join("credentials.json").exists(),
        "b's token stays"
    );
    app.wait_for(
        "the window shows b, the one account left",
        Duration::from_secs(10),
        || async {
            app.text("#source-label").await.as_deref() == Some(B)
                && app.attr("#mailbox-nav", "hidden").await.is_some()
        },
    )
    .await;
    // 5. "Keep the demo mailbox": the demo comes back beside b, and can be shown.
    app.click("#setting-keep-demo").await;
    app.wait_for("the sidebar lists b and the demo", Duration::from_secs(10), || async {
        app.eval("return [...document.querySelectorAll('#mailbox-nav:not([hidden]) .mailbox')].map(b => b.dataset.mailbox)")
            .await
            == json!([B, "demo"])
    })
    .await;
    app.click("#mailbox-nav .mailbox[data-mailbox=\"demo\"]")
        .await;
    let demo_label = format!("Demo mailbox ({} messages)", app.knobs.messages);
    app.wait_for(
        "the window shows the demo mailbox",
        Duration::from_secs(10),
        || async { app.text("#source-label").await.as_deref() == Some(demo_label.as_str()) },
    )
    .await;
    let a_tokens = a.issued_tokens();
    for file in walk(&folder(B)) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !a_tokens.iter().any(|t| text.contains(t.as_str())),
            "{} holds a token of a",
            file.display()
        );
    }

    println!(
        "ledger samples: {samples}, both running in {both}; most running rows at once: {most:?}"
    );
    assert!(
        samples > 50,
        "the ledgers were sampled throughout: {samples}"
    );
    assert!(
        both > 0,
        "the samples saw both accounts syncing at the same time"
    );
    assert_eq!(
        most.get(A),
        Some(&1),
        "a's ledger never had two running rows"
    );
    assert_eq!(
        most.get(B),
        Some(&1),
        "b's ledger never had two running rows"
    );
}
