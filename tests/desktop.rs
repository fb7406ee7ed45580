//! The app as part of the desktop, in a real window (Xvfb + tauri-driver): the Settings switch
//! "Start Inbox Sync when I log in" writes and removes the XDG autostart entry, the app started
//! as that entry starts it syncs without a window, and a background sync that needs the user
//! shows one desktop notification, received by a real notification server (dunst) on the
//! test's private D-Bus session.
// Xvfb, WebKitWebDriver, dunst and process groups: these window tests run on Linux only.
#![cfg(target_os = "linux")]
#[path = "e2e/harness.rs"]
// Shared with tests/e2e.rs, which uses the rest of it.
#[allow(dead_code)]
mod harness;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fake_gmail::{FakeConfig, FakeGmail};
use harness::{App, Knobs, APP};
use serde_json::{json, Value};

const EMAIL: &str = "you@example.com";

/// Where a screenshot goes: `docs/` with `INBOX_SYNC_E2E_DOCS=1` (the README's pictures), else
/// the target's scratch folder.
fn shot_path(name: &str) -> PathBuf {
    let dir = if std::env::var("INBOX_SYNC_E2E_DOCS").is_ok_and(|v| v == "1") {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs")
    } else {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-screens")
    };
    dir.join(format!("{name}.png"))
}

async fn go_to_settings(app: &App) {
    app.click(".nav a[href=\"#/settings\"]").await;
    app.wait_for(
        "the Settings page is loaded",
        Duration::from_secs(10),
        || async {
            app.eval("return !!document.querySelector('#setting-start-at-login:not([disabled])')")
                .await
                == json!(true)
        },
    )
    .await;
}

/// Turning "Start Inbox Sync when I log in" on writes `~/.config/autostart/inbox-sync.desktop` starting this binary with `--autostart`, and turning it off removes it; the setting is stored either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_at_login_switch_writes_and_removes_the_autostart_entry() {
    let home = tempfile::Builder::new()
        .prefix("inbox-sync-home-")
        .tempdir()
        .expect("temp home");
    let app = App::launch(Knobs {
        // As a new user has it (on by default), for the Settings screenshot.
        auto_sync: true,
        extra_env: vec![
            ("HOME".into(), home.path().display().to_string()),
            // The entry must follow HOME, not a configuration directory set elsewhere.
            (
                "XDG_CONFIG_HOME".into(),
                home.path().join(".config").display().to_string(),
            ),
        ],
        ..Knobs::default()
    })
    .await;
    let entry = home.path().join(".config/autostart/inbox-sync.desktop");
    go_to_settings(&app).await;
    assert_eq!(
        app.eval("return document.querySelector('#setting-start-at-login').checked")
            .await,
        json!(false),
        "starting at login is off until the user turns it on"
    );
    assert!(
        !entry.exists(),
        "no autostart entry before the switch is on"
    );

    app.click("#setting-start-at-login").await;
    app.wait_for(
        "the autostart entry is written",
        Duration::from_secs(10),
        || async { entry.exists() },
    )
    .await;
    let text = std::fs::read_to_string(&entry).expect("read the autostart entry");
    let exec = text
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .unwrap_or_default();
    let app_path = std::fs::canonicalize(APP).expect("the app binary");
    assert_eq!(
        exec.trim(),
        format!("{} --autostart", app_path.display()),
        "the entry starts this app into the tray: {text}"
    );
    assert!(
        text.contains("Type=Application"),
        "a desktop entry an XDG session starts: {text}"
    );
    app.wait_for("the page says Saved", Duration::from_secs(5), || async {
        app.text(".save-status").await.as_deref() == Some("Saved")
    })
    .await;
    let stored = app.invoke("get_settings", json!({})).await;
    assert_eq!(
        stored["startAtLogin"], true,
        "the switch is stored: {stored}"
    );
    app.screenshot_display_to(&shot_path("settings-start-at-login"))
        .await;

    app.click("#setting-start-at-login").await;
    app.wait_for(
        "the autostart entry is removed",
        Duration::from_secs(10),
        || async { !entry.exists() },
    )
    .await;
    app.wait_for(
        "the setting is stored off",
        Duration::from_secs(5),
        || async { app.invoke("get_settings", json!({})).await["startAtLogin"] == false },
    )
    .await;
}

