//! `inbox-sync account login | status | logout` and `sync` of a connected account, as a user
//! runs them, against the fake Google over real HTTP and the real loopback listener. The test
//! plays the browser with `fake_gmail::browser`. Every command runs with `INBOX_SYNC_LOG=trace`
//! so its logs are part of the output searched for tokens.
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_gmail::{browser, FakeConfig, FakeGmail};
use inbox_sync_core::{Store, StoreOptions};
use serde_json::Value;

/// Everything the commands printed, to be searched for tokens at the end.
#[derive(Default)]
struct Transcript(String);

impl Transcript {
    fn keep(&mut self, out: &Output) {
        self.0.push_str(&String::from_utf8_lossy(&out.stdout));
        self.0.push_str(&String::from_utf8_lossy(&out.stderr));
    }
}

fn command(data: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_inbox-sync"));
    cmd.arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("INBOX_SYNC_DATA_DIR")
        .env_remove("INBOX_SYNC_GMAIL_BASE_URL")
        .env("INBOX_SYNC_TOKEN_STORE", "file")
        .env("INBOX_SYNC_LOG", "trace")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn run(data: &Path, args: &[&str], transcript: &mut Transcript) -> Output {
    let out = command(data, args).output().expect("run inbox-sync");
    transcript.keep(&out);
    out
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `account login`, with the test as the user's browser: reads the address the command prints
/// first, opens it, follows the redirect to the command's loopback listener.
async fn login(data: &Path, extra: &[&str], transcript: &mut Transcript) -> Output {
    let mut args = vec!["account", "login", "--no-browser"];
    args.extend_from_slice(extra);
    let mut child = command(data, &args).spawn().expect("start login");
    let stderr = drain(child.stderr.take().unwrap(), None);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).expect("the sign-in address");
    let (consent, landing) = browser::sign_in(url.trim()).await.expect("browser");
    assert_eq!(consent.status, 302, "{}", consent.body);
    assert_eq!(landing.status, 200, "{}", landing.body);
    let rest = drain(stdout, None);
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    let out = Output {
        status,
        stdout: [url.into_bytes(), rest.join().unwrap()].concat(),
        stderr: stderr.join().unwrap(),
    };
    transcript.keep(&out);
    out
}

/// Reads a pipe to its end on its own thread, so a chatty child never blocks on a full pipe;
/// each piece read is also added to `said` as it comes.
fn drain(
    mut pipe: impl std::io::Read + Send + 'static,
    said: Option<Arc<Mutex<Vec<u8>>>>,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let (mut all, mut piece) = (Vec::new(), [0u8; 8192]);
        while let Ok(n @ 1..) = pipe.read(&mut piece) {
            all.extend_from_slice(&piece[..n]);
            if let Some(said) = &said {
                said.lock().unwrap().extend_from_slice(&piece[..n]);
            }
        }
        all
    })
}

/// A command started in the background (see [`spawn_drained`]).
struct Background {
    /// Its stdout and stderr so far, as it writes them.
    said: Arc<Mutex<Vec<u8>>>,
    output: tokio::task::JoinHandle<Output>,
}

impl Background {
    /// Waits for it to end.
    async fn output(self) -> Output {
        self.output.await.unwrap()
    }

    /// The last `n` bytes it has printed so far (for a failure's message).
    fn tail(&self, n: usize) -> String {
        let said = self.said.lock().unwrap();
        String::from_utf8_lossy(&said[said.len().saturating_sub(n)..]).into_owned()
    }
}

/// Starts `cmd` in the background with both pipes read as it writes (a command that logs at
/// `trace` may write more than a pipe holds while the test waits on it, and an unread pipe
/// would stop it there), keeping what it says for a failure's message.
fn spawn_drained(mut cmd: Command) -> Background {
    let mut child = cmd.spawn().expect("start inbox-sync");
    let said = Arc::new(Mutex::new(Vec::new()));
    let stdout = drain(child.stdout.take().unwrap(), Some(said.clone()));
    let stderr = drain(child.stderr.take().unwrap(), Some(said.clone()));
    let output = tokio::task::spawn_blocking(move || Output {
        status: child.wait().unwrap(),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    });
    Background { said, output }
}

