//! `GmailSource`: the `MailSource` the engine syncs from, over the real `google-gmail1` client.
use std::time::Duration;

use google_gmail1::api::{ListHistoryResponse, ListMessagesResponse, MessagePart, MessagePartBody};
use google_gmail1::Gmail;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::sync::{
    Change, HistoryPage, Label, MailSource, MessagePage, Profile, RawMessage, SourceError,
    StoredAttachment,
};

use super::bounded::{self, Budget, Held, ResponseLimits};
use super::errors;
use super::{ids, AccessTokens, Connector, GmailEndpoint, TokenGrant};

/// The signed-in user, as Gmail's API names them.
const ME: &str = "me";

/// How much of an error answer is read: Google's error JSON is a few hundred bytes.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Gmail's REST API through `google-gmail1`: `profile` and `labels.list` by its call builders;
/// `messages.get`, `messages.list` and `history.list` through the same hub client and into its
/// response types, with bounded reading (`bounded.rs` says why).
pub struct GmailSource {
    hub: Gmail<Connector>,
    tokens: AccessTokens,
    /// Where requests go, ending in `/`.
    base_url: String,
    /// Memory for `messages.get` answers, shared by every request of this source.
    budget: Budget,
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
        hub.user_agent(user_agent());
        Ok(Self {
            hub,
            tokens,
            base_url: endpoint.base_url().to_owned(),
            budget: Budget::new(ResponseLimits::default()),
        })
    }

    /// The same source with other response limits (tests, the benchmarks).
    pub fn with_limits(mut self, limits: ResponseLimits) -> Self {
        self.budget = Budget::new(limits);
        self
    }

    /// A GET whose answer is read within the budget: its body, and the permits it holds.
    async fn get_bounded(&self, path_and_query: &str) -> Result<(Vec<u8>, Held), SourceError> {
        let mut held = self.budget.slot().await;
        let (status, headers, body) = self.get(path_and_query).await?;
        if !(200..300).contains(&status) {
            let body = bounded::read_error(body, ERROR_BODY_LIMIT).await;
            let retry_after = headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .map(Duration::from_secs);
            return Err(errors::from_answer(status, &body, retry_after));
        }
        let declared = headers
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let bytes = self.budget.read(body, declared, &mut held).await?;
        Ok((bytes, held))
    }

    /// A list-type method's page, read within the budget and parsed into `google-gmail1`'s
    /// own response type.
    async fn get_page<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, SourceError> {
        // Finished before any await: the serializer is not `Send`.
        let encoded = {
            let mut encoded = form_urlencoded::Serializer::new(String::new());
            for (name, value) in query {
                encoded.append_pair(name, value);
            }
            encoded.append_pair("alt", "json");
            encoded.finish()
        };
        let (bytes, _held) = self
            .get_bounded(&format!("gmail/v1/users/{ME}/{path}?{encoded}"))
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| SourceError::Malformed(e.to_string()))
    }

    /// A GET of `path_and_query` (already percent-encoded) through the hub's own client and
    /// tokens; the answer's body is left for the caller to read within its limits.
    async fn get(
        &self,
        path_and_query: &str,
    ) -> Result<(u16, hyper::HeaderMap, hyper::body::Incoming), SourceError> {
        let token = self.tokens.access_token().await?;
        let uri: hyper::Uri = format!("{}{path_and_query}", self.base_url)
            .parse()
            .map_err(|e| SourceError::Protocol(format!("cannot build a request URL: {e}")))?;
        let request = hyper::Request::get(uri)
            .header(hyper::header::USER_AGENT, user_agent())
            .header(
                hyper::header::AUTHORIZATION,
                format!("Bearer {}", token.expose()),
            )
            .header(hyper::header::CONTENT_LENGTH, 0)
            .body(google_gmail1::common::to_body::<String>(None))
            .map_err(|e| SourceError::Protocol(format!("cannot build a request: {e}")))?;
        let response = self
            .hub
            .client
            .request(request)
            .await
            .map_err(|e| SourceError::Network(e.to_string()))?;
        let (parts, body) = response.into_parts();
        Ok((parts.status.as_u16(), parts.headers, body))
    }
}

/// The most attachment ids a part tree is searched for: Gmail allows 500 parts a message.
const MAX_PARTS: usize = 10_000;

