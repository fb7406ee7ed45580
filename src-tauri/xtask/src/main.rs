//! The project's entry commands: `cargo xtask run` (the app), `cargo xtask test` (the whole
//! suite), `cargo xtask fresh-check` (that suite on a throwaway fresh Debian) and `cargo xtask
//! bundle` / `install-check` (the .deb and .rpm, and the .deb installed and removed). Each first
//! installs, from the one list [`NEEDS`], every program the project's tests and commands run.
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

mod bundle;
mod fresh;
mod macos;

use fresh::workspace_root;

/// Where a program the project runs comes from.
enum Source {
    /// A Debian package.
    Debian(&'static str),
    /// A tool `cargo install`ed from crates.io at this version (`--locked`).
    Cargo {
        krate: &'static str,
        version: &'static str,
    },
    /// A standard library for another target, added with rustup.
    RustTarget(&'static str),
    /// A program from the npm registry at this exact version, installed with npm into the
    /// target directory's `tools/` (nothing global).
    Npm {
        package: &'static str,
        version: &'static str,
    },
}

/// One thing the project needs: what it provides and why.
struct Need {
    source: Source,
    /// The programs (or files) the project uses from it: how `cargo xtask` tells whether it
    /// is there, and how a reader checks that every `Command::new("…")` is covered.
    provides: &'static [&'static str],
    why: &'static str,
}

const fn deb(package: &'static str, provides: &'static [&'static str], why: &'static str) -> Need {
    Need {
        source: Source::Debian(package),
        provides,
        why,
    }
}

/// Everything a fresh Debian machine with only Rust lacks to build, test and check the
/// project: the one list `cargo xtask` installs from (Debian's own packages; crates.io tools;
/// rustup targets). A program a test or command runs that is not here is a bug.
const NEEDS: &[Need] = &[
    deb(
        "build-essential",
        &["cc", "c++", "make"],
        "C/C++ dependencies and the linker",
    ),
    deb(
        "pkg-config",
        &["pkg-config"],
        "finds the system libraries below",
    ),
    deb(
        "libssl-dev",
        &[],
        "OpenSSL headers for Tauri's dependencies",
    ),
    deb("libwebkit2gtk-4.1-dev", &[], "Tauri 2's web view on Linux"),
    deb("libayatana-appindicator3-dev", &[], "the tray icon"),
    deb("librsvg2-dev", &[], "Tauri's icon rendering"),
    deb(
        "xvfb",
        &["Xvfb"],
        "the window tests' display (tests/e2e/harness.rs)",
    ),
    deb("xauth", &["xauth"], "X authority for Xvfb"),
    deb(
        "webkit2gtk-driver",
        &["WebKitWebDriver"],
        "the native WebDriver tauri-driver drives",
    ),
    deb("dbus-x11", &["dbus-launch"], "a session bus for the tray"),
    deb(
        "dbus-daemon",
        &["dbus-run-session"],
        "a private session bus per window test and for the keyring test",
    ),
    deb(
        "dbus-bin",
        &["dbus-monitor"],
        "the notification test watches what the notification server receives (tests/desktop.rs)",
    ),
    deb(
        "x11-utils",
        &["xwininfo"],
        "the login-start test checks which windows are on the display (tests/desktop.rs)",
    ),
    deb(
        "dunst",
        &["dunst"],
        "a real desktop notification server for the notification test (tests/desktop.rs)",
    ),
    deb(
        "gnome-keyring",
        &["gnome-keyring-daemon"],
        "a real Secret Service for the keyring test of Google sign-in",
    ),
    deb(
        "faketime",
        &["faketime"],
        "the lease tests run real syncs with a wall clock set minutes off (libfaketime)",
    ),
    deb(
        "python3-venv",
        &[],
        "the fake's conformance test installs Google's Python client into a venv",
    ),
    deb(
        "notmuch",
        &["notmuch"],
        "the mail index lieer (a Gmail client no one here wrote) syncs into, in tests/lieer.rs",
    ),
    deb(
        "python3-notmuch2",
        &[],
        "lieer's binding to notmuch, for Debian's python3 (tests/peers)",
    ),
    deb(
        "trayer",
        &["trayer"],
        "an X system tray on the test display, so the tray menu can be opened and shown (tests/accounts.rs)",
    ),
    deb(
        "binutils",
        &["readelf"],
        "reads the command-line binary's shared libraries (tests/lean_cli.rs)",
    ),
    deb(
        "xdotool",
        &["xdotool"],
        "clicks the tray icon on the test display to open its menu (tests/accounts.rs)",
    ),
    deb(
        "imagemagick",
        &["import"],
        "screenshots of the real X display (tests/e2e/harness.rs, README pictures)",
    ),
    deb(
        "nodejs",
        &["node"],
        "the UI's unit tests (node --test ui/tests/)",
    ),
    deb(
        "gcc-mingw-w64-x86-64",
        &["x86_64-w64-mingw32-gcc", "x86_64-w64-mingw32-windres"],
        "C dependencies and resources of the Windows check",
    ),
    deb(
        "desktop-file-utils",
        &["desktop-file-validate"],
        "`cargo xtask install-check` validates the package's desktop entry",
    ),
    deb(
        "npm",
        &["npm"],
        "installs Tauri's bundler, prebuilt, from the npm registry (`cargo xtask bundle`)",
    ),
    deb(
        "debootstrap",
        &["debootstrap"],
        "the throwaway Debian root of `cargo xtask fresh-check`",
    ),
    Need {
        source: Source::Cargo {
            krate: "tauri-driver",
            version: "2.1.0",
        },
        provides: &["tauri-driver"],
        why: "the WebDriver bridge the window tests (tests/e2e.rs) drive the app through",
    },
    Need {
        source: Source::Npm {
            package: PACKAGER,
            version: "2.12.4",
        },
        provides: &["tauri"],
        why: "Tauri's bundler: the .deb and .rpm of `cargo xtask bundle` (the same CLI as the \
              tauri-cli crate, prebuilt: seconds to install where building the crate takes \
              about 50 minutes on two cores)",
    },
    Need {
        source: Source::Cargo {
            krate: "cargo-fuzz",
            version: "0.13.2",
        },
        provides: &["cargo-fuzz"],
        why: "a minute of fuzzing the mail parser (src-tauri/core/fuzz/run.sh)",
    },
    Need {
        source: Source::RustTarget(WINDOWS_TARGET),
        provides: &[],
        why: "the Windows check (`cargo check --target x86_64-pc-windows-gnu`)",
    },
    Need {
        source: Source::RustTarget(MACOS_TARGET),
        provides: &[],
        why: "the macOS check of the code that needs no Apple SDK (`cargo xtask macos-check`)",
    },
];

/// Tauri's bundler, from the npm registry.
const PACKAGER: &str = "@tauri-apps/cli";

/// The Windows target the suite type-checks the whole workspace for.
const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";
/// The macOS target the platform-specific files are type-checked for.
const MACOS_TARGET: &str = "x86_64-apple-darwin";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run_app(&args[1..]),
        Some("test") => run_tests(),
        Some("deps") => ensure_needs(),
        Some("windows-check") => ensure_for_target(WINDOWS_TARGET).and_then(|()| windows_check()),
        Some("macos-check") => ensure_for_target(MACOS_TARGET).and_then(|()| macos::run()),
        Some("fresh-check") => fresh::run(),
        Some("bundle") => bundle::bundle(),
        Some("install-check") => bundle::install_check(),
        Some("package-check") => bundle::package_check(),
        _ => Err(
            "usage: cargo xtask run [-- ARGS…] | test | deps | windows-check | macos-check | fresh-check | bundle | install-check | package-check"
                .into(),
        ),
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

/// Runs `program args` as root: directly when we are root, else through sudo.
fn step_as_root(program: &str, args: &[&str]) -> Result<(), String> {
    if is_root() {
        step(program, args)
    } else {
        let mut all = vec![program];
        all.extend_from_slice(args);
        step("sudo", &all)
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn is_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

/// Installs whatever of [`NEEDS`] is missing: Debian packages (with sudo when not root; off
/// Debian it only lists them), crates.io tools, rustup targets.
fn ensure_needs() -> Result<(), String> {
    ensure_debian_packages()?;
    for need in NEEDS {
        match need.source {
            Source::Cargo { krate, version } => ensure_cargo_tool(krate, version, need)?,
            Source::RustTarget(target) => ensure_rust_target(target, need)?,
            Source::Npm { package, version } => {
                ensure_npm_tool(package, version, need)?;
            }
            Source::Debian(_) => {}
        }
    }
    Ok(())
}

/// Tauri's bundler from [`NEEDS`], installed if missing: the path of its program.
fn ensure_packager() -> Result<PathBuf, String> {
    for need in NEEDS {
        if let Source::Npm { package, version } = need.source {
            if package == PACKAGER {
                return ensure_npm_tool(package, version, need);
            }
        }
    }
    Err(format!("{PACKAGER} is not in NEEDS"))
}

/// The build's target directory: `CARGO_TARGET_DIR` when set (relative to here), else the
/// workspace's `target/`.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => std::path::absolute(&dir).unwrap_or_else(|_| dir.into()),
        _ => workspace_root().join("target"),
    }
}

/// Installs the npm `package` at exactly `version` into its own folder under the target
/// directory's `tools/` (nothing global, nothing in the user's home but npm's cache) and
/// returns the path of the program it provides.
fn ensure_npm_tool(package: &str, version: &str, need: &Need) -> Result<PathBuf, String> {
    let program = need
        .provides
        .first()
        .ok_or_else(|| format!("{package} provides no program"))?;
    let folder = format!(
        "{}@{version}",
        package.trim_start_matches('@').replace('/', "-")
    );
    let dir = target_dir().join("tools").join(folder);
    let bin = dir.join("node_modules/.bin").join(program);
    let works = |bin: &Path| {
        Command::new(bin)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !works(&bin) {
        eprintln!(
            "xtask: installing {package} {version} from the npm registry: {}",
            need.why
        );
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let dir_arg = dir.display().to_string();
        step(
            "npm",
            &[
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                &dir_arg,
                &format!("{package}@{version}"),
            ],
        )?;
        if !works(&bin) {
            return Err(format!(
                "{package} {version} was installed but {} does not run",
                bin.display()
            ));
        }
    }
    Ok(bin)
}

/// Whether `program` is an executable file in one of `PATH`'s folders.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| is_executable(&dir.join(program)))
    })
}