fn client_file(dir: &Path, name: &str, fake: &FakeGmail) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, fake.client_secret_json()).unwrap();
    path
}

fn account_db(data: &Path, email: &str) -> PathBuf {
    data.join("accounts").join(email).join("inbox-sync.sqlite3")
}

async fn ids(db: &Path) -> Vec<String> {
    if !db.exists() {
        return Vec::new();
    }
    let store = Store::open(db, StoreOptions::default()).await.unwrap();
    let ids: Vec<String> = sqlx::query_scalar("SELECT gmail_id FROM messages ORDER BY gmail_id")
        .fetch_all(store.pool())
        .await
        .unwrap();
    store.close().await;
    ids
}

fn truth_ids(fake: &FakeGmail) -> Vec<String> {
    let mut ids: Vec<String> = fake.truth().into_iter().map(|t| t.id).collect();
    ids.sort();
    ids
}

/// Every file under `dir` (recursively) but the token store itself.
fn files_except_credentials(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_except_credentials(&path));
        } else if path.file_name().is_some_and(|n| n != "credentials.json") {
            found.push(path);
        }
    }
    found
}

fn assert_no_secret_in(haystack: &[u8], secrets: &[String], what: &str) {
    let text = String::from_utf8_lossy(haystack);
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{what} contains a secret ({}…)",
            &secret[..6.min(secret.len())]
        );
    }
}

/// login → sync → status → logout work, and no issued token or client secret is in any output, log or file but the token store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_sync_status_logout_and_no_token_anywhere() {
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(120)
            .seed(3)
            .email_address("ann@example.com"),
    )
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let secret_file = client_file(home.path(), "client_secret_test.json", &fake);
    let mut transcript = Transcript::default();

    let out = login(
        &data,
        &[
            "--client-secret",
            secret_file.to_str().unwrap(),
            "--gmail-base-url",
            &fake.base_url(),
        ],
        &mut transcript,
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Connected ann@example.com"),
        "{}",
        text(&out)
    );

    let status = run(&data, &["account", "status"], &mut transcript);
    assert!(
        text(&status).contains("Connected: ann@example.com"),
        "{}",
        text(&status)
    );
    assert!(text(&status).contains("credentials.json (readable only by you)"));
    let json = run(&data, &["account", "status", "--json"], &mut transcript);
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["connected"], true);
    assert_eq!(v["accounts"][0]["email"], "ann@example.com");
    assert_eq!(v["accounts"][0]["tokenStore"], "file");
    assert_eq!(v["accounts"].as_array().map(Vec::len), Some(1));

    let sync = run(&data, &["sync", "--quota", "0"], &mut transcript);
    assert!(sync.status.success(), "{}", text(&sync));
    assert_eq!(
        ids(&account_db(&data, "ann@example.com")).await,
        truth_ids(&fake)
    );
    assert!(
        !data.join("inbox-sync.sqlite3").exists(),
        "the account's mail goes to its own database, not the demo's"
    );
    let latest = run(&data, &["status", "--json"], &mut transcript);
    let v: Value = serde_json::from_slice(&latest.stdout).unwrap();
    assert_eq!(v["latest"]["status"], "success");
    run(&data, &["history"], &mut transcript);

    // Before logout: the token lives only in credentials.json (0600).
    let mut secrets = fake.issued_tokens();
    secrets.push(fake_gmail::OAuthClient::default().client_secret);
    for file in files_except_credentials(&data) {
        assert_no_secret_in(
            &std::fs::read(&file).unwrap(),
            &secrets,
            &file.display().to_string(),
        );
    }

    let revokes = fake.counts().revoke;
    let out = run(&data, &["account", "logout"], &mut transcript);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("access revoked at Google"),
        "{}",
        text(&out)
    );
    assert_eq!(fake.counts().revoke, revokes + 1);
    let folder = data.join("accounts").join("ann@example.com");
    assert!(
        !folder.join("credentials.json").exists() && !folder.join("account.json").exists(),
        "logout deletes the account's token and record"
    );
    assert!(
        account_db(&data, "ann@example.com").exists(),
        "without --delete-mail the synced mail stays"
    );
    let out = run(&data, &["account", "status"], &mut transcript);
    assert!(text(&out).contains("No Gmail account is connected"));

    let secrets = {
        let mut s = fake.issued_tokens();
        s.push(fake_gmail::OAuthClient::default().client_secret);
        s
    };
    assert_no_secret_in(
        transcript.0.as_bytes(),
        &secrets,
        "the commands' output and logs",
    );
    assert!(
        transcript.0.contains("TRACE") || transcript.0.contains("DEBUG"),
        "logs were captured"
    );
    for file in files_except_credentials(&data) {
        assert_no_secret_in(
            &std::fs::read(&file).unwrap(),
            &secrets,
            &file.display().to_string(),
        );
    }
}

