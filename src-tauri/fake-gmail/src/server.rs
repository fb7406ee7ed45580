//! Starting and stopping the fake, and the handle tests use to change the mailbox and knobs while it runs.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::{Consent, FakeConfig, FaultRates, Lies, OAuthClient};
use crate::counters::RequestCounts;
use crate::errors::{FakeError, RateLimitForm};
use crate::pipeline::{lock, Shared};
use crate::routes::router;
use crate::truth::MessageTruth;
use crate::wire;

/// A running fake Gmail server. Dropping it stops the server; [`FakeGmail::shutdown`] also waits for it.
///
/// Derefs to its [`FakeHandle`], so `fake.add_messages(3)` works directly.
#[derive(Debug)]
pub struct FakeGmail {
    handle: FakeHandle,
    addr: SocketAddr,
    task: Option<JoinHandle<()>>,
}

/// A cheap, clonable handle onto a running fake: mutate the mailbox, turn knobs, read counters and ground truth.
#[derive(Debug, Clone)]
pub struct FakeHandle {
    shared: Arc<Shared>,
}

impl FakeGmail {
    /// Builds the mailbox and starts serving on `config.addr` (127.0.0.1 with a free port by default).
    pub async fn start(config: FakeConfig) -> Result<FakeGmail, FakeError> {
        let wanted = config.addr;
        let shared = Arc::new(Shared::new(config));
        let listener = TcpListener::bind(wanted)
            .await
            .map_err(|source| FakeError::Bind {
                addr: wanted.to_string(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| FakeError::Bind {
            addr: wanted.to_string(),
            source,
        })?;
        let app = router(shared.clone());
        let mut stopping = shared.shutdown.subscribe();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopping.wait_for(|s| *s).await;
                })
                .await;
            if let Err(error) = served {
                tracing::warn!(%error, "fake Gmail server stopped with an error");
            }
        });
        tracing::info!(%addr, "fake Gmail server listening");
        Ok(FakeGmail {
            handle: FakeHandle { shared },
            addr,
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/`: give it to google-gmail1's `Gmail::base_url` (and `root_url`), which
    /// appends `gmail/v1/users/…` to it.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// `http://127.0.0.1:PORT/token`: the OAuth token endpoint (yup-oauth2's `token_uri`).
    pub fn token_url(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    /// `http://127.0.0.1:PORT/o/oauth2/auth`: the consent endpoint (the client file's `auth_uri`).
    pub fn auth_url(&self) -> String {
        format!("http://{}/o/oauth2/auth", self.addr)
    }

    /// `http://127.0.0.1:PORT/revoke`: token revocation, at the token URL's origin as Google's
    /// (`https://oauth2.googleapis.com/revoke`).
    pub fn revoke_url(&self) -> String {
        format!("http://{}/revoke", self.addr)
    }

    /// A Google Cloud "Desktop app" client file (`client_secret_….json`) naming this fake:
    /// `{"installed":{"client_id","project_id","auth_uri","token_uri","auth_provider_x509_cert_url",
    /// "client_secret","redirect_uris"}}`, with the current [`OAuthClient`]'s id and secret.
    pub fn client_secret_json(&self) -> String {
        let oauth = self.handle.shared.knobs().oauth;
        let file = wire::ClientSecretFile {
            installed: wire::InstalledClient {
                client_id: oauth.client_id,
                project_id: "fake-project",
                auth_uri: self.auth_url(),
                token_uri: self.token_url(),
                auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
                client_secret: oauth.client_secret,
                redirect_uris: vec!["http://localhost"],
            },
        };
        serde_json::to_string(&file).unwrap_or_default()
    }

    pub fn handle(&self) -> FakeHandle {
        self.handle.clone()
    }

    /// Stops accepting, releases hung and delayed requests, and waits (up to 5 s) for the server to end.
    pub async fn shutdown(mut self) {
        self.handle.shared.shutdown.send_replace(true);
        if let Some(task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                tracing::warn!("fake Gmail server did not stop within 5 s");
            }
        }
    }
}

impl Deref for FakeGmail {
    type Target = FakeHandle;

    fn deref(&self) -> &FakeHandle {
        &self.handle
    }
}

impl Drop for FakeGmail {
    fn drop(&mut self) {
        self.handle.shared.shutdown.send_replace(true);
    }
}

impl FakeHandle {
    /// Mail arriving: appends the next `n` messages of the seed's sequence (newer than all others),
    /// each with its own history record. Returns their ids, oldest first.
    pub fn add_messages(&self, n: usize) -> Vec<String> {
        let now = self.shared.clock.now();
        lock(&self.shared.mailbox).add(n, now)
    }

    /// Permanently deletes messages (later gets answer 404); unknown ids are skipped. Returns the ids deleted.
    pub fn delete_messages<S: AsRef<str>>(&self, ids: &[S]) -> Vec<String> {
        let ids: Vec<String> = ids.iter().map(|id| id.as_ref().to_string()).collect();
        let now = self.shared.clock.now();
        lock(&self.shared.mailbox).delete(&ids, now)
    }

    /// Adds and removes label ids on a message, recording `labelsAdded`/`labelsRemoved` history.
    pub fn modify_labels(&self, id: &str, add: &[&str], remove: &[&str]) -> Result<(), FakeError> {
        let add: Vec<String> = add.iter().map(|s| s.to_string()).collect();
        let remove: Vec<String> = remove.iter().map(|s| s.to_string()).collect();
        let now = self.shared.clock.now();
        lock(&self.shared.mailbox).modify_labels(id, &add, &remove, now)
    }

    /// The mailbox's current history id (what `getProfile` reports).
    pub fn history_id(&self) -> u64 {
        lock(&self.shared.mailbox).history_id()
    }

    pub fn message_count(&self) -> usize {
        lock(&self.shared.mailbox).len()
    }

    pub fn email_address(&self) -> String {
        lock(&self.shared.mailbox).spec().email_address.clone()
    }

    /// Every message now served, newest first, with what a sync should store for it.
    pub fn truth(&self) -> Vec<MessageTruth> {
        lock(&self.shared.mailbox).truth()
    }

    pub fn message_truth(&self, id: &str) -> Option<MessageTruth> {
        lock(&self.shared.mailbox).get(id).map(|e| e.truth())
    }

    pub fn counts(&self) -> RequestCounts {
        self.shared.counters.snapshot()
    }

    pub fn reset_counts(&self) {
        self.shared.counters.reset();
    }

    /// While on, requests are accepted but not answered (until switched off or the server stops).
    pub fn set_hang(&self, hang: bool) {
        self.shared.hang.send_replace(hang);
    }

    pub fn set_latency(&self, latency: Duration) {
        lock(&self.shared.knobs).latency = latency;
    }

    /// `None` lifts the quota.
    pub fn set_quota(&self, units_per_sec: Option<u32>) {
        let now = self.shared.clock.now();
        lock(&self.shared.quota).set_rate(units_per_sec, now);
    }

    /// Turns protocol breakage on or off ([`Lies`]).
    pub fn set_lies(&self, lies: Lies) {
        lock(&self.shared.knobs).lies = lies;
    }

    /// The path and query of every request received, oldest first, exactly as they arrived
    /// (percent-encoding kept): what a client really asked for.
    pub fn request_paths(&self) -> Vec<String> {
        lock(&self.shared.paths).iter().cloned().collect()
    }

    pub fn set_faults(&self, faults: FaultRates) {
        lock(&self.shared.knobs).faults = faults;
    }

    /// How many history ids back `history.list` answers; `None` lifts the count limit (the
    /// age limit, [`FakeHandle::set_history_max_age`], still applies).
    pub fn set_history_retention(&self, history_ids: Option<u64>) {
        lock(&self.shared.knobs).history_retention = history_ids;
    }

    /// How old a history record may grow before it is dropped; `None` keeps them from now on
    /// (records already dropped stay dropped, as at Gmail).
    pub fn set_history_max_age(&self, max_age: Option<Duration>) {
        lock(&self.shared.knobs).history_max_age = max_age;
    }

    /// Which form a request over the quota is refused in from now on.
    pub fn set_rate_limit_form(&self, form: RateLimitForm) {
        lock(&self.shared.knobs).rate_limit_form = form;
    }

    /// Breaks the batch endpoint on purpose: the first answer part of each batch loses its
    /// `Content-ID`. Only for showing that a conformance check notices; never on otherwise.
    #[doc(hidden)]
    pub fn set_batch_drops_content_id(&self, drop: bool) {
        lock(&self.shared.knobs).batch_drops_content_id = drop;
    }

    pub fn set_oauth(&self, oauth: OAuthClient) {
        lock(&self.shared.knobs).oauth = oauth;
    }

    /// Lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        lock(&self.shared.tokens).set_lifetime(lifetime);
    }

    /// A fresh access token, as the refresh grant would issue.
    pub fn issue_access_token(&self) -> String {
        let now = self.shared.clock.now();
        lock(&self.shared.tokens).mint(now)
    }

    /// Expires every issued access token at once (the static token keeps working).
    pub fn expire_access_tokens(&self) {
        let now = self.shared.clock.now();
        lock(&self.shared.tokens).expire_all(now);
    }

    /// The fake user's answer on the consent screen from now on.
    pub fn set_consent(&self, consent: Consent) {
        lock(&self.shared.knobs).consent = consent;
    }

    /// The user removing the app's access at Google: every refresh token is revoked (the
    /// configured [`OAuthClient::refresh_token`] and all minted by the code grant), and every
    /// issued access token expires (the static token keeps working). A later sign-in, or
    /// [`FakeHandle::set_oauth`] with another refresh token, works again.
    pub fn revoke_refresh_tokens(&self) {
        let configured = self.shared.knobs().oauth.refresh_token;
        let now = self.shared.clock.now();
        let mut grants = lock(&self.shared.grants);
        grants.revoke_all(&configured);
        lock(&self.shared.tokens).expire_all(now);
    }

    /// Every secret the fake has handed out so far: authorization codes and refresh tokens (in
    /// the order issued), then access tokens (in the order issued), expired and revoked ones
    /// included. Not the configured refresh token nor the static token, which the test chose.
    pub fn issued_tokens(&self) -> Vec<String> {
        let grants = lock(&self.shared.grants);
        let tokens = lock(&self.shared.tokens);
        grants
            .handed_out()
            .iter()
            .chain(tokens.handed_out())
            .cloned()
            .collect()
    }
}
