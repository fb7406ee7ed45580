//! Gmail clients no one here wrote — lieer (`gmi pull`) and a full sync with Google's own
//! Python client — run against the fake Gmail with only their URLs redirected (see
//! `sitecustomize.py`), for the lieer test and the side-by-side benchmark.
//!
//! Both run from one throwaway virtualenv made from Debian's Python (which has Debian's
//! `python3-notmuch2`, the notmuch binding lieer needs; `cargo xtask` installs it, `notmuch` and
//! `python3-venv`), with lieer and Google's client from PyPI at pinned versions. The virtualenv
//! is cached under the target directory, per version.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fake_gmail::FakeGmail;

/// lieer, as the issue found it on PyPI.
pub const LIEER_VERSION: &str = "1.6";
/// Google's Python client, as the fake's conformance test pins it.
pub const GOOGLE_CLIENT_VERSION: &str = "2.202.0";
/// Debian's own Python: `python3-notmuch2` is built for it, not for another Python on PATH.
const DEBIAN_PYTHON: &str = "/usr/bin/python3";
/// Creating the virtualenv and installing from PyPI on a cold cache.
const INSTALL_DEADLINE: Duration = Duration::from_secs(600);

/// What a finished program said, or why it did not finish.
pub struct Ran {
    pub success: bool,
    pub elapsed: Duration,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Everything it printed, for a failure message.
    pub fn shown(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

/// Runs a program to its end or its deadline (then kills it), keeping everything it printed.
pub fn run(command: &mut Command, deadline: Duration) -> Result<Ran, String> {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let mut out = child.stdout.take().expect("stdout is piped");
    let mut err = child.stderr.take().expect("stderr is piped");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stdout = out_reader.join().unwrap_or_default();
            let stderr = err_reader.join().unwrap_or_default();
            return Err(format!(
                "{command:?} did not finish within {deadline:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok(Ran {
        success: status.success(),
        elapsed: started.elapsed(),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}

/// The virtualenv's python, made (once per version) when missing.
pub fn python() -> Result<PathBuf, String> {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("peers-venv");
    let dir = root.join(format!(
        "lieer-{LIEER_VERSION}-google-{GOOGLE_CLIENT_VERSION}"
    ));
    let python = dir.join("bin").join("python");
    if dir.join("ready").exists() {
        return Ok(python);
    }
    let staging = root.join(format!("staging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&root).map_err(|e| format!("cannot create {root:?}: {e}"))?;
    let created = run(
        Command::new(DEBIAN_PYTHON)
            .args(["-m", "venv", "--system-site-packages"])
            .arg(&staging),
        INSTALL_DEADLINE,
    )?;
    if !created.success {
        return Err(format!(
            "{DEBIAN_PYTHON} -m venv failed (Debian: python3-venv, which `cargo xtask deps` installs):\n{}",
            created.stderr
        ));
    }
    let check = run(
        Command::new(staging.join("bin").join("python")).args(["-c", "import notmuch2"]),
        INSTALL_DEADLINE,
    )?;
    if !check.success {
        return Err(format!(
            "Debian's python3-notmuch2 is missing (`cargo xtask deps` installs it):\n{}",
            check.stderr
        ));
    }
    let installed = run(
        Command::new(staging.join("bin").join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--quiet",
            ])
            .arg(format!("lieer=={LIEER_VERSION}"))
            .arg(format!("google-api-python-client=={GOOGLE_CLIENT_VERSION}")),
        INSTALL_DEADLINE,
    )?;
    if !installed.success {
        return Err(format!(
            "pip could not install lieer=={LIEER_VERSION} from PyPI:\n{}",
            installed.shown()
        ));
    }
    std::fs::write(staging.join("ready"), LIEER_VERSION)
        .map_err(|e| format!("cannot mark {staging:?} ready: {e}"))?;
    if std::fs::rename(&staging, &dir).is_err() {
        // Another test process finished first; its virtualenv is as good as this one.
        let _ = std::fs::remove_dir_all(&staging);
    }
    Ok(python)
}

fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("peers")
}

/// A command of the virtualenv with the fake as its Gmail.
fn peer_command(program: &Path, fake: &FakeGmail) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("INBOX_SYNC_PEER_GMAIL", fake.base_url())
        .env("PYTHONPATH", peers_dir())
        // Nothing of the machine's own Python set-up leaks in.
        .env_remove("PYTHONHOME")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    cmd
}

/// Writes lieer's credentials file: `python -c SAVE_CREDENTIALS TOKEN PATH`.
const SAVE_CREDENTIALS: &str = "import sys, datetime
from google.oauth2.credentials import Credentials
c = Credentials(token=sys.argv[1], refresh_token='unused', client_id='lieer', client_secret='unused',
    token_uri='http://127.0.0.1:9/token', scopes=['https://www.googleapis.com/auth/gmail.modify'],
    expiry=datetime.datetime.utcnow() + datetime.timedelta(minutes=50))
open(sys.argv[2], 'w').write(c.to_json())
";

/// A lieer repository inside its own notmuch database under `dir`, signed in with `token`
/// (a token the fake accepts; lieer's saved-credentials file, as `gmi auth` leaves it).
pub struct Lieer {
    python: PathBuf,
    gmi: PathBuf,
    pub notmuch_config: PathBuf,
    pub repo: PathBuf,
}

impl Lieer {
    pub fn init(python: &Path, fake: &FakeGmail, token: &str, dir: &Path) -> Result<Self, String> {
        let gmi = python.with_file_name("gmi");
        let database = dir.join("maildb");
        let repo = database.join("gmail");
        std::fs::create_dir_all(&database).map_err(|e| e.to_string())?;
        let notmuch_config = dir.join("notmuch-config");
        std::fs::write(
            &notmuch_config,
            format!(
                "[database]\npath={}\n[user]\nname=Peer\nprimary_email={}\n[new]\ntags=new\n",
                database.display(),
                fake.email_address()
            ),
        )
        .map_err(|e| e.to_string())?;
        let lieer = Self {
            python: python.to_path_buf(),
            gmi,
            notmuch_config,
            repo,
        };
        let made = run(
            Command::new("notmuch")
                .env("NOTMUCH_CONFIG", &lieer.notmuch_config)
                .arg("new"),
            Duration::from_secs(60),
        )?;
        if !made.success {
            return Err(format!("notmuch new failed:\n{}", made.shown()));
        }
        let init = run(
            lieer
                .command(fake)
                .args(["init", "--no-auth", "-C"])
                .arg(&lieer.repo)
                .arg(fake.email_address()),
            Duration::from_secs(60),
        )?;
        if !init.success {
            return Err(format!("gmi init failed:\n{}", init.shown()));
        }
        // Saved by google-auth itself, as `gmi auth` saves it. It reads an access token
        // without `expiry` as expired and refreshes it at Google's own token endpoint whatever
        // `token_uri` says, so the token carries its expiry (the fake's tokens live an hour).
        let saved = run(
            Command::new(python)
                .args(["-c", SAVE_CREDENTIALS, token])
                .arg(lieer.repo.join(".credentials.gmailieer.json")),
            Duration::from_secs(60),
        )?;
        if !saved.success {
            return Err(format!(
                "cannot save lieer's credentials:\n{}",
                saved.shown()
            ));
        }
        Ok(lieer)
    }

    fn command(&self, fake: &FakeGmail) -> Command {
        // The script is run by the virtualenv's python rather than through its `#!` line,
        // which names the folder the virtualenv was made in before it was renamed.
        let mut cmd = peer_command(&self.python, fake);
        cmd.arg(&self.gmi)
            .env("NOTMUCH_CONFIG", &self.notmuch_config);
        cmd
    }

    /// `gmi pull` to its end (or `deadline`).
    pub fn pull(&self, fake: &FakeGmail, deadline: Duration) -> Result<Ran, String> {
        run(
            self.command(fake)
                .args(["pull", "--no-progress", "-C"])
                .arg(&self.repo),
            deadline,
        )
    }

    /// The messages lieer stored: one file a message in its maildir.
    pub fn stored(&self) -> usize {
        count_files(&self.repo.join("mail").join("cur"))
            + count_files(&self.repo.join("mail").join("new"))
    }

    /// The Gmail ids of the stored messages (lieer names each file after its id).
    pub fn stored_ids(&self) -> Vec<String> {
        let mut ids = Vec::new();
        for sub in ["cur", "new"] {
            if let Ok(entries) = std::fs::read_dir(self.repo.join("mail").join(sub)) {
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let id = name.split([':', '.']).next().unwrap_or_default();
                    ids.push(id.to_string());
                }
            }
        }
        ids.sort();
        ids
    }
}

/// The Google-client full sync (`google_full_sync.py`) into `out`.
pub fn google_full_sync(
    python: &Path,
    fake: &FakeGmail,
    token: &str,
    out: &Path,
    deadline: Duration,
) -> Result<Ran, String> {
    run(
        peer_command(python, fake)
            .arg(peers_dir().join("google_full_sync.py"))
            .arg(out)
            .arg(token),
        deadline,
    )
}

pub fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().count())
        .unwrap_or(0)
}