/// A token revoked mid-sync ends the run error/auth with the mail kept; after signing in again the sync resumes without refetching.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_revoked_mid_sync_ends_auth_and_reconnecting_resumes() {
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(400)
            .seed(5)
            .email_address("bo@example.com")
            .latency(Duration::from_millis(15)),
    )
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let secret_file = client_file(home.path(), "client_secret.json", &fake);
    let mut transcript = Transcript::default();
    let out = login(
        &data,
        &[
            "--client-secret",
            secret_file.to_str().unwrap(),
            "--gmail-base-url",
            &fake.base_url(),
        ],
        &mut transcript,
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));

    let db = account_db(&data, "bo@example.com");
    let child = spawn_drained(command(
        &data,
        &["sync", "--quota", "0", "--concurrency", "4"],
    ));
    let deadline = Instant::now() + Duration::from_secs(60);
    while ids(&db).await.len() < 100 {
        assert!(
            Instant::now() < deadline,
            "the sync stores its first batches"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    fake.revoke_refresh_tokens();
    let out = child.output().await;
    transcript.keep(&out);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("[auth]"), "{}", text(&out));
    let kept = ids(&db).await.len();
    assert!(
        (100..400).contains(&kept),
        "the mail so far is kept: {kept}"
    );
    let status = run(&data, &["status", "--json"], &mut transcript);
    let v: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(v["latest"]["status"], "error");
    assert_eq!(v["latest"]["errorTag"], "auth");

    // Reconnect with the remembered client (no file), then the next sync resumes.
    let out = login(&data, &[], &mut transcript).await;
    assert!(out.status.success(), "{}", text(&out));
    let gets_before = fake.counts().messages_get;
    let out = run(&data, &["sync", "--quota", "0"], &mut transcript);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(ids(&db).await, truth_ids(&fake));
    let refetched = fake.counts().messages_get - gets_before;
    println!("revoked mid-sync: {kept} of 400 kept; the resumed sync fetched {refetched}");
    assert!(
        refetched <= (400 - kept as u64) + 100,
        "the resumed sync fetched {refetched} messages, not the {kept} kept ones again"
    );
}

/// Logs in to `fake` with its own client file and Gmail address.
async fn login_to(home: &Path, data: &Path, fake: &FakeGmail, transcript: &mut Transcript) {
    let email = fake.email_address();
    let file = client_file(home, &format!("client-{email}.json"), fake);
    let out = login(
        data,
        &[
            "--client-secret",
            file.to_str().unwrap(),
            "--gmail-base-url",
            &fake.base_url(),
        ],
        transcript,
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
}

/// The JSON lines of `sync --all --json`, by account: (exit code, run status).
fn exits_by_account(out: &Output) -> std::collections::BTreeMap<String, (i64, Value)> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .map(|v| {
            (
                v["account"].as_str().unwrap_or_default().to_owned(),
                (v["exit"].as_i64().unwrap_or(-1), v["run"]["status"].clone()),
            )
        })
        .collect()
}

