//! `users.getProfile`.

use crate::errors::GoogleError;
use crate::pipeline::{lock, Shared};
use crate::wire;

pub(crate) fn profile(shared: &Shared) -> Result<Vec<u8>, GoogleError> {
    let mailbox = lock(&shared.mailbox);
    let profile = wire::Profile {
        email_address: mailbox.spec().email_address.clone(),
        messages_total: mailbox.len(),
        threads_total: mailbox.thread_count(),
        history_id: mailbox.history_id().to_string(),
    };
    drop(mailbox);
    Ok(serde_json::to_vec(&profile).unwrap_or_default())
}