impl GmailSource {
    /// The bytes of one attachment of message `id`, fetched on demand: `messages.get?format=full`
    /// for the part tree (Gmail's attachment ids are only good for the answer that gave them),
    /// then `messages.attachments.get` for its body, or the body itself when Gmail sent it inline.
    /// The part is found by its stored part id, checked against its stored name; mail stored
    /// before part ids were recorded finds it as the `index`-th named part.
    pub async fn attachment(
        &self,
        id: &str,
        wanted: &StoredAttachment,
        index: usize,
    ) -> Result<Vec<u8>, SourceError> {
        ids::message_id(id)?;
        let path = format!(
            "messages/{}",
            percent_encoding::utf8_percent_encode(id, SEGMENT)
        );
        let message: google_gmail1::api::Message =
            self.get_page(&path, &[("format", "full")]).await?;
        let payload = message.payload.ok_or_else(|| {
            SourceError::Malformed(format!("message {id} came without its parts"))
        })?;
        let parts = flatten_parts(&payload);
        let same_name = |p: &&MessagePart| {
            p.filename.as_deref().unwrap_or("") == wanted.filename.as_deref().unwrap_or("")
        };
        let part = wanted
            .part_id
            .as_deref()
            .and_then(|pid| {
                parts
                    .iter()
                    .copied()
                    .find(|p| p.part_id.as_deref() == Some(pid))
            })
            .filter(same_name)
            .or_else(|| {
                parts
                    .iter()
                    .copied()
                    .filter(|p| p.filename.as_deref().is_some_and(|f| !f.is_empty()))
                    .nth(index)
                    .filter(same_name)
            })
            .ok_or_else(|| {
                SourceError::NotFound(format!(
                    "message {id} has no attachment {:?} any more",
                    wanted.filename.as_deref().unwrap_or("(unnamed)")
                ))
            })?;
        let body = part.body.clone().unwrap_or_default();
        let body = match body.attachment_id.as_deref() {
            Some(attachment_id) => {
                if attachment_id.is_empty() || attachment_id.len() > 4096 {
                    return Err(SourceError::Malformed(format!(
                        "message {id}: an attachment id of {} bytes",
                        attachment_id.len()
                    )));
                }
                let path = format!(
                    "{path}/attachments/{}",
                    percent_encoding::utf8_percent_encode(attachment_id, SEGMENT)
                );
                self.get_page::<MessagePartBody>(&path, &[]).await?
            }
            None => body,
        };
        let bytes = body.data.unwrap_or_default();
        if let Some(size) = body.size.filter(|s| *s >= 0) {
            if size as usize != bytes.len() {
                return Err(SourceError::Malformed(format!(
                    "message {id}: attachment of {} bytes where Gmail said {size}",
                    bytes.len()
                )));
            }
        }
        Ok(bytes)
    }
}

/// Every part of a `format=full` tree, depth first as written, without recursion.
fn flatten_parts(root: &MessagePart) -> Vec<&MessagePart> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(part) = stack.pop() {
        if out.len() >= MAX_PARTS {
            break;
        }
        out.push(part);
        if let Some(children) = &part.parts {
            stack.extend(children.iter().rev());
        }
    }
    out
}

fn user_agent() -> String {
    format!("inbox-sync/{}", env!("CARGO_PKG_VERSION"))
}

/// Every character but letters and digits is percent-encoded in a path segment, `.` included,
/// so no id can add a segment, climb one (`..`), or start a query or a fragment.
const SEGMENT: &percent_encoding::AsciiSet = percent_encoding::NON_ALPHANUMERIC;

/// `messages.get?format=raw` of `id`, relative to the base URL.
pub(crate) fn message_path(id: &str) -> String {
    format!(
        "gmail/v1/users/{ME}/messages/{}?format=raw&alt=json",
        percent_encoding::utf8_percent_encode(id, SEGMENT)
    )
}

/// `messages.get`'s answer, with `raw` borrowed from the body so only its decoded form is
/// copied (Gmail's base64url has no JSON escapes, so the borrow holds).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMessage<'a> {
    id: Option<String>,
    thread_id: Option<String>,
    label_ids: Option<Vec<String>>,
    history_id: Option<String>,
    internal_date: Option<String>,
    size_estimate: Option<i64>,
    #[serde(borrow)]
    raw: Option<std::borrow::Cow<'a, str>>,
}

fn decode_message(bytes: &[u8], id: &str) -> Result<RawMessage, SourceError> {
    use base64::Engine as _;
    let wire: WireMessage<'_> =
        serde_json::from_slice(bytes).map_err(|e| SourceError::Malformed(e.to_string()))?;
    let raw = wire.raw.ok_or_else(|| {
        SourceError::Malformed(format!("message {id} came without its raw content"))
    })?;
    // Gmail sends base64url; like the client's own decoder, accept padding or none, and the
    // standard alphabet too.
    let lenient = base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent);
    let url_safe = base64::engine::GeneralPurpose::new(&base64::alphabet::URL_SAFE, lenient);
    let standard = base64::engine::GeneralPurpose::new(&base64::alphabet::STANDARD, lenient);
    let raw = url_safe
        .decode(raw.as_bytes())
        .or_else(|_| standard.decode(raw.as_bytes()))
        .map_err(|e| SourceError::Malformed(format!("message {id}: raw is not base64: {e}")))?;
    let labels = wire.label_ids.unwrap_or_default();
    for label in &labels {
        ids::label_id(label)?;
    }
    let number = |field: &str, value: Option<String>| -> Result<Option<i64>, SourceError> {
        value
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    SourceError::Malformed(format!("message {id}: {field} {v:?} is not a number"))
                })
            })
            .transpose()
    };
    let thread_id = wire.thread_id.unwrap_or_else(|| id.to_owned());
    ids::message_id(&thread_id)?;
    Ok(RawMessage {
        id: wire.id.unwrap_or_else(|| id.to_owned()),
        thread_id,
        label_ids: labels,
        history_id: number("historyId", wire.history_id)?.map(|n| n as u64),
        internal_date_ms: number("internalDate", wire.internal_date)?,
        size_estimate: wire.size_estimate,
        raw,
        held: Vec::new(),
    })
}

