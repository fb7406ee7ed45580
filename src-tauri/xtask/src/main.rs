//! The project's two entry commands: `cargo xtask run` (the app) and `cargo xtask test` (the
//! whole suite). Each first installs what a Tauri build needs on Debian when it is missing.
use std::process::{Command, ExitCode};

/// Debian packages a Tauri 2 build, its tests and its screenshots need.
const DEBIAN_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus-x11",
    // A real Secret Service for the keyring test of Google sign-in.
    "gnome-keyring",
    // libfaketime: the lease tests run real syncs with skewed wall clocks.
    "faketime",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run_app(&args[1..]),
        Some("test") => run_tests(),
        Some("deps") => ensure_debian_packages(),
        _ => Err("usage: cargo xtask run [-- ARGS…] | cargo xtask test | cargo xtask deps".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the sign-in keyring test again where a keyring exists: a private D-Bus session with
/// GNOME Keyring unlocked by a throwaway password, so the token must go to (and be deleted
/// from) the real Secret Service.
fn keyring_test() -> Result<(), String> {
    // A throwaway keyring directory: the test never touches (or depends on) the user's own.
    let script = "export XDG_DATA_HOME=\"$(mktemp -d)\" \
        && echo -n inbox-sync-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null \
        && INBOX_SYNC_TEST_KEYRING=1 cargo test -p inbox-sync-core --test auth_signin keyring; \
        status=$?; rm -rf \"$XDG_DATA_HOME\"; exit $status";
    step("dbus-run-session", &["--", "sh", "-c", script])
}

/// Runs a command to completion, failing with its name when it fails.
fn step(program: &str, args: &[&str]) -> Result<(), String> {
    eprintln!("xtask: $ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        // apt must never stop to ask a question: CI has no standard input.
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

fn is_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

/// Installs the missing Debian packages (with sudo when not root). Off Debian it only warns.
fn ensure_debian_packages() -> Result<(), String> {
    if Command::new("dpkg-query")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("xtask: not a Debian system; install the packages for Tauri 2 by hand: {DEBIAN_PACKAGES:?}");
        return Ok(());
    }
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .copied()
        .filter(|p| !is_installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!(
        "xtask: installing missing Debian packages: {}",
        missing.join(" ")
    );
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let (program, prefix): (&str, Vec<&str>) = if root {
        ("apt-get", vec![])
    } else {
        ("sudo", vec!["apt-get"])
    };
    let with = |tail: &[&str]| -> Vec<String> {
        prefix
            .iter()
            .chain(tail.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let update = with(&["update", "-qq"]);
    step(
        program,
        &update.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    let mut install = with(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.extend(missing.iter().map(|s| s.to_string()));
    step(
        program,
        &install.iter().map(String::as_str).collect::<Vec<_>>(),
    )
}

/// The UI's unit tests run on Node's built-in test runner; install Debian's Node when none.
fn ensure_node() -> Result<(), String> {
    if Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Ok(());
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let install = [
        "apt-get",
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        "nodejs",
    ];
    if root {
        step(install[0], &install[1..])
    } else {
        step("sudo", &install)
    }
}

/// The WebDriver bridge the window tests (tests/e2e.rs) drive the app through; from crates.io.
/// (tauri-driver 2.1 has no `--version`; `--help` answers 0 when it is installed.)
fn ensure_tauri_driver() -> Result<(), String> {
    let installed = Command::new("tauri-driver")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success());
    if installed {
        return Ok(());
    }
    step("cargo", &["install", "tauri-driver", "--locked"])
}

fn has_display() -> bool {
    std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// The app: a window when there is a display; in a terminal without one, a sync of the demo
/// mailbox with its progress bar.
fn run_app(extra: &[String]) -> Result<(), String> {
    ensure_debian_packages()?;
    let mut args = vec!["run", "--release", "--bin", "inbox-sync", "--"];
    let extra: Vec<&str> = extra
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--")
        .collect();
    if extra.is_empty() && !has_display() {
        eprintln!(
            "xtask: no display found; running a demo sync in the terminal instead of a window"
        );
        args.extend(["sync", "--demo"]);
    }
    args.extend(extra);
    step("cargo", &args)
}

/// Everything CI checks: formatting, lints, every test of the workspace, then a minute of
/// fuzzing the mail parser (`FUZZ_SECONDS` changes how long; 0 skips it).
fn run_tests() -> Result<(), String> {
    ensure_debian_packages()?;
    ensure_tauri_driver()?;
    step("cargo", &["fmt", "--all", "--", "--check"])?;
    let lints = [
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ];
    step("cargo", &lints)?;
    step("cargo", &["test", "--workspace", "--no-fail-fast"])?;
    keyring_test()?;
    ensure_node()?;
    step("node", &["--test", "ui/tests/"])?;
    let seconds = std::env::var("FUZZ_SECONDS").unwrap_or_else(|_| "60".into());
    if seconds.trim() == "0" {
        eprintln!("xtask: FUZZ_SECONDS=0: not fuzzing");
        return Ok(());
    }
    step("bash", &["src-tauri/core/fuzz/run.sh", seconds.trim()])
}
