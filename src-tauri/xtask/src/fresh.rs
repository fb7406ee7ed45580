//! `cargo xtask fresh-check`: the project's CI (`.ci/run`) on a throwaway fresh Debian, so a
//! program installed by hand on this machine cannot hide a gap in [`crate::NEEDS`].
//!
//! The root is made with debootstrap (minbase: no compiler, no git, no Python), gets this
//! machine's Rust as rustup installs it (rustup, its proxies in `~/.cargo/bin` on PATH, and the
//! active toolchain with only the host's standard library) and what a fresh Debian with Rust has
//! besides (a C compiler and linker, git, ca-certificates), then a clone of this checkout's
//! HEAD in `/root/project` (a private home folder, as a real user's). `.ci/run` runs there in a
//! chroot with /proc, /dev and /dev/pts mounted; they are unmounted afterwards whatever
//! happened, and the root is deleted only once nothing is mounted in it.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::{ensure_debian_packages, run_logged, step};

/// What a fresh Debian machine with Rust is assumed to have besides Rust: rustup's installer
/// needs a C linker, and a checkout needs git and the certificate store.
const FRESH_MINIMUM: &[&str] = &["gcc", "libc6-dev", "git", "ca-certificates"];

/// How many lines of the run are printed at the end.
const TAIL_LINES: usize = 40;

/// rustup's proxies: the commands rustup's installer puts in `~/.cargo/bin`.
const RUSTUP_PROXIES: &[&str] = &[
    "cargo",
    "rustc",
    "rustdoc",
    "cargo-clippy",
    "clippy-driver",
    "cargo-fmt",
    "rustfmt",
];

pub fn run() -> Result<(), String> {
    if !crate::is_root() {
        return Err("fresh-check needs root (debootstrap, mount, chroot); run it as root".into());
    }
    ensure_debian_packages()?;
    let workspace = workspace_root();
    let commit = git_output(&workspace, &["rev-parse", "HEAD"])?;
    if !git_output(&workspace, &["status", "--porcelain"])?.is_empty() {
        eprintln!(
            "xtask: note: uncommitted changes are not checked; the fresh root gets commit {commit}"
        );
    }
    let root = std::env::var_os("FRESH_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(format!("/var/tmp/inbox-sync-fresh-{}", std::process::id()))
        });
    let log_dir = workspace.join("target").join("fresh-check");
    std::fs::create_dir_all(&log_dir).map_err(|e| format!("cannot create {log_dir:?}: {e}"))?;
    let log = log_dir.join(format!("fresh-check-{}.log", &commit[..12]));

    let started = Instant::now();
    let result = build_root(&root, &workspace, &commit).and_then(|()| {
        let mounts = Mounts::mount(&root)?;
        let outcome = run_inside(&root, &log);
        drop(mounts);
        outcome
    });
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let cleaned = remove_root(&root);
    match result {
        Ok((passed, tail)) => {
            println!(
                "\n==== fresh-check of {} ({}): {:.1} min; log {}",
                &commit[..12],
                if passed { "PASSED" } else { "FAILED" },
                minutes,
                log.display()
            );
            for line in &tail {
                println!("  | {line}");
            }
            cleaned?;
            if passed {
                Ok(())
            } else {
                Err(format!(
                    ".ci/run failed in the fresh root after {minutes:.1} min"
                ))
            }
        }
        Err(e) => {
            let _ = cleaned;
            Err(format!(
                "fresh-check could not run after {minutes:.1} min: {e}"
            ))
        }
    }
}

/// The workspace this xtask belongs to (src-tauri/xtask → two levels up).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("xtask lives two levels below the workspace")
        .to_owned()
}

