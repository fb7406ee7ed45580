//! One window process per data directory: the first launch holds `gui.lock` and listens on
//! `gui.sock` (a unix socket; on Windows a loopback TCP port recorded in `gui.port`); a second
//! launch on the same directory asks it to show its window and exits.
//! Launches on other directories are independent (so tests can run side by side), and the
//! command line is not affected — the ledger guards syncs whoever starts them.
use std::fs::File;
use std::io::{Read, Write};
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

/// Unix: a socket file in the data directory, reachable only through the directory.
#[cfg(unix)]
fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join("gui.sock")
}

/// Elsewhere (Windows): a loopback TCP port, written to this file by the window process.
#[cfg(not(unix))]
fn port_path(data_dir: &Path) -> PathBuf {
    data_dir.join("gui.port")
}

/// What a second launch sends; anything else on the port is ignored.
const KNOCK: &[u8] = b"show\n";

/// Asks the window process of `data_dir` to show itself.
pub fn ask_primary_to_show(data_dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    let mut stream = std::os::unix::net::UnixStream::connect(socket_path(data_dir))?;
    #[cfg(not(unix))]
    let mut stream = {
        let text = std::fs::read_to_string(port_path(data_dir))?;
        let port: u16 = text.trim().parse().map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} holds no port: {text:?}", port_path(data_dir).display()),
            )
        })?;
        std::net::TcpStream::connect(("127.0.0.1", port))?
    };
    stream.write_all(KNOCK)
}

/// Calls `on_show` whenever a second launch knocks.
pub fn listen(data_dir: &Path, on_show: impl Fn() + Send + 'static) {
    #[cfg(unix)]
    let bound = {
        let path = socket_path(data_dir);
        // We hold the lock, so a leftover socket is from a process that died.
        let _ = std::fs::remove_file(&path);
        std::os::unix::net::UnixListener::bind(&path)
    };
    #[cfg(not(unix))]
    let bound = bind_loopback(data_dir);
    match bound {
        Ok(listener) => {
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    if knocked(stream) {
                        on_show();
                    }
                }
            });
        }
        Err(e) => tracing::warn!(error = %e, "second launches cannot reach this window"),
    }
}

/// Port 0: the OS picks a free one, recorded for second launches (a leftover file is from
/// a process that died, since we hold the lock).
#[cfg(not(unix))]
fn bind_loopback(data_dir: &Path) -> std::io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    std::fs::write(
        port_path(data_dir),
        listener.local_addr()?.port().to_string(),
    )?;
    Ok(listener)
}

/// Whether the connection carries the knock. Any local program can reach a loopback port,
/// so it must say the word, within a second (a silent client cannot stall the listener).
fn knocked(mut stream: impl Read + Timed) -> bool {
    let _ = stream.read_deadline(std::time::Duration::from_secs(1));
    let mut knock = [0u8; KNOCK.len()];
    stream.read_exact(&mut knock).is_ok() && knock == KNOCK
}

/// A stream whose reads can be given a deadline.
trait Timed {
    fn read_deadline(&self, limit: std::time::Duration) -> std::io::Result<()>;
}

#[cfg(unix)]
impl Timed for std::os::unix::net::UnixStream {
    fn read_deadline(&self, limit: std::time::Duration) -> std::io::Result<()> {
        self.set_read_timeout(Some(limit))
    }
}

#[cfg(not(unix))]
impl Timed for std::net::TcpStream {
    fn read_deadline(&self, limit: std::time::Duration) -> std::io::Result<()> {
        self.set_read_timeout(Some(limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// A second launch on the same data directory is told apart and its knock reaches the
    /// first (unix socket here, loopback TCP on Windows); a stranger's bytes show nothing.
    #[test]
    fn second_launch_knocks_on_the_first() {
        let dir = tempfile::tempdir().expect("temp dir");
        let _guard = match claim(dir.path()).expect("claim a fresh directory") {
            Claim::Primary(guard) => guard,
            Claim::Secondary => panic!("the first launch must be the primary"),
        };
        assert!(
            matches!(claim(dir.path()), Ok(Claim::Secondary)),
            "a second launch on the same directory is secondary while the first holds the lock"
        );
        let (tx, rx) = mpsc::channel();
        listen(dir.path(), move || {
            let _ = tx.send(());
        });
        #[cfg(unix)]
        {
            use std::os::unix::net::UnixStream;
            let mut stranger =
                UnixStream::connect(socket_path(dir.path())).expect("the listener is bound");
            stranger.write_all(b"hello").expect("write");
        }
        ask_primary_to_show(dir.path()).expect("the knock is delivered");
        rx.recv_timeout(Duration::from_secs(5))
            .expect("the first launch is asked to show its window within 5 s");
        assert!(
            rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "only the real knock shows the window, not the stranger's bytes"
        );
    }
}
