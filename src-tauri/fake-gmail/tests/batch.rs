//! The HTTP batch endpoint: Google's multipart/mixed format, Content-IDs echoed as
//! `<response-…>`, each part authenticated and charged on its own, at most 100 parts.

mod common;

use fake_gmail::{FakeConfig, FakeGmail};

const BOUNDARY: &str = "batch_test_boundary";

/// One part: a GET with an optional bearer token, CRLF line ends as Google documents them.
fn part(id: &str, path: &str, token: Option<&str>) -> String {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    format!(
        "--{BOUNDARY}\r\nContent-Type: application/http\r\nContent-ID: <{id}>\r\n\r\nGET /gmail/v1/users/me/{path} HTTP/1.1\r\n{auth}\r\n\r\n"
    )
}

/// Posts a batch, the outer request carrying `outer_token` if any; returns status, content type, body.
async fn post(
    fake: &FakeGmail,
    path: &str,
    parts: &[String],
    outer_token: Option<&str>,
) -> (u16, String, String) {
    let body = format!("{}--{BOUNDARY}--\r\n", parts.concat());
    let mut request = common::client()
        .post(format!("{}{path}", fake.base_url()))
        .header(
            "Content-Type",
            format!("multipart/mixed; boundary={BOUNDARY}"),
        )
        .body(body);
    if let Some(token) = outer_token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the batch endpoint answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (
        status,
        content_type,
        response.text().await.expect("the body arrives"),
    )
}

/// Each answer part: its Content-ID, its HTTP status, its JSON body.
fn answers(content_type: &str, body: &str) -> Vec<(Option<String>, u16, serde_json::Value)> {
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("the answer names its boundary");
    body.split(&format!("--{boundary}"))
        .skip(1)
        .take_while(|s| !s.starts_with("--"))
        .map(|segment| {
            let (mime, http) = segment.split_once("\r\n\r\n").expect("part headers end");
            let id = mime
                .lines()
                .find_map(|l| l.strip_prefix("Content-ID: "))
                .map(str::to_string);
            let status = http
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .expect("a status line");
            let (_, json) = http.split_once("\r\n\r\n").expect("response headers end");
            (
                id,
                status,
                serde_json::from_str(json.trim_end()).expect("JSON body"),
            )
        })
        .collect()
}

/// A batch of gets answers each part in order with `Content-ID: <response-x>`, and charges
/// each part as a lone request would be charged.
#[tokio::test]
async fn batch_answers_every_part_with_its_content_id() {
    let fake = common::start(FakeConfig::default().messages(10)).await;
    let ids: Vec<String> = fake.truth().iter().take(3).map(|m| m.id.clone()).collect();
    let mut parts: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            part(
                &format!("item{i}"),
                &format!("messages/{id}?format=minimal"),
                Some(common::TOKEN),
            )
        })
        .collect();
    parts.push(part(
        "missing",
        "messages/ffffffffffffffff",
        Some(common::TOKEN),
    ));
    parts.push(part("bad", "messages/not-an-id", Some(common::TOKEN)));
    for path in ["batch/gmail/v1", "batch"] {
        fake.reset_counts();
        let (status, content_type, body) = post(&fake, path, &parts, None).await;
        assert_eq!(status, 200, "the batch itself succeeds at /{path}: {body}");
        assert!(
            content_type.starts_with("multipart/mixed; boundary="),
            "multipart answer: {content_type}"
        );
        let answers = answers(&content_type, &body);
        assert_eq!(answers.len(), 5, "one answer per part: {body}");
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(
                answers[i].0.as_deref(),
                Some(format!("<response-item{i}>").as_str()),
                "Content-ID echoed"
            );
            assert_eq!(answers[i].1, 200, "part {i} succeeds");
            assert_eq!(
                answers[i].2["id"],
                id.as_str(),
                "part {i} answers its own message"
            );
        }
        assert_eq!(answers[3].1, 404, "an unknown id fails only its part");
        assert_eq!(
            answers[3].2["error"]["errors"][0]["reason"], "notFound",
            "Google's error shape in the part"
        );
        assert_eq!(answers[4].1, 400, "a malformed id is a 400 part");
        assert_eq!(
            answers[4].2["error"]["message"], "Invalid id value",
            "Gmail's words"
        );
        let counts = fake.counts();
        assert_eq!(counts.batch, 1, "one batch request");
        assert_eq!(
            counts.messages_get, 5,
            "each part counted as a messages.get"
        );
        assert_eq!(counts.quota_units, 25, "each admitted part charged 5 units");
    }
}

