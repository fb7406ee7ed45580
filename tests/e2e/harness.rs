//! The real app in a real window for one test: its own data directory, Xvfb, tauri-driver and
//! WebDriver session, with polling helpers, and everything torn down when the test ends.
use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use tempfile::TempDir;

/// The built app under test.
pub const APP: &str = env!("CARGO_BIN_EXE_inbox-sync");
/// Launching WebKit on a busy two-core machine can be slow; this bounds it, generously.
pub const LAUNCH: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(50);
/// A WebDriver command that has not answered by then never will: fail instead of hanging.
pub const CALL: Duration = Duration::from_secs(40);

/// The files of an account connected to `fake` (its Gmail address, the fake's own client
/// and refresh token), as connecting would have written them: `accounts/<address>/…`.
#[allow(dead_code)] // tests/e2e.rs connects its account from the window instead
pub fn account_files(fake: &fake_gmail::FakeGmail) -> Vec<(String, String)> {
    let client = fake_gmail::OAuthClient::default();
    let email = fake.email_address();
    let record = json!({
        "email": email,
        "clientId": client.client_id,
        "authUri": fake.auth_url(),
        "tokenUri": fake.token_url(),
        "apiBaseUrl": fake.base_url(),
        "tokenStore": "file",
        "connectedAtMs": 0,
    });
    let credentials = json!({
        "clientId": client.client_id,
        "clientSecret": client.client_secret,
        "tokenUri": fake.token_url(),
        "refreshToken": client.refresh_token,
    });
    vec![
        (format!("accounts/{email}/account.json"), record.to_string()),
        (
            format!("accounts/{email}/credentials.json"),
            credentials.to_string(),
        ),
    ]
}

/// Awaits one WebDriver command, failing the test (with what it was) if it hangs.
pub async fn bounded<T>(what: &str, call: impl Future<Output = T>) -> T {
    match tokio::time::timeout(CALL, call).await {
        Ok(out) => out,
        Err(_) => panic!("the WebDriver command {what} did not answer within {CALL:?}"),
    }
}

/// One window test at a time: each brings up a whole WebKit, and the 2-second promises under
/// test should not be measured on a machine starved by a neighbouring test's WebKit.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
static NEXT_DISPLAY: AtomicU32 = AtomicU32::new(0);

/// Holds off every other window test of this binary, for a test that starts the app itself.
#[allow(dead_code)] // tests/desktop.rs uses it; tests/e2e.rs does not
pub async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    SERIAL.lock().await
}

/// The demo mailbox and settings a test runs with.
#[derive(Debug, Clone)]
pub struct Knobs {
    pub messages: usize,
    pub latency_ms: u64,
    pub quota: u32,
    pub seed: u64,
    pub auto_sync: bool,
    /// More variables for the app (and the driver that starts it), e.g. a `PATH` with a fake
    /// browser first, the token store, a Gmail server to sign in to.
    pub extra_env: Vec<(String, String)>,
    /// Files (name, contents) put in the data directory before the app starts, e.g. a
    /// connected account.
    pub data_files: Vec<(String, String)>,
    /// Shell commands started in the background on the test's private session bus before the
    /// driver, e.g. a notification server; they die with the test.
    pub on_bus: Vec<String>,
    /// The app binary the driver launches: the one cargo built, or an installed one.
    pub app: String,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            messages: 300,
            latency_ms: 20,
            quota: 0,
            seed: 2026,
            auto_sync: false,
            extra_env: Vec::new(),
            data_files: Vec::new(),
            on_bus: Vec::new(),
            app: APP.to_owned(),
        }
    }
}

