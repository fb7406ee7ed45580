//! messages.get formats (raw, full, metadata, minimal) and attachments.get, checked against the ground truth.

mod common;

use base64::engine::general_purpose::URL_SAFE;
use base64::Engine as _;
use fake_gmail::{FakeConfig, MessageKind};
use serde_json::Value;

fn decode(data: &Value) -> Vec<u8> {
    URL_SAFE
        .decode(data.as_str().expect("body data is a string"))
        .expect("body data is base64url")
}

fn leaves(part: &Value) -> Vec<Value> {
    match part["parts"].as_array() {
        Some(children) => children.iter().flat_map(leaves).collect(),
        None => vec![part.clone()],
    }
}

/// Every format carries Gmail's common fields with the right types.
#[tokio::test]
async fn common_fields_have_gmail_types() {
    let fake = common::start(FakeConfig::default().messages(20).seed(31)).await;
    let truth = fake.truth()[0].clone();
    for format in ["raw", "full", "metadata", "minimal", "RAW"] {
        let m = common::call(
            &fake,
            &format!("gmail/v1/users/me/messages/{}?format={format}", truth.id),
        )
        .await
        .json;
        assert_eq!(m["id"], truth.id.as_str(), "{format}: id");
        assert_eq!(
            m["threadId"],
            truth.thread_id.as_str(),
            "{format}: threadId"
        );
        assert_eq!(
            m["internalDate"],
            truth.internal_date.to_string().as_str(),
            "{format}: internalDate is a string of ms"
        );
        assert_eq!(
            m["historyId"],
            truth.history_id.to_string().as_str(),
            "{format}: historyId is a string"
        );
        assert_eq!(
            m["sizeEstimate"],
            truth.raw.len(),
            "{format}: sizeEstimate is a number"
        );
        assert_eq!(
            m["labelIds"],
            serde_json::json!(truth.label_ids),
            "{format}: labelIds"
        );
        assert!(m["snippet"].is_string(), "{format}: snippet");
    }
    let minimal = common::call(
        &fake,
        &format!("gmail/v1/users/me/messages/{}?format=minimal", truth.id),
    )
    .await
    .json;
    assert!(
        minimal.get("payload").is_none() && minimal.get("raw").is_none(),
        "minimal has neither payload nor raw"
    );
    let raw = common::call(
        &fake,
        &format!("gmail/v1/users/me/messages/{}?format=raw", truth.id),
    )
    .await
    .json;
    assert!(raw.get("payload").is_none(), "raw has no payload");
}

/// format=full's part tree decodes to the truth's bodies, and attachments come through attachments.get.
#[tokio::test]
async fn full_format_part_tree_matches_truth() {
    let fake = common::start(
        FakeConfig::default()
            .messages(200)
            .seed(32)
            .large_messages(0.0, 0),
    )
    .await;
    let truth = fake.truth();
    let with_attachment = truth
        .iter()
        .find(|t| t.kind == MessageKind::WithAttachments && t.attachment_names().len() == 2)
        .or_else(|| {
            truth
                .iter()
                .find(|t| t.kind == MessageKind::WithAttachments)
        })
        .expect("the mailbox has messages with attachments");
    let full = common::call(
        &fake,
        &format!("gmail/v1/users/me/messages/{}", with_attachment.id),
    )
    .await
    .json;
    let payload = &full["payload"];
    assert_eq!(payload["partId"], "", "the root part id is empty");
    assert_eq!(
        payload["mimeType"], "multipart/mixed",
        "attachments live in multipart/mixed"
    );
    let subject = payload["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .find(|h| h["name"] == "Subject")
        .map(|h| h["value"].clone());
    assert_eq!(
        subject.as_ref().and_then(Value::as_str),
        with_attachment.subject(),
        "headers are decoded like the truth"
    );
    let parts = leaves(payload);
    let text = parts
        .iter()
        .find(|p| p["mimeType"] == "text/plain")
        .expect("a text/plain part");
    let text_bytes = decode(&text["body"]["data"]);
    assert_eq!(
        String::from_utf8(text_bytes).ok(),
        with_attachment.text_body(),
        "the text part decodes to the truth's text body"
    );
    let attachments: Vec<&Value> = parts.iter().filter(|p| p["filename"] != "").collect();
    assert_eq!(
        attachments.len(),
        with_attachment.attachment_names().len(),
        "every attachment is a named part"
    );
    for part in attachments {
        assert!(
            part["body"].get("data").is_none(),
            "attachment data is fetched separately, as in Gmail"
        );
        let attachment_id = part["body"]["attachmentId"]
            .as_str()
            .expect("an attachmentId");
        let fetched = common::call(
            &fake,
            &format!(
                "gmail/v1/users/me/messages/{}/attachments/{attachment_id}",
                with_attachment.id
            ),
        )
        .await;
        assert_eq!(
            fetched.status, 200,
            "attachments.get answers: {}",
            fetched.text
        );
        assert_eq!(
            decode(&fetched.json["data"]).len(),
            part["body"]["size"].as_u64().unwrap_or(0) as usize,
            "size matches the data"
        );
    }

    let alternative = truth
        .iter()
        .find(|t| t.kind == MessageKind::Latin1 && t.html_body().is_some())
        .or_else(|| truth.iter().find(|t| t.kind == MessageKind::Latin1))
        .expect("a Latin-1 message");
    let full = common::call(
        &fake,
        &format!("gmail/v1/users/me/messages/{}?format=full", alternative.id),
    )
    .await
    .json;
    let text = leaves(&full["payload"])
        .into_iter()
        .find(|p| p["mimeType"] == "text/plain")
        .expect("a text part");
    let latin1: String = decode(&text["body"]["data"])
        .iter()
        .map(|b| char::from(*b))
        .collect();
    assert_eq!(
        Some(latin1),
        alternative.text_body(),
        "body.data keeps the part's charset (ISO-8859-1 bytes)"
    );
}

/// format=metadata returns only the asked-for headers, and no bodies.
#[tokio::test]
async fn metadata_headers_filter() {
    let fake = common::start(FakeConfig::default().messages(5).seed(33)).await;
    let id = fake.truth()[0].id.clone();
    let m = common::call(&fake, &format!("gmail/v1/users/me/messages/{id}?format=metadata&metadataHeaders=Subject&metadataHeaders=from")).await.json;
    let names: Vec<&str> = m["payload"]["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .filter_map(|h| h["name"].as_str())
        .collect();
    assert_eq!(
        names,
        vec!["Subject", "From"],
        "only the requested headers, in message order"
    );
    assert!(
        m["payload"].get("parts").is_none() && m["payload"].get("body").is_none(),
        "metadata has no bodies"
    );
}