fn git_output(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The Debian mirror and release this machine's apt uses (a fresh machine of the same kind).
fn mirror_and_suite() -> (String, String) {
    let sources =
        std::fs::read_to_string("/etc/apt/sources.list.d/debian.sources").unwrap_or_default();
    let mirror = sources
        .lines()
        .find_map(|l| l.strip_prefix("URIs:"))
        .map(|u| u.trim().to_owned())
        .unwrap_or_else(|| "http://deb.debian.org/debian".into());
    let os = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let suite = os
        .lines()
        .find_map(|l| l.strip_prefix("VERSION_CODENAME="))
        .map(|s| s.trim_matches('"').to_owned())
        .unwrap_or_else(|| "bookworm".into());
    (mirror, suite)
}

/// debootstrap, then Rust, then the network's settings, then the clone.
fn build_root(root: &Path, workspace: &Path, commit: &str) -> Result<(), String> {
    if root.exists() {
        return Err(format!(
            "{} already exists; remove it or set FRESH_ROOT elsewhere",
            root.display()
        ));
    }
    let (mirror, suite) = mirror_and_suite();
    let root_s = root.to_str().ok_or("the root path is not UTF-8")?;
    step(
        "debootstrap",
        &["--variant=minbase", &suite, root_s, &mirror],
    )?;
    copy_rust(root)?;
    // This machine's name resolution and trust store: the registries are reached through
    // this machine's network, which may inspect TLS with its own authority.
    copy_into(root, Path::new("/etc/resolv.conf"))?;
    for extra in [
        "/usr/local/share/ca-certificates",
        "/etc/ssl/certs/ca-certificates.crt",
    ] {
        if Path::new(extra).exists() {
            copy_into(root, Path::new(extra))?;
        }
    }
    let project = root.join("root/project");
    let project_s = project.to_str().ok_or("the root path is not UTF-8")?;
    let workspace_s = workspace.to_str().ok_or("the checkout path is not UTF-8")?;
    step(
        "git",
        &[
            "clone",
            "-q",
            "--no-local",
            "--no-checkout",
            workspace_s,
            project_s,
        ],
    )?;
    step(
        "git",
        &["-C", project_s, "checkout", "-q", "--detach", commit],
    )
}

/// Copies `path` (file or directory) to the same place inside `root`.
fn copy_into(root: &Path, path: &Path) -> Result<(), String> {
    let inside = root.join(path.strip_prefix("/").unwrap_or(path));
    if let Some(parent) = inside.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("mkdir {parent:?}: {e}"))?;
    }
    if path.is_dir() {
        std::fs::create_dir_all(&inside).map_err(|e| format!("mkdir {inside:?}: {e}"))?;
        let from = format!("{}/.", path.display());
        step("cp", &["-a", &from, inside.to_str().unwrap_or_default()])
    } else {
        std::fs::copy(path, &inside)
            .map(drop)
            .map_err(|e| format!("copy {} into the root: {e}", path.display()))
    }
}

/// Rust as rustup installs it, and nothing else of this machine's `~/.cargo`: rustup, its
/// proxies and the active toolchain (its extra targets are removed inside the root).
fn copy_rust(root: &Path) -> Result<(), String> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    let sysroot = sysroot
        .canonicalize()
        .map_err(|e| format!("rustc's sysroot {sysroot:?}: {e}"))?;
    let toolchain = sysroot
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("rustc's sysroot has no name")?
        .to_owned();
    let in_rustup = sysroot
        .parent()
        .is_some_and(|p| p.file_name().is_some_and(|n| n == "toolchains"));
    let rustup = which("rustup");
    let (true, Some(rustup)) = (in_rustup, rustup) else {
        return Err(
            "fresh-check copies in Rust as rustup installs it; this Rust is not from rustup".into(),
        );
    };
    let bin = root.join("root/.cargo/bin");
    std::fs::create_dir_all(&bin).map_err(|e| format!("mkdir {bin:?}: {e}"))?;
    std::fs::copy(&rustup, bin.join("rustup")).map_err(|e| format!("copy rustup: {e}"))?;
    for proxy in RUSTUP_PROXIES {
        std::fs::hard_link(bin.join("rustup"), bin.join(proxy))
            .map_err(|e| format!("link {proxy}: {e}"))?;
    }
    let home = root.join("root/.rustup");
    let target = home.join("toolchains").join(&toolchain);
    std::fs::create_dir_all(&target).map_err(|e| format!("mkdir {target:?}: {e}"))?;
    let from = format!("{}/.", sysroot.display());
    step("cp", &["-a", &from, target.to_str().unwrap_or_default()])?;
    std::fs::write(
        home.join("settings.toml"),
        format!("version = \"12\"\ndefault_toolchain = \"{toolchain}\"\nprofile = \"default\"\n"),
    )
    .map_err(|e| format!("write rustup settings: {e}"))
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