/// A part without a token of its own uses the outer request's; with neither it is 401; a part's
/// own token wins over the outer one.
#[tokio::test]
async fn each_part_is_authenticated() {
    let fake = common::start(FakeConfig::default().messages(3)).await;
    let parts = vec![
        part("own", "profile", Some(common::TOKEN)),
        part("inherits", "profile", None),
        part("wrong", "profile", Some("not-a-token")),
    ];
    let (_, content_type, body) = post(&fake, "batch", &parts, Some(common::TOKEN)).await;
    let with_outer = answers(&content_type, &body);
    assert_eq!(with_outer[0].1, 200, "a part's own token works");
    assert_eq!(
        with_outer[1].1, 200,
        "a part inherits the outer Authorization"
    );
    assert_eq!(
        with_outer[2].1, 401,
        "a part's own wrong token is not rescued by the outer one"
    );
    let (status, content_type, body) = post(&fake, "batch", &parts, None).await;
    assert_eq!(
        status, 200,
        "the batch is answered even when parts are not authorised"
    );
    let without_outer = answers(&content_type, &body);
    assert_eq!(
        without_outer[1].1, 401,
        "no token anywhere: 401 for that part"
    );
    assert_eq!(
        without_outer[1].2["error"]["status"], "UNAUTHENTICATED",
        "Google's 401 shape in the part"
    );
}

/// At most 100 parts: 100 are answered, 101 are refused whole with a 400.
#[tokio::test]
async fn more_than_100_parts_is_400() {
    let fake = common::start(FakeConfig::default().messages(3)).await;
    let parts: Vec<String> = (0..101)
        .map(|i| part(&format!("p{i}"), "profile", Some(common::TOKEN)))
        .collect();
    let (status, content_type, body) = post(&fake, "batch", &parts[..100], None).await;
    assert_eq!(status, 200, "100 parts are allowed: {body}");
    assert_eq!(answers(&content_type, &body).len(), 100, "all answered");
    let (status, _, body) = post(&fake, "batch", &parts, None).await;
    assert_eq!(status, 400, "101 parts are refused: {body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("a JSON error");
    assert_eq!(
        json["error"]["errors"][0]["reason"], "invalidArgument",
        "Google's shape"
    );
}

/// Parts over the quota fail on their own with the rate-limit error; the others are answered.
#[tokio::test]
async fn parts_are_charged_quota_one_by_one() {
    let fake = common::start(FakeConfig::default().messages(3).quota(20)).await;
    let id = fake.truth()[0].id.clone();
    let parts: Vec<String> = (0..8)
        .map(|i| {
            part(
                &format!("q{i}"),
                &format!("messages/{id}?format=minimal"),
                Some(common::TOKEN),
            )
        })
        .collect();
    let (_, content_type, body) = post(&fake, "batch", &parts, None).await;
    let answers = answers(&content_type, &body);
    let ok = answers.iter().filter(|a| a.1 == 200).count();
    let limited = answers.iter().filter(|a| a.1 == 403).count();
    assert!(
        (4..=5).contains(&ok),
        "about a second's quota (20 units, 4 gets) is served: {ok}"
    );
    assert_eq!(ok + limited, 8, "the rest are refused with 403: {body}");
    assert!(
        answers
            .iter()
            .filter(|a| a.1 == 403)
            .all(|a| a.2["error"]["errors"][0]["reason"] == "userRateLimitExceeded"),
        "each refused part carries Google's rate-limit error"
    );
}