impl Knobs {
    /// The `INBOX_SYNC_*` variables the app (and a command-line sync) read.
    pub fn env(&self, data_dir: &Path) -> Vec<(String, String)> {
        vec![
            ("INBOX_SYNC_DATA_DIR".into(), data_dir.display().to_string()),
            ("INBOX_SYNC_DEMO_MESSAGES".into(), self.messages.to_string()),
            (
                "INBOX_SYNC_DEMO_LATENCY_MS".into(),
                self.latency_ms.to_string(),
            ),
            ("INBOX_SYNC_DEMO_QUOTA".into(), self.quota.to_string()),
            ("INBOX_SYNC_DEMO_SEED".into(), self.seed.to_string()),
        ]
        .into_iter()
        .chain(self.extra_env.iter().cloned())
        .collect()
    }

    /// The demo server's message ids, sorted: generated exactly as the app's demo does.
    pub fn server_ids(&self) -> Vec<String> {
        let config = fake_gmail::FakeConfig::default()
            .messages(self.messages)
            .seed(self.seed)
            .email_address("demo@inbox-sync.example");
        let mut ids: Vec<String> = fake_gmail::generate_mailbox(&config.mailbox)
            .into_iter()
            .map(|m| m.id)
            .collect();
        ids.sort();
        ids
    }
}

/// Writes the app's settings file (tauri-plugin-store format) before a launch.
pub fn write_settings(data_dir: &Path, auto_sync: bool) {
    let settings = json!({"settings": {
        "autoSyncOnLaunch": auto_sync, "syncIntervalMinutes": 0, "source": "demo"
    }});
    std::fs::write(data_dir.join("settings.json"), settings.to_string())
        .expect("write settings.json");
}

/// The processes and files behind one test's window; all removed on drop.
struct Stage {
    dir: TempDir,
    display: String,
    xvfb: Option<Child>,
    driver: Child,
    driver_port: u16,
    app: String,
}

/// The app open in a window, driven over WebDriver.
pub struct App {
    pub client: Client,
    pub knobs: Knobs,
    stage: Stage,
    _serial: tokio::sync::MutexGuard<'static, ()>,
}

impl App {
    /// A fresh data directory, display and driver, and the app's window open on it.
    pub async fn launch(knobs: Knobs) -> App {
        let serial = SERIAL.lock().await;
        let dir = tempfile::Builder::new()
            .prefix("inbox-sync-e2e-")
            .tempdir()
            .expect("temp dir");
        let data_dir = dir.path().join("data");
        std::fs::create_dir_all(&data_dir).expect("data dir");
        write_settings(&data_dir, knobs.auto_sync);
        for (name, contents) in &knobs.data_files {
            let path = data_dir.join(name);
            if let Some(folder) = path.parent() {
                std::fs::create_dir_all(folder).expect("a data file's folder");
            }
            std::fs::write(path, contents).expect("write a data file");
        }
        let (display, xvfb) = match std::env::var("DISPLAY") {
            Ok(d) if !d.is_empty() => (d, None),
            _ => {
                let (d, child) = start_xvfb(dir.path());
                (d, Some(child))
            }
        };
        let driver_port = free_port();
        let native_port = free_port();
        let log = std::fs::File::create(dir.path().join("tauri-driver.log")).expect("log file");
        let mut cmd = Command::new("dbus-run-session");
        // A private session bus per test (the tray wants one) that dies with the driver.
        cmd.arg("--");
        if !knobs.on_bus.is_empty() {
            let started: String = knobs.on_bus.iter().map(|c| format!("{c} & ")).collect();
            cmd.args(["sh", "-c", &format!("{started}exec \"$@\""), "sh"]);
        }
        cmd.args(["tauri-driver", "--port"])
            .arg(driver_port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            .env("DISPLAY", &display)
            .env("NO_AT_BRIDGE", "1")
            .envs(knobs.env(&data_dir))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            // Its own process group: the driver, WebKitWebDriver, the app and WebKit's helpers
            // all die together at teardown.
            .process_group(0);
        let driver = cmd.spawn().expect(
            "start tauri-driver (install it with `cargo install tauri-driver --locked`, \
             or run `cargo xtask test`)",
        );
        let stage = Stage {
            dir,
            display,
            xvfb,
            driver,
            driver_port,
            app: knobs.app.clone(),
        };
        let end = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", driver_port)).is_err() {
            assert!(
                Instant::now() < end,
                "tauri-driver listens on its port within 20 s (log: {})",
                stage.dir.path().join("tauri-driver.log").display()
            );
            std::thread::sleep(POLL);
        }
        let client = open_session(driver_port, &stage.app).await;
        App {
            client,
            knobs,
            stage,
            _serial: serial,
        }
    }

