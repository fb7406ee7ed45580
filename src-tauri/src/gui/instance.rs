//! One window process per data directory: the first launch holds `gui.lock` and listens on
//! `gui.sock`; a second launch on the same directory asks it to show its window and exits.
//! Launches on other directories are independent (so tests can run side by side), and the
//! command line is not affected — the ledger guards syncs whoever starts them.
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

pub enum Claim {
    /// This process is the window process; keep the guard alive while it runs.
    Primary(File),
    /// Another window process owns the data directory.
    Secondary,
}

pub fn claim(data_dir: &Path) -> std::io::Result<Claim> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join("gui.lock"))?;
    match file.try_lock() {
        Ok(()) => Ok(Claim::Primary(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(Claim::Secondary),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join("gui.sock")
}

/// Asks the window process of `data_dir` to show itself.
pub fn ask_primary_to_show(data_dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut stream = std::os::unix::net::UnixStream::connect(socket_path(data_dir))?;
        stream.write_all(b"show\n")
    }
    #[cfg(not(unix))]
    {
        let _ = data_dir;
        Ok(())
    }
}

/// Calls `on_show` whenever a second launch knocks.
pub fn listen(data_dir: &Path, on_show: impl Fn() + Send + 'static) {
    #[cfg(unix)]
    {
        let path = socket_path(data_dir);
        // We hold the lock, so a leftover socket is from a process that died.
        let _ = std::fs::remove_file(&path);
        match std::os::unix::net::UnixListener::bind(&path) {
            Ok(listener) => {
                std::thread::spawn(move || {
                    for stream in listener.incoming() {
                        if stream.is_ok() {
                            on_show();
                        }
                    }
                });
            }
            Err(e) => tracing::warn!(error = %e, "second launches cannot reach this window"),
        }
    }
    #[cfg(not(unix))]
    let _ = (data_dir, on_show);
}
