//! `GmailSource`: the `MailSource` the engine syncs from, over the real `google-gmail1` client.
use std::time::Duration;

use google_gmail1::Gmail;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::sync::{
    Change, HistoryPage, Label, MailSource, MessagePage, Profile, RawMessage, SourceError,
};

use super::errors::classify;
use super::{AccessTokens, Connector, GmailEndpoint, TokenGrant};

/// The signed-in user, as Gmail's API names them.
const ME: &str = "me";

/// Gmail's REST API through `google-gmail1`.
pub struct GmailSource {
    hub: Gmail<Connector>,
    tokens: AccessTokens,
}

impl GmailSource {
    /// A source at `endpoint` whose requests get their tokens from `grant`.
    pub fn new(
        endpoint: &GmailEndpoint,
        grant: TokenGrant,
        timeout: Duration,
    ) -> Result<Self, SourceError> {
        let connector = super::connector()
            .map_err(|e| SourceError::Network(format!("no trusted certificates: {e}")))?;
        let tokens = AccessTokens::new(grant, connector.clone(), timeout);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        let mut hub = Gmail::new(client, tokens.clone());
        hub.base_url(endpoint.base_url().to_owned());
        hub.root_url(endpoint.base_url().to_owned());
        hub.user_agent(format!("inbox-sync/{}", env!("CARGO_PKG_VERSION")));
        Ok(Self { hub, tokens })
    }
}

impl MailSource for GmailSource {
    async fn profile(&self) -> Result<Profile, SourceError> {
        let (_, profile) = self
            .hub
            .users()
            .get_profile(ME)
            .doit()
            .await
            .map_err(classify)?;
        Ok(Profile {
            email_address: profile.email_address.unwrap_or_default(),
            messages_total: profile.messages_total.unwrap_or(0).max(0) as u64,
            history_id: profile
                .history_id
                .ok_or_else(|| SourceError::Malformed("profile without historyId".into()))?,
        })
    }

    async fn labels(&self) -> Result<Vec<Label>, SourceError> {
        let (_, list) = self
            .hub
            .users()
            .labels_list(ME)
            .doit()
            .await
            .map_err(classify)?;
        Ok(list
            .labels
            .unwrap_or_default()
            .into_iter()
            .filter_map(|label| {
                let color = label.color.unwrap_or_default();
                Some(Label {
                    name: label.name.or_else(|| label.id.clone())?,
                    id: label.id?,
                    kind: label.type_.unwrap_or_else(|| "user".into()),
                    text_color: color.text_color,
                    background_color: color.background_color,
                })
            })
            .collect())
    }

    async fn list(
        &self,
        page_token: Option<String>,
        page_size: u32,
    ) -> Result<MessagePage, SourceError> {
        let mut call = self.hub.users().messages_list(ME).max_results(page_size);
        if let Some(token) = page_token.as_deref() {
            call = call.page_token(token);
        }
        let (_, page) = call.doit().await.map_err(classify)?;
        Ok(MessagePage {
            ids: page
                .messages
                .unwrap_or_default()
                .into_iter()
                .filter_map(|m| m.id)
                .collect(),
            next_page_token: page.next_page_token.filter(|t| !t.is_empty()),
            result_size_estimate: page.result_size_estimate.map(u64::from),
        })
    }

    async fn get_raw(&self, id: String) -> Result<RawMessage, SourceError> {
        let (_, message) = self
            .hub
            .users()
            .messages_get(ME, &id)
            .format("raw")
            .doit()
            .await
            .map_err(classify)?;
        let raw = message.raw.ok_or_else(|| {
            SourceError::Malformed(format!("message {id} came without its raw content"))
        })?;
        Ok(RawMessage {
            thread_id: message.thread_id.unwrap_or_else(|| id.clone()),
            id: message.id.unwrap_or(id),
            label_ids: message.label_ids.unwrap_or_default(),
            history_id: message.history_id,
            internal_date_ms: message.internal_date,
            size_estimate: message.size_estimate.map(i64::from),
            raw,
        })
    }

    async fn history(
        &self,
        start_history_id: u64,
        page_token: Option<String>,
    ) -> Result<HistoryPage, SourceError> {
        let mut call = self
            .hub
            .users()
            .history_list(ME)
            .start_history_id(start_history_id)
            .max_results(500);
        if let Some(token) = page_token.as_deref() {
            call = call.page_token(token);
        }
        let (_, page) = call.doit().await.map_err(classify)?;
        let mut changes = Vec::new();
        for record in page.history.unwrap_or_default() {
            for added in record.messages_added.unwrap_or_default() {
                if let Some(id) = added.message.and_then(|m| m.id) {
                    changes.push(Change::Added { id });
                }
            }
            for deleted in record.messages_deleted.unwrap_or_default() {
                if let Some(id) = deleted.message.and_then(|m| m.id) {
                    changes.push(Change::Deleted { id });
                }
            }
            let label_changes = record
                .labels_added
                .unwrap_or_default()
                .into_iter()
                .filter_map(|l| l.message)
                .chain(
                    record
                        .labels_removed
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|l| l.message),
                );
            for message in label_changes {
                if let (Some(id), Some(label_ids)) = (message.id, message.label_ids) {
                    changes.push(Change::Labels { id, label_ids });
                }
            }
        }
        Ok(HistoryPage {
            changes,
            history_id: page
                .history_id
                .ok_or_else(|| SourceError::Malformed("history without historyId".into()))?,
            next_page_token: page.next_page_token.filter(|t| !t.is_empty()),
        })
    }

    async fn refresh_auth(&self) -> Result<(), SourceError> {
        self.tokens.invalidate().await;
        self.tokens.access_token().await.map(|_| ())
    }
}