/// Waits until the account's ledger has a running sync.
async fn wait_running(data: &Path, email: &str, sync: &Background, transcript: &mut Transcript) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = run(data, &["status", "--account", email, "--json"], transcript);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if !v["active"].is_null() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{email}'s sync shows as running: {}\nthe sync has said so far (its last 8 KB):\n{}",
            text(&out),
            sync.tail(8 * 1024)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Two accounts connected side by side: `sync --all` syncs both at once, each into its own
/// database with exactly its own server's mail; a sync of one already running refuses only
/// that one (exit 3); a token revoked mid-sync ends only that account `auth`; no token of one
/// is in the other's files; logging one out with `--delete-mail` deletes its token and mail and
/// leaves the other working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_sync_side_by_side_and_fail_apart() {
    let a = FakeGmail::start(
        FakeConfig::default()
            .messages(300)
            .seed(21)
            .email_address("a@example.com"),
    )
    .await
    .unwrap();
    let b = FakeGmail::start(
        FakeConfig::default()
            .messages(120)
            .seed(22)
            .email_address("b@example.com"),
    )
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let mut transcript = Transcript::default();
    login_to(home.path(), &data, &a, &mut transcript).await;
    login_to(home.path(), &data, &b, &mut transcript).await;
    assert_eq!(a.counts().revoke, 0, "adding b leaves a connected");
    let out = run(&data, &["account", "list", "--json"], &mut transcript);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed: Vec<&str> = v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["email"].as_str())
        .collect();
    assert_eq!(listed, ["a@example.com", "b@example.com"]);

    // A sync of a already running in another process (held there: a's server answers
    // nothing for now): --all refuses a only and syncs b.
    a.set_hang(true);
    let a_alone = spawn_drained(command(
        &data,
        &["sync", "--account", "a@example.com", "--quota", "0"],
    ));
    wait_running(&data, "a@example.com", &a_alone, &mut transcript).await;
    let out = run(
        &data,
        &["sync", "--all", "--quota", "0", "--json"],
        &mut transcript,
    );
    let exits = exits_by_account(&out);
    assert_eq!(
        exits["a@example.com"].0,
        3,
        "a is already syncing: {}",
        text(&out)
    );
    assert_eq!(
        exits["b@example.com"].0,
        0,
        "b syncs beside it: {}",
        text(&out)
    );
    assert_eq!(exits["b@example.com"].1, "success");
    assert_eq!(out.status.code(), Some(3), "the worst code: {}", text(&out));
    a.set_hang(false);
    let a_out = a_alone.output().await;
    transcript.keep(&a_out);
    assert!(a_out.status.success(), "{}", text(&a_out));
    assert_eq!(
        ids(&account_db(&data, "a@example.com")).await,
        truth_ids(&a)
    );
    assert_eq!(
        ids(&account_db(&data, "b@example.com")).await,
        truth_ids(&b)
    );

    // Both at once; a's token is revoked while its sync runs (held on a's server until
    // then): a ends auth, b completes.
    a.add_messages(200);
    b.add_messages(50);
    a.set_hang(true);
    let both = spawn_drained(command(&data, &["sync", "--all", "--quota", "0", "--json"]));
    wait_running(&data, "a@example.com", &both, &mut transcript).await;
    a.revoke_refresh_tokens();
    a.set_hang(false);
    let out = both.output().await;
    transcript.keep(&out);
    let exits = exits_by_account(&out);
    assert_eq!(exits["a@example.com"].0, 1, "{}", text(&out));
    assert_eq!(exits["a@example.com"].1, "error", "{}", text(&out));
    assert!(
        text(&out).contains("a@example.com: ") && text(&out).contains("[auth]"),
        "{}",
        text(&out)
    );
    assert_eq!(exits["b@example.com"].0, 0, "{}", text(&out));
    assert_eq!(
        ids(&account_db(&data, "b@example.com")).await,
        truth_ids(&b)
    );
    let out = run(&data, &["status", "--json"], &mut transcript);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_account: std::collections::BTreeMap<&str, &Value> = v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["account"].as_str().unwrap(), s))
        .collect();
    assert_eq!(by_account["a@example.com"]["latest"]["errorTag"], "auth");
    assert_eq!(by_account["b@example.com"]["latest"]["status"], "success");
    let out = run(&data, &["status"], &mut transcript);
    assert!(
        text(&out).contains("a@example.com: ") && text(&out).contains("b@example.com: "),
        "status names each account: {}",
        text(&out)
    );

    // No token of one account is in the other's folder.
    let folder = |email: &str| data.join("accounts").join(email);
    for (fake, other) in [(&a, "b@example.com"), (&b, "a@example.com")] {
        let tokens = fake.issued_tokens();
        assert!(!tokens.is_empty());
        for file in files_under(&folder(other)) {
            assert_no_secret_in(
                &std::fs::read(&file).unwrap(),
                &tokens,
                &file.display().to_string(),
            );
        }
    }

    // Logging a out with its mail: its folder goes; b still syncs with its own token.
    let out = run(
        &data,
        &["account", "logout", "a@example.com", "--delete-mail"],
        &mut transcript,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Deleted a@example.com's synced mail"),
        "{}",
        text(&out)
    );
    assert!(
        !folder("a@example.com").exists(),
        "a's token, record and mail are deleted"
    );
    assert!(folder("b@example.com").join("credentials.json").exists());
    let out = run(&data, &["sync", "--json"], &mut transcript);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&data, &["account", "list", "--json"], &mut transcript);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["accounts"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["accounts"][0]["email"], "b@example.com");
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// A data directory from before several accounts (`account.json` and `credentials.json` at
/// its top) keeps working: the account is moved into its own folder, token and all, and syncs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_account_from_before_is_moved_into_its_folder() {
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(30)
            .seed(23)
            .email_address("old@example.com"),
    )
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let mut transcript = Transcript::default();
    login_to(home.path(), &data, &fake, &mut transcript).await;
    // Put the files where the single-account version kept them.
    let folder = data.join("accounts").join("old@example.com");
    for name in ["account.json", "credentials.json"] {
        std::fs::rename(folder.join(name), data.join(name)).unwrap();
    }
    let out = run(&data, &["sync", "--quota", "0"], &mut transcript);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!data.join("account.json").exists() && !data.join("credentials.json").exists());
    assert!(folder.join("account.json").exists() && folder.join("credentials.json").exists());
    assert_eq!(
        ids(&account_db(&data, "old@example.com")).await,
        truth_ids(&fake)
    );
}