/// The `Notify` calls the notification server received, as `dbus-monitor` printed them: one
/// block of text per call.
fn notify_calls(log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.split("method call")
        .filter(|block| block.contains("member=Notify"))
        .map(str::to_owned)
        .collect()
}

/// Waits until the run after `after` (or any, with 0) has finished, and returns it.
async fn next_finished(app: &App, after: i64) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let done = app
            .runs()
            .await
            .into_iter()
            .find(|r| r["id"].as_i64().unwrap_or(0) > after && !r["finishedAt"].is_null());
        if let Some(run) = done {
            return run;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "a sync after run {after} ends within 60 s: {:?}",
            app.runs().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// After Google revokes the sign-in, the tray's sync shows one "sign in again" notification on a real notification server; a click on Fetch and a second tray sync failing the same way show none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_background_sync_that_needs_sign_in_notifies_once() {
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(40)
            .seed(77)
            .email_address(EMAIL),
    )
    .await
    .expect("start the fake Gmail");
    let logs = tempfile::Builder::new()
        .prefix("inbox-sync-notify-")
        .tempdir()
        .expect("temp dir");
    let monitor_log = logs.path().join("notify.log");
    let app = App::launch(Knobs {
        auto_sync: true,
        extra_env: vec![
            ("INBOX_SYNC_TOKEN_STORE".into(), "file".into()),
            ("INBOX_SYNC_LOG".into(), "info,sqlx=warn".into()),
        ],
        data_files: harness::account_files(&fake),
        on_bus: vec![
            // Debian's dunst: a real server of the Desktop Notifications Specification.
            "dunst".into(),
            // Every Notify call on this private bus, as the server receives it.
            format!(
                "dbus-monitor \"interface='org.freedesktop.Notifications',member='Notify'\" > {}",
                monitor_log.display()
            ),
        ],
        ..Knobs::default()
    })
    .await;

    let launch = next_finished(&app, 0).await;
    assert_eq!(
        (launch["trigger"].as_str(), launch["status"].as_str()),
        (Some("launch"), Some("success")),
        "the connected account syncs at launch: {launch}"
    );

    fake.revoke_refresh_tokens();
    let tray = app.invoke("start", json!({"trigger": "tray"})).await;
    assert_eq!(tray["started"], true, "the tray's sync starts: {tray}");
    let failed = next_finished(&app, launch["id"].as_i64().unwrap_or(0)).await;
    assert_eq!(
        (failed["status"].as_str(), failed["errorTag"].as_str()),
        (Some("error"), Some("auth")),
        "a revoked sign-in fails the sync as needing sign-in: {failed}"
    );
    app.wait_for(
        "the notification server receives the notification",
        Duration::from_secs(20),
        || async { notify_calls(&monitor_log).len() == 1 },
    )
    .await;
    let call = &notify_calls(&monitor_log)[0];
    assert!(
        call.contains("Inbox Sync needs you to sign in again") && call.contains("Reconnect"),
        "the notification says in plain words what to do: {call}"
    );
    let shot = shot_path("notification-sign-in");
    std::fs::create_dir_all(shot.parent().expect("a folder")).expect("screenshot folder");
    let status = Command::new("import")
        .args(["-window", "root", "-display", app.display()])
        .arg(&shot)
        .status()
        .expect("run imagemagick's import");
    assert!(
        status.success(),
        "the display is saved with the notification"
    );

    // A click in the window shows its own error; the same problem again is not news.
    let button = app.invoke("start", json!({"trigger": "button"})).await;
    let clicked = next_finished(&app, failed["id"].as_i64().unwrap_or(0)).await;
    assert_eq!(
        clicked["id"], button["runId"],
        "the button's run ended: {clicked}"
    );
    let again = app.invoke("start", json!({"trigger": "tray"})).await;
    let repeat = next_finished(&app, clicked["id"].as_i64().unwrap_or(0)).await;
    assert_eq!(
        repeat["id"], again["runId"],
        "the second tray run ended: {repeat}"
    );
    assert_eq!(
        repeat["errorTag"], "auth",
        "it failed the same way: {repeat}"
    );
    app.wait_for(
        "the app has decided about the repeated failure",
        Duration::from_secs(10),
        || async {
            app.driver_log()
                .contains("already told the user about this problem")
        },
    )
    .await;
    let calls = notify_calls(&monitor_log);
    assert_eq!(
        calls.len(),
        1,
        "one notification per problem, none for the click: {calls:?}"
    );
}