#[cfg(unix)]
fn is_executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Only Debian's packages are checked this way; elsewhere a file is enough.
#[cfg(not(unix))]
fn is_executable(file: &Path) -> bool {
    file.is_file()
}

/// What a check for another target alone needs: the Debian packages and that target.
fn ensure_for_target(target: &str) -> Result<(), String> {
    ensure_debian_packages()?;
    for need in NEEDS {
        if matches!(need.source, Source::RustTarget(t) if t == target) {
            ensure_rust_target(target, need)?;
        }
    }
    Ok(())
}

fn ensure_debian_packages() -> Result<(), String> {
    // Each package with the programs it provides.
    let packages: Vec<(&str, &[&str])> = NEEDS
        .iter()
        .filter_map(|n| match n.source {
            Source::Debian(p) => Some((p, n.provides)),
            _ => None,
        })
        .collect();
    if Command::new("dpkg-query")
        .arg("--version")
        .output()
        .is_err()
    {
        let names: Vec<&str> = packages.iter().map(|(p, _)| *p).collect();
        eprintln!("xtask: not a Debian system; install these (or your system's equivalents) by hand: {names:?}");
        return Ok(());
    }
    // A package whose programs are all on PATH already is there in every way that matters,
    // e.g. `npm`, which Node.js's own packages for Debian (NodeSource) carry and which then
    // conflicts with Debian's `npm`.
    let missing: Vec<&str> = packages
        .into_iter()
        .filter(|(p, provides)| {
            !is_installed(p) && (provides.is_empty() || !provides.iter().all(|x| on_path(x)))
        })
        .map(|(p, _)| p)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!(
        "xtask: installing missing Debian packages: {}",
        missing.join(" ")
    );
    step_as_root("apt-get", &["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq", "--no-install-recommends"];
    install.extend(&missing);
    step_as_root("apt-get", &install)
}

/// The directory `cargo install` puts programs in: where rustup's installer also puts
/// cargo, and what must be on PATH for the tests to find them.
fn cargo_bin_dir() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|d| d.join("bin"))
}

