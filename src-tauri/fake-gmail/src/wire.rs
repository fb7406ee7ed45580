//! Gmail's JSON shapes, field for field: camelCase names, ids and historyId as strings, base64url bodies.

use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Profile {
    pub email_address: String,
    pub messages_total: usize,
    pub threads_total: usize,
    pub history_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LabelColor {
    pub text_color: &'static str,
    pub background_color: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Label {
    pub id: &'static str,
    pub name: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_list_visibility: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_list_visibility: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<LabelColor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages_total: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages_unread: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads_total: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads_unread: Option<usize>,
}

#[derive(Debug, Serialize)]
pub(crate) struct LabelList {
    pub labels: Vec<Label>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MessageRef {
    pub id: String,
    pub thread_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MessageList {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<MessageRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    pub result_size_estimate: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Message {
    pub id: String,
    pub thread_id: String,
    pub label_ids: Vec<String>,
    pub snippet: String,
    pub size_estimate: usize,
    pub history_id: String,
    pub internal_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Part>,
    // `raw` (format=raw) is appended by `routes::messages::get`, unescaped.
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Part {
    pub part_id: String,
    pub mime_type: String,
    pub filename: String,
    pub headers: Vec<Header>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<PartBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<Part>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Header {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PartBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment_id: Option<String>,
    pub size: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HistoryMessage {
    pub id: String,
    pub thread_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_ids: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct MessageChange {
    pub message: HistoryMessage,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LabelChange {
    pub message: HistoryMessage,
    pub label_ids: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct History {
    pub id: String,
    pub messages: Vec<MessageRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages_added: Option<Vec<MessageChange>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages_deleted: Option<Vec<MessageChange>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels_added: Option<Vec<LabelChange>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels_removed: Option<Vec<LabelChange>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HistoryList {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<History>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    pub history_id: String,
}

/// `messages.attachments.get`'s answer: a `MessagePartBody` with the id it was asked for.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AttachmentBody {
    pub attachment_id: String,
    pub size: usize,
    pub data: String,
}

/// The OAuth token response (snake_case, as RFC 6749 says).
#[derive(Debug, Serialize)]
pub(crate) struct TokenGrant {
    pub access_token: String,
    pub expires_in: u64,
    /// Only the code grant answers one; a refresh grant keeps the refresh token it was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
    pub token_type: &'static str,
}

/// A Google Cloud "Desktop app" OAuth client file (`client_secret_….json`), field for field.
#[derive(Debug, Serialize)]
pub(crate) struct ClientSecretFile {
    pub installed: InstalledClient,
}

#[derive(Debug, Serialize)]
pub(crate) struct InstalledClient {
    pub client_id: String,
    pub project_id: &'static str,
    pub auth_uri: String,
    pub token_uri: String,
    pub auth_provider_x509_cert_url: &'static str,
    pub client_secret: String,
    pub redirect_uris: Vec<&'static str>,
}