/// The app started as its own process on a display, killed with everything it started when
/// the test ends.
struct Started(Child);

impl Drop for Started {
    fn drop(&mut self) {
        // SAFETY: a signal to the process group this test created for the app.
        unsafe {
            libc::killpg(self.0.id() as i32, libc::SIGKILL);
        }
        let _ = self.0.wait();
    }
}

/// Starts the app (`inbox-sync args…`) on `display` with its own session bus.
fn start_app(display: &str, data_dir: &Path, args: &[&str], log: &Path) -> Started {
    let log = std::fs::File::create(log).expect("app log");
    let child = Command::new("dbus-run-session")
        .arg("--")
        .arg(APP)
        .args(args)
        .env("DISPLAY", display)
        .env("NO_AT_BRIDGE", "1")
        .envs(Knobs::default().env(data_dir))
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .process_group(0)
        .spawn()
        .expect("start the app");
    Started(child)
}

/// Every X window on `display` with its title (`xwininfo -tree`): the app has made none
/// until its title is there.
fn shown_windows(display: &str) -> String {
    let out = Command::new("xwininfo")
        .args(["-root", "-tree", "-display", display])
        .output()
        .expect("run xwininfo (Debian package x11-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The latest run in `data_dir`, as `inbox-sync status --json` tells it.
fn latest_run(data_dir: &Path) -> Value {
    let out = Command::new(APP)
        .args(["status", "--json"])
        .envs(Knobs::default().env(data_dir))
        .output()
        .expect("run inbox-sync status");
    serde_json::from_slice::<Value>(&out.stdout).unwrap_or(Value::Null)["latest"].clone()
}

/// Started as the login entry starts it (`inbox-sync --autostart`) the app opens no window, yet runs its sync on launch; started plainly, the same app on the same display opens its window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn started_at_login_the_app_syncs_without_a_window() {
    let _serial = harness::one_at_a_time().await;
    let dir = tempfile::Builder::new()
        .prefix("inbox-sync-autostart-")
        .tempdir()
        .expect("temp dir");
    let (display, mut xvfb) = harness::start_xvfb(dir.path());
    let data_dir = dir.path().join("data");
    std::fs::create_dir_all(&data_dir).expect("data dir");
    harness::write_settings(&data_dir, true);

    let app = start_app(
        &display,
        &data_dir,
        &["--autostart"],
        &dir.path().join("autostart.log"),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let latest = latest_run(&data_dir);
        if latest["status"] == "success" {
            assert_eq!(latest["trigger"], "launch", "the launch sync ran: {latest}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the launch sync of an app started at login succeeds within 90 s: {latest}; log: {}",
            std::fs::read_to_string(dir.path().join("autostart.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let windows = shown_windows(&display);
    assert!(
        !windows.contains("\"Inbox Sync\""),
        "started at login, the app shows no window: {windows}"
    );
    drop(app);

    // The same check sees a window when there is one.
    let plain = start_app(&display, &data_dir, &[], &dir.path().join("plain.log"));
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !shown_windows(&display).contains("\"Inbox Sync\"") {
        assert!(
            std::time::Instant::now() < deadline,
            "started plainly, the app's window appears within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(plain);
    let _ = xvfb.kill();
    let _ = xvfb.wait();
}
