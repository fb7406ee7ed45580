//! `cargo xtask bundle`: the release app as a `.deb` and an `.rpm` (Tauri's bundler, the
//! pinned `@tauri-apps/cli` in [`crate::NEEDS`]); `cargo xtask install-check`: that `.deb`
//! installed on this machine with apt, its command line and desktop entry checked, its window
//! opened and synced under Xvfb (tests/package.rs), then removed without leaving a file
//! behind, while the user's data directory stays. `cargo xtask package-check` is both, and
//! part of `cargo xtask test`.
//!
//! AppImage is left out: its tools are downloaded from outside the package registries.
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{ensure_debian_packages, ensure_packager, step, step_as_root, target_dir};

/// The Debian package's name, as the bundler derives it from `productName`.
const PACKAGE: &str = "inbox-sync";
/// Where the package puts the app's command.
const INSTALLED_BINARY: &str = "/usr/bin/inbox-sync";
/// The command line without the window's libraries, which `inbox-sync SUBCOMMAND` execs.
const INSTALLED_CLI: &str = "/usr/bin/inbox-sync-cli";
/// Libraries of the window only: the installed command line must not map them.
const GUI_LIBRARIES: [&str; 3] = ["libwebkit2gtk", "libjavascriptcoregtk", "libgtk-3"];
/// How tests/package.rs learns which binary to launch.
const INSTALLED_APP_VAR: &str = "INBOX_SYNC_INSTALLED_APP";

/// The packages built, then the `.deb` installed, used and removed.
pub fn package_check() -> Result<(), String> {
    bundle()?;
    install_check()
}

pub fn bundle() -> Result<(), String> {
    ensure_debian_packages()?;
    let tauri = ensure_packager()?;
    // The bundler finds tauri.conf.json from where it runs.
    std::env::set_current_dir(crate::workspace_root())
        .map_err(|e| format!("cannot enter the workspace: {e}"))?;
    let started = Instant::now();
    // `--ci`: no prompts. The bundler builds the release binary itself (with the frontend
    // embedded) and reads the bundle section of tauri.conf.json.
    let tauri = tauri.display().to_string();
    step(&tauri, &["build", "--ci", "--bundles", "deb,rpm"])?;
    eprintln!(
        "xtask: release build and packages in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    for package in [find_package("deb")?, find_package("rpm")?] {
        let size = std::fs::metadata(&package).map(|m| m.len()).unwrap_or(0);
        eprintln!(
            "xtask: {} ({:.1} MB)",
            package.display(),
            size as f64 / 1_000_000.0
        );
    }
    Ok(())
}

/// The newest package of `kind` (`deb`, `rpm`) the bundler left in `target/release/bundle`.
fn find_package(kind: &str) -> Result<PathBuf, String> {
    let dir = target_dir().join("release/bundle").join(kind);
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        format!(
            "no {kind} bundle in {} ({e}); run `cargo xtask bundle`",
            dir.display()
        )
    })?;
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == kind))
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .ok_or_else(|| format!("no .{kind} in {}; run `cargo xtask bundle`", dir.display()))
}

/// Output of a command that must succeed.
fn output(program: &str, args: &[&str], envs: &[(&str, &Path)]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_os_str())))
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "`{program} {}` failed ({}): {text}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