    /// The X display the window is on.
    #[allow(dead_code)] // tests/desktop.rs uses it; tests/e2e.rs does not
    pub fn display(&self) -> &str {
        &self.stage.display
    }

    pub fn data_dir(&self) -> PathBuf {
        self.stage.dir.path().join("data")
    }

    /// Opens another session on the same driver and data directory: a new app process.
    pub async fn new_session(&self) -> Client {
        open_session(self.stage.driver_port, &self.stage.app).await
    }

    /// Replaces the session (after the app was killed): a new app process on the same data dir.
    pub async fn relaunch(&mut self) {
        // WebKitWebDriver holds one session at a time: the dead app's must end first.
        let _ = tokio::time::timeout(Duration::from_secs(10), self.client.clone().close()).await;
        self.client = self.new_session().await;
    }

    /// Polls `cond` every 50 ms until it holds; fails with `what` (and a screenshot) at `deadline`.
    pub async fn wait_for<F, Fut>(&self, what: &str, deadline: Duration, mut cond: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        let end = Instant::now() + deadline;
        loop {
            if cond().await {
                return;
            }
            if Instant::now() >= end {
                // The page's own account first: a WebDriver screenshot can hang the session.
                let trace = tokio::time::timeout(Duration::from_secs(20), self.page_trace())
                    .await
                    .unwrap_or_else(|_| "(the page did not answer)".into());
                let shot = self.screenshot("timeout").await;
                panic!(
                    "timed out after {deadline:?} waiting until {what} (screenshot: {shot})\n\
                     page trace:\n{trace}"
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The trimmed text of the first element matching `css`, or None when there is none.
    pub async fn text(&self, css: &str) -> Option<String> {
        let script = "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;";
        match bounded(
            &format!("text({css})"),
            self.client.execute(script, vec![json!(css)]),
        )
        .await
        {
            Ok(Value::String(s)) => Some(s),
            Ok(_) => None,
            Err(e) => {
                eprintln!("e2e: text({css}) failed: {e}");
                None
            }
        }
    }

    /// An attribute of the first element matching `css`; None when absent.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        let script = "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;";
        match bounded(
            &format!("attr({css}, {name})"),
            self.client.execute(script, vec![json!(css), json!(name)]),
        )
        .await
        {
            Ok(Value::String(s)) => Some(s),
            Ok(_) => None,
            Err(e) => {
                eprintln!("e2e: attr({css}, {name}) failed: {e}");
                None
            }
        }
    }

    /// Whether the element matching `css` is disabled (false when there is none).
    pub async fn disabled(&self, css: &str) -> bool {
        self.attr(css, "disabled").await.is_some()
    }

    /// The fetch card's `data-state`.
    pub async fn card_state(&self) -> String {
        self.attr("#fetch-card", "data-state")
            .await
            .unwrap_or_default()
    }

    /// A counter of the fetch card as a number (0 when unreadable).
    pub async fn counter(&self, id: &str) -> i64 {
        // The window groups digits as the user's language does ("1,234", "1 234").
        self.text(&format!("#{id}"))
            .await
            .and_then(|t| {
                t.chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .ok()
            })
            .unwrap_or(0)
    }

    /// A real click through WebDriver.
    pub async fn click(&self, css: &str) {
        bounded(&format!("click({css})"), async {
            self.client
                .find(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("{css} is on the page: {e}"))
                .click()
                .await
                .unwrap_or_else(|e| panic!("{css} can be clicked: {e}"));
        })
        .await
    }

    /// Types `keys` into the element matching `css`, as a user would.
    pub async fn type_into(&self, css: &str, keys: &str) {
        bounded(&format!("type_into({css})"), async {
            self.client
                .find(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("{css} is on the page: {e}"))
                .send_keys(keys)
                .await
                .unwrap_or_else(|e| panic!("{css} takes keys: {e}"));
        })
        .await
    }

    /// Runs `script` in the page and returns its value (Null when it fails).
    pub async fn eval(&self, script: &str) -> Value {
        bounded(
            &format!("execute({script})"),
            self.client.execute(script, vec![]),
        )
        .await
        .unwrap_or(Value::Null)
    }

    /// From now on the page records, in `window.__e2eTrace`, every command the UI sends over
    /// the IPC (and how it ended), console warnings, clicks and account events, with times:
    /// what a failing test prints to show what the window did.
    pub async fn trace_page(&self) {
        self.eval(TRACE_SCRIPT).await;
    }

    /// The page's trace since `trace_page` (one line per entry), then the account and sync
    /// stores' state as the UI holds it.
    pub async fn page_trace(&self) -> String {
        let trace = match self
            .eval("return (window.__e2eTrace || []).join('\\n')")
            .await
        {
            Value::String(s) => s,
            other => format!("(no trace: {other})"),
        };
        let script = "const done = arguments[arguments.length - 1];
            Promise.all(['./account-store.js', './sync-store.js'].map((m) => import(m)))
              .then(([a, s]) => done({ account: a.getState(), sync: s.getState() }), (e) => done(String(e)));";
        let stores = bounded(
            "the stores' state",
            self.client.execute_async(script, vec![]),
        )
        .await
        .unwrap_or_else(|e| json!(e.to_string()));
        format!("{trace}\nstores: {stores}")
    }

    /// Calls a Tauri command from the page, as the UI does: Ok(value) or Err({code, message}).
    pub async fn try_invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let script = "const done = arguments[arguments.length - 1];
            window.__TAURI__.core.invoke(arguments[0], arguments[1], { headers: { 'x-e2e': '1' } })
              .then(ok => done({ ok: ok === undefined ? null : ok }), err => done({ err }));";
        let out = bounded(
            &format!("invoke({cmd})"),
            self.client.execute_async(script, vec![json!(cmd), args]),
        )
        .await
        .unwrap_or_else(|e| panic!("the page runs invoke({cmd}): {e}"));
        match out {
            Value::Object(mut map) => match map.remove("ok") {
                Some(ok) => Ok(ok),
                None => Err(map.remove("err").unwrap_or(Value::Null)),
            },
            other => Err(other),
        }
    }

    /// Like `try_invoke`, failing the test when the command fails.
    pub async fn invoke(&self, cmd: &str, args: Value) -> Value {
        self.try_invoke(cmd, args)
            .await
            .unwrap_or_else(|e| panic!("command {cmd} succeeds: {e}"))
    }

    /// Every run in the ledger, newest first.
    pub async fn runs(&self) -> Vec<Value> {
        match self.invoke("list_runs", json!({"limit": 500})).await {
            Value::Array(runs) => runs,
            other => panic!("list_runs returns an array, got {other}"),
        }
    }

    /// Every message id in the local inbox as the app lists it, sorted (duplicates kept).
    pub async fn inbox_ids(&self) -> Vec<String> {
        self.inbox_ids_of(None).await
    }

    /// The same for the mailbox `mailbox` names (an account's address), else the first.
    pub async fn inbox_ids_of(&self, mailbox: Option<&str>) -> Vec<String> {
        let mut ids = Vec::new();
        loop {
            let page = self
                .invoke(
                    "list_messages",
                    json!({"mailbox": mailbox, "limit": 500, "offset": ids.len()}),
                )
                .await;
            let messages = page["messages"].as_array().cloned().unwrap_or_default();
            if messages.is_empty() {
                break;
            }
            ids.extend(
                messages
                    .iter()
                    .map(|m| m["gmailId"].as_str().unwrap_or_default().to_owned()),
            );
        }
        ids.sort();
        ids
    }

    /// Opens the Inbox from the sidebar and waits until it lists mail.
    #[allow(dead_code)] // tests/e2e.rs reads the inbox through commands instead
    pub async fn go_to_inbox(&self) {
        self.click(".nav a[href=\"#/inbox\"]").await;
        self.wait_for(
            "the inbox lists the synced mail",
            Duration::from_secs(10),
            || async {
                self.eval("return document.querySelectorAll('[data-gmail-id]').length")
                    .await
                    .as_u64()
                    .unwrap_or(0)
                    > 0
            },
        )
        .await;
    }

    /// A command-line `inbox-sync` on this data directory and demo mailbox.
    pub fn cli(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.knobs.app);
        cmd.args(args)
            .envs(self.knobs.env(&self.data_dir()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// The pids of the window processes on this data directory (not command-line syncs).
    pub fn app_pids(&self) -> Vec<i32> {
        window_pids(&self.data_dir())
    }

    /// What tauri-driver, WebKitWebDriver and the app (which inherits their stdout and
    /// stderr) printed so far.
    pub fn driver_log(&self) -> String {
        String::from_utf8_lossy(
            &std::fs::read(self.stage.dir.path().join("tauri-driver.log")).unwrap_or_default(),
        )
        .into_owned()
    }

    /// Saves the real window as the X display shows it (imagemagick's `import -window root`,
    /// cropped to the window's rectangle) to `path`: what a user sees, unlike WebDriver's
    /// rendering of the page.
    pub async fn screenshot_display_to(&self, path: &Path) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("screenshot folder");
        }
        let mut cmd = Command::new("import");
        cmd.args(["-window", "root", "-display", &self.stage.display]);
        if let Ok((x, y, w, h)) = bounded("window rect", self.client.get_window_rect()).await {
            cmd.args(["-crop", &format!("{w}x{h}+{x}+{y}"), "+repage"]);
        }
        let status = cmd.arg(path).status().expect("run imagemagick's import");
        assert!(
            status.success(),
            "import -window root saves {}",
            path.display()
        );
    }

    /// Saves a screenshot of the window into the test's directory and returns its path.
    pub async fn screenshot(&self, name: &str) -> String {
        let path = self.stage.keep_dir().join(format!("{name}.png"));
        match tokio::time::timeout(Duration::from_secs(10), self.client.screenshot())
            .await
            .ok()
            .and_then(Result::ok)
        {
            Some(png) if std::fs::write(&path, &png).is_ok() => path.display().to_string(),
            _ => self.stage.screenshot_display(name),
        }
    }
}

/// Installed by `App::trace_page`: wraps `fetch` (the Tauri IPC's transport, `ipc://…`) and
/// `console.warn`/`error`; the harness's own commands carry an `x-e2e` header and are left out.
const TRACE_SCRIPT: &str = r##"
if (!window.__e2eTrace) {
  const trace = (window.__e2eTrace = []);
  const log = (m) => { trace.push(`${new Date().toISOString().slice(11, 23)} ${m}`); if (trace.length > 400) trace.shift(); };
  const fetch = window.fetch.bind(window);
  let n = 0;
  window.fetch = (input, init) => {
    const url = String(input?.url ?? input);
    const headers = new Headers(init?.headers || {});
    if (!url.startsWith("ipc:") || headers.has("x-e2e")) return fetch(input, init);
    const id = ++n;
    const cmd = decodeURIComponent(url.replace(/^ipc:\/\/localhost\//, ""));
    let body = "";
    try { body = typeof init?.body === "string" ? init.body.slice(0, 120) : ""; } catch {}
    log(`#${id} ipc ${cmd} ${body}`);
    return fetch(input, init).then(
      (r) => { log(`#${id} answered ${cmd} ${r.status} ${r.headers.get("Tauri-Response")}`); return r; },
      (e) => { log(`#${id} FAILED ${cmd} ${e}`); throw e; });
  };
  for (const level of ["warn", "error"]) {
    const orig = console[level].bind(console);
    console[level] = (...args) => { log(`console.${level} ${args.map(String).join(" ")}`); orig(...args); };
  }
  document.addEventListener("click", (e) => {
    const t = e.target.closest("button, a") || e.target;
    log(`click ${t.id || t.tagName} trusted=${e.isTrusted} card=${document.querySelector("#fetch-card")?.dataset.state}`);
  }, true);
  for (const name of ["account://sign-in", "account://changed"]) {
    window.__TAURI__.event.listen(name, (e) => log(`event ${name} ${JSON.stringify(e.payload).slice(0, 160)}`));
  }
  log("tracing");
}
return true;
"##;

impl Stage {
    /// Failure evidence outlives the temp dir: it goes under target/e2e-failures.
    fn keep_dir(&self) -> PathBuf {
        let name = self
            .dir
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("e2e-failures")
            .join(name);
        let _ = std::fs::create_dir_all(&dir);
        dir
    }

    fn screenshot_display(&self, name: &str) -> String {
        let path = self.keep_dir().join(format!("{name}-display.png"));
        let ok = Command::new("import")
            .args(["-window", "root", "-display", &self.display])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            path.display().to_string()
        } else {
            "(none: no screenshot could be taken)".into()
        }
    }
}

/// Copies the files under `from` to `to` (best effort: evidence for a failed test).
fn copy_tree(from: &Path, to: &Path) {
    let Ok(entries) = std::fs::read_dir(from) else {
        return;
    };
    let _ = std::fs::create_dir_all(to);
    for entry in entries.flatten() {
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            copy_tree(&source, &target);
        } else {
            let _ = std::fs::copy(&source, &target);
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let shot = self.screenshot_display("failure");
            let _ = std::fs::copy(
                self.dir.path().join("tauri-driver.log"),
                self.keep_dir().join("tauri-driver.log"),
            );
            // The data directory too (databases, set-aside files, damage notes): the state
            // the failure left, to open afterwards.
            copy_tree(&self.dir.path().join("data"), &self.keep_dir().join("data"));
            eprintln!(
                "e2e: test failed; screenshot {shot}, driver log in {}",
                self.keep_dir().display()
            );
        }
        // SIGKILL the whole group: tauri-driver, WebKitWebDriver, the app, WebKit, the bus.
        // SAFETY: killpg only sends a signal to the group this test created.
        unsafe {
            libc::killpg(self.driver.id() as i32, libc::SIGKILL);
        }
        let _ = self.driver.wait();
        // An app that left the group (none should) still must not outlive its test.
        for pid in window_pids(&self.dir.path().join("data")) {
            // SAFETY: plain signal to a process found by this test's own data directory.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
        if let Some(mut xvfb) = self.xvfb.take() {
            let _ = xvfb.kill();
            let _ = xvfb.wait();
        }
    }
}

/// Opens a WebDriver session, which launches the app, and waits for its fetch card (or its
/// start-up card, while an older database is updated).
async fn open_session(driver_port: u16, app: &str) -> Client {
    let caps = json!({
        "browserName": "wry",
        "tauri:options": { "application": app },
    });
    let caps = match caps {
        Value::Object(map) => map,
        _ => unreachable!(),
    };
    let url = format!("http://127.0.0.1:{driver_port}");
    let end = Instant::now() + LAUNCH;
    let client = loop {
        let attempt = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await;
        match attempt {
            Ok(client) => break client,
            Err(e) if Instant::now() < end => {
                eprintln!("e2e: session not ready yet: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("a WebDriver session opens within {LAUNCH:?}: {e}"),
        }
    };
    let end = Instant::now() + LAUNCH;
    loop {
        let ready = client
            .execute(
                // The start-up card instead while an older database is updated.
                "return !!(document.querySelector('#fetch-card[data-state], #startup-card') && window.__TAURI__)",
                vec![],
            )
            .await;
        if matches!(ready, Ok(Value::Bool(true))) {
            break;
        }
        assert!(
            Instant::now() < end,
            "the window paints its fetch card (or start-up card) within {LAUNCH:?}"
        );
        tokio::time::sleep(POLL).await;
    }
    client
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// Starts Xvfb on the first free display number and waits for its socket.
pub fn start_xvfb(dir: &Path) -> (String, Child) {
    let base = 200 + (std::process::id() % 400) * 4;
    for _ in 0..50 {
        let n = base + NEXT_DISPLAY.fetch_add(1, Ordering::SeqCst) % 1000;
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        if socket.exists() || Path::new(&format!("/tmp/.X{n}-lock")).exists() {
            continue;
        }
        let log = std::fs::File::create(dir.join("xvfb.log")).expect("xvfb log");
        let mut child = Command::new("Xvfb")
            .arg(format!(":{n}"))
            .args(["-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start Xvfb (Debian package xvfb)");
        let end = Instant::now() + Duration::from_secs(20);
        loop {
            if socket.exists() {
                return (format!(":{n}"), child);
            }
            if child.try_wait().ok().flatten().is_some() || Instant::now() > end {
                // Another server took the number first, or it hung: try the next one.
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(POLL);
        }
    }
    panic!("Xvfb starts on some free display within 50 tries");
}

/// The pids of the window processes on this data directory (not command-line syncs).
pub fn window_pids(data_dir: &Path) -> Vec<i32> {
    let needle = format!("INBOX_SYNC_DATA_DIR={}", data_dir.display());
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let argv: Vec<&[u8]> = cmdline
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .collect();
        let is_app = argv
            .first()
            .is_some_and(|a| a.ends_with(b"/inbox-sync") || *a == b"inbox-sync");
        let is_cli = argv.iter().skip(1).any(|a| *a == b"sync");
        if !is_app || is_cli {
            continue;
        }
        let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
        if environ.split(|b| *b == 0).any(|v| v == needle.as_bytes()) {
            pids.push(pid);
        }
    }
    pids
}

/// Stands in for the system browser: a folder of shell scripts named like every program the
/// `open` crate (under tauri-plugin-opener) may run on Linux, `xdg-open` first, each of which
/// appends `<program>\t<argument>` to a file and exits 0. Put `path_env()` in the app's
/// environment; `urls()` are then the addresses the app asked a browser to open.
pub struct FakeBrowser {
    dir: TempDir,
}

impl FakeBrowser {
    /// The launchers of open 5.x on Unix, in the order it tries them.
    const LAUNCHERS: [&'static str; 6] = [
        "xdg-open",
        "gio",
        "gnome-open",
        "kde-open6",
        "kde-open5",
        "kde-open",
    ];

    pub fn install() -> FakeBrowser {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new()
            .prefix("inbox-sync-e2e-browser-")
            .tempdir()
            .expect("temp dir");
        let log = dir.path().join("opened.txt");
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).expect("bin dir");
        for name in Self::LAUNCHERS {
            let script = format!(
                "#!/bin/sh\n# A fake browser for e2e tests: records what it was asked to open.\n\
                 printf '%s\\t%s\\n' '{name}' \"$*\" >> '{}'\nexit 0\n",
                log.display()
            );
            let path = bin.join(name);
            std::fs::write(&path, script).expect("write a fake launcher");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .expect("make it executable");
        }
        FakeBrowser { dir }
    }

    /// `PATH` with the fake launchers first.
    pub fn path_env(&self) -> (String, String) {
        let rest = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
        (
            "PATH".into(),
            format!("{}:{rest}", self.dir.path().join("bin").display()),
        )
    }

    /// Every (launcher, argument) recorded so far, complete lines only, oldest first.
    pub fn opened(&self) -> Vec<(String, String)> {
        let text = std::fs::read_to_string(self.dir.path().join("opened.txt")).unwrap_or_default();
        let complete = match text.rfind('\n') {
            Some(end) => &text[..end],
            None => "",
        };
        complete
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(program, arg)| (program.to_owned(), arg.to_owned()))
            .collect()
    }
}