impl MailSource for GmailSource {
    async fn profile(&self) -> Result<Profile, SourceError> {
        let profile: google_gmail1::api::Profile = self.get_page("profile", &[]).await?;
        Ok(Profile {
            email_address: profile.email_address.unwrap_or_default(),
            messages_total: profile.messages_total.unwrap_or(0).max(0) as u64,
            history_id: profile
                .history_id
                .ok_or_else(|| SourceError::Malformed("profile without historyId".into()))?,
        })
    }

    async fn labels(&self) -> Result<Vec<Label>, SourceError> {
        let list: google_gmail1::api::ListLabelsResponse = self.get_page("labels", &[]).await?;
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
        let size = page_size.to_string();
        let mut query = vec![("maxResults", size.as_str())];
        if let Some(token) = page_token.as_deref() {
            query.push(("pageToken", token));
        }
        let page: ListMessagesResponse = self.get_page("messages", &query).await?;
        let ids: Vec<String> = page
            .messages
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| m.id)
            .collect();
        for id in &ids {
            ids::message_id(id)?;
        }
        let next_page_token = page.next_page_token.filter(|t| !t.is_empty());
        if let Some(token) = &next_page_token {
            ids::page_token(token)?;
        }
        Ok(MessagePage {
            ids,
            next_page_token,
            result_size_estimate: page.result_size_estimate.map(u64::from),
        })
    }

    async fn get_raw(&self, id: String) -> Result<RawMessage, SourceError> {
        ids::message_id(&id)?;
        let (bytes, held) = self.get_bounded(&message_path(&id)).await?;
        let message = decode_message(&bytes, &id)?;
        drop(bytes);
        if message.id != id {
            return Err(SourceError::Protocol(format!(
                "Gmail answered message {id} with message {:?}",
                message.id
            )));
        }
        Ok(RawMessage { held, ..message })
    }

    async fn history(
        &self,
        start_history_id: u64,
        page_token: Option<String>,
    ) -> Result<HistoryPage, SourceError> {
        let start = start_history_id.to_string();
        let mut query = vec![("startHistoryId", start.as_str()), ("maxResults", "500")];
        if let Some(token) = page_token.as_deref() {
            query.push(("pageToken", token));
        }
        let page: ListHistoryResponse = self.get_page("history", &query).await?;
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
        for change in &changes {
            match change {
                Change::Added { id } | Change::Deleted { id } => ids::message_id(id)?,
                Change::Labels { id, label_ids } => {
                    ids::message_id(id)?;
                    for label in label_ids {
                        ids::label_id(label)?;
                    }
                }
            }
        }
        let next_page_token = page.next_page_token.filter(|t| !t.is_empty());
        if let Some(token) = &next_page_token {
            ids::page_token(token)?;
        }
        Ok(HistoryPage {
            changes,
            history_id: page
                .history_id
                .ok_or_else(|| SourceError::Malformed("history without historyId".into()))?,
            next_page_token,
        })
    }

    async fn refresh_auth(&self) -> Result<(), SourceError> {
        self.tokens.invalidate().await;
        self.tokens.access_token().await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An id is one percent-encoded path segment: `/`, `.`, `?` and `#` cannot add a segment,
    /// climb one, or start a query or fragment (ids are also checked before this).
    #[test]
    fn message_path_encodes_the_id() {
        assert_eq!(
            message_path("18c2f0e1a2b3c4d5"),
            "gmail/v1/users/me/messages/18c2f0e1a2b3c4d5?format=raw&alt=json",
            "a Gmail id is unchanged"
        );
        assert_eq!(
            message_path("../x?y#z"),
            "gmail/v1/users/me/messages/%2E%2E%2Fx%3Fy%23z?format=raw&alt=json",
            "everything but letters and digits is encoded"
        );
    }

    /// `raw` is decoded from the body as Gmail sends it, padded or not.
    #[test]
    fn decodes_raw_padded_or_not() {
        for raw in ["SGk_", "SGk-Pw==", "SGk-Pw"] {
            let body = format!(
                r#"{{"id":"a1","threadId":"a1","labelIds":["INBOX"],"historyId":"7","internalDate":"9","raw":"{raw}"}}"#
            );
            let m = decode_message(body.as_bytes(), "a1").expect("decodes");
            assert!(m.raw.starts_with(b"Hi"), "{raw}: {:?}", m.raw);
            assert_eq!(m.history_id, Some(7), "historyId parsed");
        }
        assert!(
            decode_message(br#"{"id":"a1","threadId":"../x","raw":""}"#, "a1").is_err(),
            "a thread id outside the alphabet is refused"
        );
    }
}