/// A Web-app client file, no file, and a timed-out sign-in each fail with their tag and store nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_logins_store_nothing() {
    let fake = FakeGmail::start(FakeConfig::default().messages(5))
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let mut transcript = Transcript::default();

    let web = home.path().join("web.json");
    std::fs::write(&web, r#"{"web":{"client_id":"x","client_secret":"y"}}"#).unwrap();
    let out = run(
        &data,
        &[
            "account",
            "login",
            "--no-browser",
            "--client-secret",
            web.to_str().unwrap(),
        ],
        &mut transcript,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("Desktop app") && text(&out).contains("[clientSecret]"),
        "{}",
        text(&out)
    );

    let out = run(
        &data,
        &["account", "login", "--no-browser"],
        &mut transcript,
    );
    assert!(text(&out).contains("[clientSecret]"), "{}", text(&out));

    let file = client_file(home.path(), "client.json", &fake);
    let started = Instant::now();
    let out = run(
        &data,
        &[
            "account",
            "login",
            "--no-browser",
            "--timeout",
            "1",
            "--client-secret",
            file.to_str().unwrap(),
            "--gmail-base-url",
            &fake.base_url(),
        ],
        &mut transcript,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("[signInTimeout]"), "{}", text(&out));
    assert!(started.elapsed() < Duration::from_secs(10));

    let left: Vec<_> = std::fs::read_dir(&data)
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "nothing stored: {left:?}");
}
