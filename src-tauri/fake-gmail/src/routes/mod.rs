//! The HTTP surface: Gmail's REST paths, the batch endpoint, and Google's OAuth endpoints
//! (consent, token, revoke), wired to their handlers.

mod authorize;
mod batch;
mod history;
mod labels;
mod messages;
mod params;
mod profile;
mod revoke;
mod token;

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::counters::bump;
use crate::errors::GoogleError;
use crate::pipeline::{Endpoint, Shared};
pub(crate) use params::Params;

type SharedState = State<Arc<Shared>>;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/gmail/v1/users/{user_id}/profile", get(profile_route))
        .route("/gmail/v1/users/{user_id}/labels", get(labels_route))
        .route("/gmail/v1/users/{user_id}/labels/{id}", get(label_route))
        .route("/gmail/v1/users/{user_id}/messages", get(list_route))
        .route("/gmail/v1/users/{user_id}/messages/{id}", get(get_route))
        .route(
            "/gmail/v1/users/{user_id}/messages/{id}/attachments/{attachment_id}",
            get(attachment_route),
        )
        .route("/gmail/v1/users/{user_id}/history", get(history_route))
        // The discovery document's `batchPath` is `batch`; Gmail's guide names the per-API path.
        .route("/batch", post(batch::batch))
        .route("/batch/gmail/v1", post(batch::batch))
        .route("/token", post(token::token))
        .route("/revoke", post(revoke::revoke))
        // The v1 path is what Desktop client files name; the v2 path is what Google's docs use.
        .route("/o/oauth2/auth", get(authorize::authorize))
        .route("/o/oauth2/v2/auth", get(authorize::authorize))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            log_path,
        ))
        .with_state(shared)
}

/// Logs each request's path as received, before routing (so a path no route matches is
/// logged too).
async fn log_path(
    State(shared): SharedState,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    shared.log_path(request.uri());
    next.run(request).await
}

/// A JSON answer of about `bytes` bytes: `head`, then `A`s streamed in 64 KiB chunks (never
/// held whole by the fake), then `tail`; the hostile answers of [`crate::Lies`].
pub(crate) fn streamed_json(head: String, bytes: u64, tail: &'static [u8]) -> Response {
    use axum::body::{Body, Bytes};
    use axum::http::header;
    static CHUNK: [u8; 64 * 1024] = [b'A'; 64 * 1024];
    let chunks = bytes.div_ceil(CHUNK.len() as u64);
    let body = futures::stream::iter(
        std::iter::once(Bytes::from(head))
            .chain((0..chunks).map(|_| Bytes::from_static(&CHUNK)))
            .chain(std::iter::once(Bytes::from_static(tail)))
            .map(Ok::<_, std::io::Error>),
    );
    let mut response = Response::new(Body::from_stream(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}

fn bad_path(rejection: PathRejection) -> Response {
    GoogleError::bad_request(format!("Invalid request path: {rejection}")).into_response()
}

async fn profile_route(
    State(shared): SharedState,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let user = match path {
        Ok(Path(user)) => user,
        Err(rejection) => return bad_path(rejection),
    };
    let params = Params::parse(query.as_deref());
    if let Some(bytes) = shared.knobs().lies.huge_profile {
        return match shared
            .admit(Endpoint::Profile, &headers, &user, &params)
            .await
        {
            Ok(_) => streamed_json(
                r#"{"historyId":"1","messagesTotal":1,"emailAddress":""#.into(),
                bytes,
                b"\"}",
            ),
            Err(error) => error.into_response(),
        };
    }
    shared
        .serve(Endpoint::Profile, &headers, &user, &params, || {
            profile::profile(&shared)
        })
        .await
}

async fn labels_route(
    State(shared): SharedState,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let user = match path {
        Ok(Path(user)) => user,
        Err(rejection) => return bad_path(rejection),
    };
    let params = Params::parse(query.as_deref());
    if let Some(bytes) = shared.knobs().lies.huge_labels {
        return match shared
            .admit(Endpoint::LabelsList, &headers, &user, &params)
            .await
        {
            Ok(_) => streamed_json(
                r#"{"labels":[{"id":"Label_1","type":"user","name":""#.into(),
                bytes,
                b"\"}]}",
            ),
            Err(error) => error.into_response(),
        };
    }
    shared
        .serve(Endpoint::LabelsList, &headers, &user, &params, || {
            labels::list(&shared)
        })
        .await
}

async fn label_route(
    State(shared): SharedState,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (user, id) = match path {
        Ok(Path(parts)) => parts,
        Err(rejection) => return bad_path(rejection),
    };
    let params = Params::parse(query.as_deref());
    shared
        .serve(Endpoint::LabelsGet, &headers, &user, &params, || {
            labels::get(&shared, &id)
        })
        .await
}

async fn list_route(
    State(shared): SharedState,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let user = match path {
        Ok(Path(user)) => user,
        Err(rejection) => return bad_path(rejection),
    };
    let params = Params::parse(query.as_deref());
    shared
        .serve(Endpoint::MessagesList, &headers, &user, &params, || {
            messages::list(&shared, &params)
        })
        .await
}

async fn get_route(
    State(shared): SharedState,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (user, id) = match path {
        Ok(Path(parts)) => parts,
        Err(rejection) => return bad_path(rejection),
    };
    let params = Params::parse(query.as_deref());
    if let Some((ids, bytes)) = shared.knobs().lies.huge_answers {
        if ids.contains(&id) {
            return match shared
                .admit(Endpoint::MessagesGet, &headers, &user, &params)
                .await
            {
                Ok(_) => messages::huge(&id, bytes),
                Err(error) => error.into_response(),
            };
        }
    }
    shared
        .serve(Endpoint::MessagesGet, &headers, &user, &params, || {
            messages::get(&shared, &id, &params)
        })
        .await
}

async fn attachment_route(
    State(shared): SharedState,
    path: Result<Path<(String, String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (user, id, attachment) = match path {
        Ok(Path(parts)) => parts,
        Err(rejection) => return bad_path(rejection),
    };
    let params = Params::parse(query.as_deref());
    shared
        .serve(Endpoint::AttachmentsGet, &headers, &user, &params, || {
            messages::attachment(&shared, &id, &attachment)
        })
        .await
}

async fn history_route(
    State(shared): SharedState,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let user = match path {
        Ok(Path(user)) => user,
        Err(rejection) => return bad_path(rejection),
    };
    let params = Params::parse(query.as_deref());
    shared
        .serve(Endpoint::HistoryList, &headers, &user, &params, || {
            history::list(&shared, &params)
        })
        .await
}

async fn not_found(State(shared): SharedState) -> Response {
    bump(&shared.counters.requests, 1);
    GoogleError::not_found().into_response()
}

async fn method_not_allowed(State(shared): SharedState) -> Response {
    bump(&shared.counters.requests, 1);
    GoogleError::method_not_allowed().into_response()
}
