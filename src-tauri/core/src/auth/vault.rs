//! Where the refresh token (and the client secret it needs) is kept: the OS keyring when
//! there is one (Secret Service on Linux, the Keychain on macOS, the Credential Manager on
//! Windows), else `credentials.json` in the data directory, private to the user: mode 0600 on
//! Linux and macOS; on Windows the data directory is under the user's profile
//! (`%APPDATA%`), whose ACL (inherited by new files) grants access only to the user, SYSTEM
//! and Administrators. Never in the database, the settings file, the window or a log line.
use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::AuthError;
use crate::gmail::Secret;

/// The keyring's service name: the app's identifier.
const SERVICE: &str = "dev.inboxsync.app";
pub const CREDENTIALS_FILE: &str = "credentials.json";
/// The OS store the keyring crate is built for on this platform (see Cargo.toml).
#[cfg(target_os = "macos")]
const KEYRING_NAME: &str = "macOS Keychain";
#[cfg(windows)]
const KEYRING_NAME: &str = "Windows Credential Manager";
#[cfg(not(any(target_os = "macos", windows)))]
const KEYRING_NAME: &str = "Secret Service";
/// A keyring that has not answered by then (a D-Bus service that hangs) counts as absent.
const KEYRING_LIMIT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenStoreKind {
    Keyring,
    File,
}

/// Which store to use: `INBOX_SYNC_TOKEN_STORE=auto|keyring|file` (default auto: the
/// keyring when it works, else the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VaultPreference {
    Auto,
    Keyring,
    File,
}

impl VaultPreference {
    pub fn from_env() -> Result<Self, AuthError> {
        match std::env::var("INBOX_SYNC_TOKEN_STORE").as_deref() {
            Err(_) | Ok("") | Ok("auto") => Ok(Self::Auto),
            Ok("keyring") => Ok(Self::Keyring),
            Ok("file") => Ok(Self::File),
            Ok(other) => Err(AuthError::Storage(format!(
                "INBOX_SYNC_TOKEN_STORE={other:?} must be auto, keyring or file"
            ))),
        }
    }
}

/// What a sync needs to renew access tokens.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: Secret,
    pub token_uri: String,
    pub refresh_token: Secret,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    client_id: String,
    client_secret: String,
    token_uri: String,
    refresh_token: String,
}

impl Credentials {
    fn to_json(&self) -> String {
        serde_json::to_string(&Stored {
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.expose().to_owned(),
            token_uri: self.token_uri.clone(),
            refresh_token: self.refresh_token.expose().to_owned(),
        })
        .unwrap_or_default()
    }

    fn from_json(text: &str, place: &str) -> Result<Self, AuthError> {
        let s: Stored = serde_json::from_str(text).map_err(|_| {
            AuthError::SignInRequired(format!(
                "the saved sign-in in {place} is damaged; connect Gmail again"
            ))
        })?;
        Ok(Self {
            client_id: s.client_id,
            client_secret: Secret::new(s.client_secret),
            token_uri: s.token_uri,
            refresh_token: Secret::new(s.refresh_token),
        })
    }
}

/// The credential store of one data directory.
#[derive(Debug, Clone)]
pub struct Vault {
    data_dir: PathBuf,
    preference: VaultPreference,
}

impl Vault {
    pub fn new(data_dir: &Path, preference: VaultPreference) -> Self {
        Self {
            data_dir: data_dir.to_owned(),
            preference,
        }
    }

    /// The account's credentials file (when there is no keyring): in the account's own
    /// folder, beside its record and database, so no file holds two accounts' tokens.
    pub fn file_path(&self, account: &str) -> PathBuf {
        super::account::folder_of(&self.data_dir, account).join(CREDENTIALS_FILE)
    }

    /// The keyring entry's user name: the account and the data directory, so two data
    /// directories signed in to the same account keep separate entries.
    fn keyring_user(&self, account: &str) -> String {
        format!("{account} ({})", self.data_dir.display())
    }

    /// Words for where the token is, for `account status` and the Settings page.
    pub fn describe(&self, account: &str, kind: TokenStoreKind) -> String {
        match kind {
            TokenStoreKind::Keyring => format!("the system keyring ({KEYRING_NAME})"),
            TokenStoreKind::File => {
                format!(
                    "{} (readable only by you)",
                    self.file_path(account).display()
                )
            }
        }
    }