/// The mounts a chroot needs; unmounted (innermost first) when dropped, on every path out.
struct Mounts {
    mounted: Vec<PathBuf>,
}

impl Mounts {
    fn mount(root: &Path) -> Result<Self, String> {
        let mut mounts = Mounts { mounted: vec![] };
        let proc_dir = root.join("proc");
        step("mount", &["-t", "proc", "proc", path_str(&proc_dir)?])?;
        mounts.mounted.push(proc_dir);
        // /dev recursively, so /dev/pts (terminals for apt and the tests) and /dev/shm come
        // along; rslave, so unmounting inside never reaches this machine's /dev.
        let dev = root.join("dev");
        step("mount", &["--rbind", "/dev", path_str(&dev)?])?;
        mounts.mounted.push(dev.clone());
        step("mount", &["--make-rslave", path_str(&dev)?])?;
        Ok(mounts)
    }
}

impl Drop for Mounts {
    fn drop(&mut self) {
        for dir in self.mounted.iter().rev() {
            let Some(d) = dir.to_str() else { continue };
            if step("umount", &["-R", d]).is_err() {
                // Busy (a straggler process): detach now, freed when it ends.
                let _ = step("umount", &["-R", "-l", d]);
            }
        }
    }
}

fn path_str(p: &Path) -> Result<&str, String> {
    p.to_str().ok_or_else(|| format!("{p:?} is not UTF-8"))
}

/// The fresh machine's life: its minimum, then `.ci/run` from the clone.
fn run_inside(root: &Path, log: &Path) -> Result<(bool, Vec<String>), String> {
    let script = format!(
        r#"set -eu
exec 2>&1
echo "== the fresh machine's minimum: {minimum}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends {minimum} >/dev/null
# Rust as rustup installs it: only the host's standard library.
host=$(rustc -vV | sed -n 's/^host: //p')
for t in $(rustup target list --installed); do
  if [ "$t" != "$host" ]; then rustup target remove "$t"; fi
done
rustc --version; cargo --version; rustup target list --installed
cd /root/project
echo "== .ci/run at $(git rev-parse --short HEAD)"
start=$(date +%s)
status=0
.ci/run || status=$?
echo "== .ci/run ended with status $status after $(( ($(date +%s) - start) / 60 )) min"
exit $status
"#,
        minimum = FRESH_MINIMUM.join(" ")
    );
    let mut cmd = Command::new("chroot");
    cmd.arg(root)
        .args(["/usr/bin/env", "-i"])
        .args([
            "HOME=/root",
            "USER=root",
            "LANG=C.UTF-8",
            "TERM=dumb",
            "DEBIAN_FRONTEND=noninteractive",
            // As rustup's installer leaves it: ~/.cargo/bin first.
            "PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ])
        .args(["/bin/bash", "-c", &script]);
    run_logged(cmd, log, TAIL_LINES)
}

/// Deletes the root, but only when nothing is mounted inside it any more.
fn remove_root(root: &Path) -> Result<(), String> {
    if std::env::var_os("FRESH_KEEP").is_some() || !root.exists() {
        return Ok(());
    }
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let prefix = format!("{}/", root.display());
    if let Some(still) = mountinfo
        .lines()
        .filter_map(|l| l.split_whitespace().nth(4))
        .find(|m| m.starts_with(&prefix) || *m == root.to_str().unwrap_or_default())
    {
        return Err(format!(
            "{still} is still mounted; not deleting {} (unmount it, then delete it)",
            root.display()
        ));
    }
    step("rm", &["-rf", "--one-file-system", path_str(root)?])
}