fn ensure_cargo_tool(krate: &str, version: &str, need: &Need) -> Result<(), String> {
    let listed = Command::new("cargo")
        .args(["install", "--list"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let wanted = format!("{krate} v{version}:");
    if !listed.lines().any(|l| l.starts_with(&wanted)) {
        eprintln!("xtask: installing {krate} {version}: {}", need.why);
        step(
            "cargo",
            &["install", krate, "--version", version, "--locked"],
        )?;
    }
    // Installed but unreachable is the same as missing for the tests that run it.
    for program in need.provides {
        if Command::new(program).arg("--help").output().is_err() {
            let dir = cargo_bin_dir().map(|d| d.display().to_string());
            return Err(format!(
                "{program} is installed but not on PATH; add {} to PATH (rustup's installer does)",
                dir.as_deref().unwrap_or("~/.cargo/bin")
            ));
        }
    }
    Ok(())
}

fn ensure_rust_target(target: &str, need: &Need) -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| {
            format!(
                "cannot run rustup ({e}): it adds the {target} standard library for {}",
                need.why
            )
        })?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == target)
    {
        return Ok(());
    }
    step("rustup", &["target", "add", target])
}

/// The whole workspace, every target kind, type-checked for Windows: what CI can check of
/// Windows without a Windows machine (nothing runs).
fn windows_check() -> Result<(), String> {
    step(
        "cargo",
        &[
            "check",
            "--workspace",
            "--all-targets",
            "--target",
            WINDOWS_TARGET,
        ],
    )
}