    /// Saves the credentials (blocking; call from a blocking thread) and says where.
    pub fn save(
        &self,
        account: &str,
        credentials: &Credentials,
    ) -> Result<TokenStoreKind, AuthError> {
        if self.preference != VaultPreference::File {
            match keyring_call(self.keyring_user(account), {
                let json = credentials.to_json();
                move |entry| {
                    entry.set_password(&json)?;
                    // Read back: some keyrings accept writes they cannot return.
                    let back = entry.get_password()?;
                    Ok((back == json).then_some(()))
                }
            }) {
                Ok(Some(())) => {
                    let _ = remove_file(&self.file_path(account));
                    return Ok(TokenStoreKind::Keyring);
                }
                Ok(None) if self.preference == VaultPreference::Keyring => {
                    return Err(AuthError::Keyring(
                        "the keyring did not keep the token".into(),
                    ))
                }
                Err(e) if self.preference == VaultPreference::Keyring => return Err(e),
                Ok(None) | Err(_) => {
                    tracing::info!(
                        "no usable keyring; keeping the token in a file readable only by you"
                    )
                }
            }
        }
        write_private(&self.file_path(account), credentials.to_json().as_bytes())?;
        Ok(TokenStoreKind::File)
    }

    /// Loads the credentials from where they were saved (blocking).
    pub fn load(&self, account: &str, kind: TokenStoreKind) -> Result<Credentials, AuthError> {
        match kind {
            TokenStoreKind::Keyring => {
                let json = keyring_call(self.keyring_user(account), |entry| {
                    match entry.get_password() {
                        Ok(p) => Ok(Some(p)),
                        Err(keyring::Error::NoEntry) => Ok(None),
                        Err(e) => Err(e),
                    }
                })?
                .ok_or_else(|| {
                    AuthError::SignInRequired(
                        "the saved sign-in is no longer in the keyring; connect Gmail again".into(),
                    )
                })?;
                Credentials::from_json(&json, "the keyring")
            }
            TokenStoreKind::File => {
                let path = self.file_path(account);
                let text = match std::fs::read_to_string(&path) {
                    Ok(t) => t,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Err(AuthError::SignInRequired(format!(
                            "the saved sign-in ({}) is gone; connect Gmail again",
                            path.display()
                        )))
                    }
                    Err(e) => {
                        return Err(AuthError::Storage(format!(
                            "cannot read {}: {e}",
                            path.display()
                        )))
                    }
                };
                tighten(&path);
                Credentials::from_json(&text, &path.display().to_string())
            }
        }
    }

    /// Deletes the credentials (blocking): the file always, the keyring entry when that is
    /// where they were.
    pub fn delete(&self, account: &str, kind: TokenStoreKind) -> Result<(), AuthError> {
        remove_file(&self.file_path(account))?;
        if kind == TokenStoreKind::Keyring {
            keyring_call(self.keyring_user(account), |entry| {
                match entry.delete_credential() {
                    Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                    Err(e) => Err(e),
                }
            })?;
        }
        Ok(())
    }
}

/// Runs one keyring operation on its own thread with a deadline: the keyring crate blocks on
/// D-Bus, and a hung Secret Service must not hang sign-in.
fn keyring_call<T: Send + 'static>(
    user: String,
    op: impl FnOnce(&keyring::Entry) -> Result<T, keyring::Error> + Send + 'static,
) -> Result<T, AuthError> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = keyring::Entry::new(SERVICE, &user).and_then(|entry| op(&entry));
        let _ = tx.send(result);
    });
    match rx.recv_timeout(KEYRING_LIMIT) {
        Ok(Ok(value)) => Ok(value),
        // The keyring's errors describe the platform, never the secret.
        Ok(Err(e)) => Err(AuthError::Keyring(format!(
            "the system keyring failed: {e}"
        ))),
        Err(_) => Err(AuthError::Keyring(format!(
            "the system keyring did not answer within {} s",
            KEYRING_LIMIT.as_secs()
        ))),
    }
}

fn remove_file(path: &Path) -> Result<(), AuthError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(AuthError::Storage(format!(
            "cannot delete {}: {e}",
            path.display()
        ))),
    }
}

/// A file only its owner can read, written whole or not at all (temp file, fsync, rename).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), AuthError> {
    let fail =
        |e: std::io::Error| AuthError::Storage(format!("cannot write {}: {e}", path.display()));
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    // Private from its first byte (Windows: inherits the profile folder's owner-only ACL).
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(&tmp).map_err(fail)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Puts a credentials file others can read back to 0600.
#[cfg(unix)]
fn tighten(path: &Path) {
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the credentials file was readable by others; made it private");
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
    }
}

/// Windows has no mode bits: the file keeps the ACL inherited from the user's profile folder.
#[cfg(not(unix))]
fn tighten(_path: &Path) {}