pub fn install_check() -> Result<(), String> {
    ensure_debian_packages()?;
    let deb = find_package("deb")?;
    if crate::is_installed(PACKAGE) {
        return Err(format!(
            "{PACKAGE} is already installed here; remove it first (apt-get remove {PACKAGE}) so the check starts clean"
        ));
    }
    // The window test is built first, so the time from install to window is the package's.
    step("cargo", &["test", "--test", "package", "--no-run"])?;
    let started = Instant::now();
    // apt resolves the package's dependencies (WebKitGTK, the tray library) as a user's would.
    let deb_arg = deb.display().to_string();
    step_as_root("apt-get", &["install", "-y", "-qq", &deb_arg])?;
    eprintln!(
        "xtask: installed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let data = tempdir("inbox-sync-install-check")?;
    let checked = check_installed(&data).and_then(|()| window_check(started));
    let files = output("dpkg-query", &["-L", PACKAGE], &[]).unwrap_or_default();
    step_as_root("apt-get", &["remove", "-y", "-qq", PACKAGE])?;
    let kept = data_kept(&data);
    let _ = std::fs::remove_dir_all(&data);
    checked?;
    let left: Vec<&str> = files.lines().filter(|f| Path::new(f).is_file()).collect();
    if !left.is_empty() {
        return Err(format!("removing the package left files behind: {left:?}"));
    }
    if !kept {
        return Err(format!(
            "the user's data directory {} did not survive removing the package",
            data.display()
        ));
    }
    eprintln!("xtask: install-check passed: installed, ran, removed with nothing left");
    Ok(())
}

/// What a user gets from the installed package: the command on PATH, a valid desktop entry
/// naming it, the icons, and nothing written in anyone's home at install time.
fn check_installed(data: &Path) -> Result<(), String> {
    let version = output(INSTALLED_BINARY, &["--version"], &[])?;
    if !version.starts_with("inbox-sync ") {
        return Err(format!("`inbox-sync --version` says {version:?}"));
    }
    let which = output("sh", &["-c", "command -v inbox-sync"], &[])?;
    if which.trim() != INSTALLED_BINARY {
        return Err(format!(
            "inbox-sync on PATH is {which:?}, not the package's"
        ));
    }
    check_installed_cli()?;
    let envs = [("INBOX_SYNC_DATA_DIR", data)];
    output(INSTALLED_BINARY, &["sync", "--demo"], &envs)?;
    let status = output(INSTALLED_BINARY, &["status"], &envs)?;
    if !data_kept(data) {
        return Err("`inbox-sync sync --demo` wrote nothing in its data directory".into());
    }
    eprintln!(
        "xtask: installed `inbox-sync status` says: {}",
        status.trim()
    );

    let files = output("dpkg-query", &["-L", PACKAGE], &[])?;
    let desktop = files
        .lines()
        .find(|f| f.starts_with("/usr/share/applications/") && f.ends_with(".desktop"))
        .ok_or_else(|| format!("the package has no desktop entry: {files}"))?;
    output("desktop-file-validate", &[desktop], &[])?;
    let entry =
        std::fs::read_to_string(desktop).map_err(|e| format!("cannot read {desktop}: {e}"))?;
    if !entry.lines().any(|l| l == "Exec=inbox-sync") {
        return Err(format!(
            "the desktop entry does not start inbox-sync: {entry}"
        ));
    }
    let icons: Vec<&str> = files
        .lines()
        .filter(|f| f.starts_with("/usr/share/icons/hicolor/") && f.ends_with(".png"))
        .collect();
    if icons.is_empty() || !icons.iter().all(|i| Path::new(i).is_file()) {
        return Err(format!("the package's icons are not in place: {icons:?}"));
    }
    if let Some(home) = files
        .lines()
        .find(|f| f.starts_with("/home/") || f.starts_with("/root/"))
    {
        return Err(format!(
            "the package installs into a home directory: {home}"
        ));
    }
    eprintln!(
        "xtask: desktop entry {desktop} is valid; {} icons",
        icons.len()
    );
    Ok(())
}

/// The package's `inbox-sync-cli` runs, and the installed `inbox-sync SUBCOMMAND` becomes it
/// (same process) without mapping the window's libraries: seen on a `fake-gmail`, which
/// stays up until killed.
fn check_installed_cli() -> Result<(), String> {
    let version = output(INSTALLED_CLI, &["--version"], &[])?;
    if !version.starts_with("inbox-sync ") {
        return Err(format!("`inbox-sync-cli --version` says {version:?}"));
    }
    let mut fake = Command::new(INSTALLED_BINARY)
        .args(["fake-gmail", "--messages", "10", "--quota", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run {INSTALLED_BINARY} fake-gmail: {e}"))?;
    let seen = (|| {
        let mut line = String::new();
        let stdout = fake.stdout.take().ok_or("no output from fake-gmail")?;
        // The URL is printed once the command has started: the exec is behind it.
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("reading fake-gmail's output: {e}"))?;
        if !line.starts_with("http://") {
            return Err(format!("`inbox-sync fake-gmail` printed {line:?}"));
        }
        let pid = fake.id();
        let exe = std::fs::read_link(format!("/proc/{pid}/exe"))
            .map_err(|e| format!("cannot read /proc/{pid}/exe: {e}"))?;
        if exe != Path::new(INSTALLED_CLI) {
            return Err(format!(
                "`inbox-sync fake-gmail` runs {}, not {INSTALLED_CLI}",
                exe.display()
            ));
        }
        let maps = std::fs::read_to_string(format!("/proc/{pid}/maps"))
            .map_err(|e| format!("cannot read /proc/{pid}/maps: {e}"))?;
        let gui: Vec<&str> = maps
            .lines()
            .filter_map(|l| l.split_whitespace().nth(5))
            .filter(|f| {
                let name = f.rsplit('/').next().unwrap_or(f);
                GUI_LIBRARIES.iter().any(|lib| name.starts_with(lib))
            })
            .collect();
        if !gui.is_empty() {
            return Err(format!(
                "the installed command line maps the window's libraries: {gui:?}"
            ));
        }
        Ok(())
    })();
    let _ = fake.kill();
    let _ = fake.wait();
    seen?;
    eprintln!(
        "xtask: installed `inbox-sync fake-gmail` ran as {INSTALLED_CLI}, no GUI library mapped"
    );
    Ok(())
}

/// The installed app in a real window: tests/package.rs, told where the package put it.
fn window_check(installed_at: Instant) -> Result<(), String> {
    let test = "the_installed_app_opens_its_window_and_syncs_the_demo_mailbox";
    let args = [
        "test",
        "--test",
        "package",
        "--",
        "--ignored",
        "--exact",
        test,
        "--nocapture",
    ];
    eprintln!(
        "xtask: $ {INSTALLED_APP_VAR}={INSTALLED_BINARY} cargo {}",
        args.join(" ")
    );
    let status = Command::new("cargo")
        .args(args)
        .current_dir(crate::workspace_root())
        .env(INSTALLED_APP_VAR, INSTALLED_BINARY)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the installed app's window test failed ({status})"));
    }
    eprintln!(
        "xtask: installed, its command line and desktop entry checked, its window opened and synced {:.1} s after `apt-get install` began",
        installed_at.elapsed().as_secs_f64()
    );
    Ok(())
}

fn tempdir(prefix: &str) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// Whether the data directory still holds what the installed app wrote there.
fn data_kept(data: &Path) -> bool {
    std::fs::read_dir(data).is_ok_and(|mut d| d.next().is_some())
}