fn has_display() -> bool {
    std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// The app: a window when there is a display; in a terminal without one, a sync of the demo
/// mailbox with its progress bar.
fn run_app(extra: &[String]) -> Result<(), String> {
    ensure_debian_packages()?;
    // `inbox-sync SUBCOMMAND` execs the `inbox-sync-cli` beside it: build it too, so a
    // command never runs an older build of it.
    step(
        "cargo",
        &[
            "build",
            "--release",
            "--bin",
            "inbox-sync",
            "--bin",
            "inbox-sync-cli",
        ],
    )?;
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

/// Everything CI checks: formatting, lints, every test of the workspace, the UI's tests, the
/// Windows and macOS checks, the `.deb` built, installed, opened and removed
/// (`PACKAGE_CHECK=0` skips it, e.g. where the package is installed for real), then a minute
/// of fuzzing the mail parser (`FUZZ_SECONDS` changes how long; 0 skips it).
fn run_tests() -> Result<(), String> {
    if std::env::var_os("CI").is_some() && std::env::var_os("CARGO_INCREMENTAL").is_none() {
        // A CI build is made once and thrown away: incremental state would only take disk
        // (about a third of a debug target).
        std::env::set_var("CARGO_INCREMENTAL", "0");
    }
    warn_if_disk_short();
    ensure_needs()?;
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
    step("node", &["--test", "ui/tests/"])?;
    windows_check()?;
    macos::run()?;
    if std::env::var("PACKAGE_CHECK").is_ok_and(|v| v.trim() == "0") {
        eprintln!("xtask: PACKAGE_CHECK=0: the .deb is not built, installed or tested");
    } else {
        bundle::package_check()?;
    }
    let seconds = std::env::var("FUZZ_SECONDS").unwrap_or_else(|_| "60".into());
    if seconds.trim() == "0" {
        eprintln!("xtask: FUZZ_SECONDS=0: not fuzzing");
        return Ok(());
    }
    step("bash", &["src-tauri/core/fuzz/run.sh", seconds.trim()])
}

/// A build from nothing and its tests take about 20 GB under `target/`; with less free, the
/// linker dies late and obscurely (SIGBUS), so say so up front.
fn warn_if_disk_short() {
    const NEEDED_GB: u64 = 25;
    let Ok(out) = Command::new("df").args(["-Pk", "."]).output() else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let free_kb = text
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(kb) = free_kb {
        let gb = kb / (1024 * 1024);
        eprintln!("xtask: {gb} GB free on this disk");
        if gb < NEEDED_GB {
            eprintln!(
                "xtask: warning: a build from nothing needs about {NEEDED_GB} GB; with {gb} GB \
                 free the build may fail (a linker killed by SIGBUS means the disk filled)"
            );
        }
    }
}

/// Runs `cmd` with its stdout and stderr going to the terminal and to `log`, and returns its
/// success and the last `keep` lines.
fn run_logged(mut cmd: Command, log: &Path, keep: usize) -> Result<(bool, Vec<String>), String> {
    let mut file =
        std::fs::File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let started = Instant::now();
    let mut tail = std::collections::VecDeque::with_capacity(keep + 1);
    let stdout = child.stdout.take().expect("piped stdout");
    for line in BufReader::new(stdout).split(b'\n') {
        let Ok(line) = line else { break };
        let line = String::from_utf8_lossy(&line).into_owned();
        let stamped = format!("[{:>5}s] {line}", started.elapsed().as_secs());
        println!("{stamped}");
        let _ = writeln!(file, "{stamped}");
        tail.push_back(line);
        if tail.len() > keep {
            tail.pop_front();
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for {cmd:?}: {e}"))?;
    Ok((status.success(), tail.into()))
}
