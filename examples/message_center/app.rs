//! The secure message center's API: people write to the service team about their
//! contracts (a topic, the account it concerns, text, an optional attachment) and read
//! their threads. Every call carries an access token from oneid for this API's resource
//! indicator (RFC 8707) with `messages:read` or `messages:write`; see `token.rs`.
//! Messages are kept in the center's own SQLite database (`store.rs`).

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::store::Store;
use super::token::{Caller, Refused, TokenVerifier};

pub const TOPICS: &[&str] = &["contract", "payment", "vehicle", "other"];
const MAX_TEXT: usize = 5000;
const MAX_ATTACHMENT: usize = 1024 * 1024;
const ATTACHMENT_TYPES: &[&str] = &["application/pdf", "image/png", "image/jpeg"];

#[derive(Clone, Serialize)]
pub struct Message {
    pub id: u64,
    #[serde(skip)]
    pub owner: String,
    pub topic: String,
    pub account: Option<String>,
    pub text: String,
    pub attachment: Option<AttachmentInfo>,
    pub sent_at: i64,
}

#[derive(Clone, Serialize)]
pub struct AttachmentInfo {
    pub name: String,
    pub content_type: String,
    pub size: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    pub topic: String,
    #[serde(default)]
    pub account: Option<String>,
    pub text: String,
    #[serde(default)]
    pub attachment: Option<NewAttachment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAttachment {
    pub name: String,
    pub content_type: String,
    /// The file, base64.
    pub data: String,
}

pub struct Center {
    pub verifier: TokenVerifier,
    pub store: Store,
}

pub fn router(center: Arc<Center>) -> Router {
    Router::new()
        .route("/messages", get(inbox).post(send))
        .route("/messages/{id}", get(one))
        .layer(DefaultBodyLimit::max(2 * MAX_ATTACHMENT))
        .with_state(center)
}

fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "application/problem+json")], json!({ "type": "about:blank", "title": title, "status": status.as_u16(), "detail": detail }).to_string()).into_response()
}

/// The caller, or the RFC 6750 answer.
async fn caller(center: &Center, headers: &HeaderMap, scope: &'static str) -> Result<Caller, Response> {
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
    let Some(token) = token else {
        let mut response = problem(StatusCode::UNAUTHORIZED, "Sign in first", "send an access token from oneid");
        response.headers_mut().insert(header::WWW_AUTHENTICATE, "Bearer realm=\"messages\"".parse().expect("static header"));
        return Err(response);
    };
    center.verifier.check(token, scope).await.map_err(|refused| {
        let (status, challenge, detail) = match refused {
            Refused::Invalid(why) => (StatusCode::UNAUTHORIZED, format!("Bearer realm=\"messages\", error=\"invalid_token\", error_description=\"{why}\""), why.to_string()),
            Refused::Scope(scope) => (StatusCode::FORBIDDEN, format!("Bearer realm=\"messages\", error=\"insufficient_scope\", scope=\"{scope}\""), format!("the token lacks {scope}")),
        };
        let mut response = problem(status, "The access token cannot be used", &detail);
        if let Ok(value) = challenge.parse() {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        response
    })
}

async fn inbox(State(center): State<Arc<Center>>, headers: HeaderMap) -> Response {
    let me = match caller(&center, &headers, "messages:read").await {
        Ok(me) => me,
        Err(response) => return response,
    };
    match center.store.of(&me.sub).await {
        Ok(mine) => Json(mine).into_response(),
        Err(e) => failed(e),
    }
}

fn failed(e: String) -> Response {
    eprintln!("message center: {e}");
    problem(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "try again later")
}

async fn one(State(center): State<Arc<Center>>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    let me = match caller(&center, &headers, "messages:read").await {
        Ok(me) => me,
        Err(response) => return response,
    };
    match center.store.one(&me.sub, id).await {
        Ok(Some(message)) => Json(message).into_response(),
        Ok(None) => problem(StatusCode::NOT_FOUND, "No such message", "it does not exist or is somebody else's"),
        Err(e) => failed(e),
    }
}

async fn send(State(center): State<Arc<Center>>, headers: HeaderMap, body: Result<Json<NewMessage>, axum::extract::rejection::JsonRejection>) -> Response {
    let me = match caller(&center, &headers, "messages:write").await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let Ok(Json(new)) = body else { return problem(StatusCode::BAD_REQUEST, "Unreadable message", "send JSON with topic, text and optionally account and attachment") };
    let mut problems = Vec::new();
    if !TOPICS.contains(&new.topic.as_str()) {
        problems.push(format!("topic: one of {}", TOPICS.join(", ")));
    }
    let text = new.text.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        problems.push(format!("text: 1 to {MAX_TEXT} characters"));
    }
    let attachment = match &new.attachment {
        None => None,
        Some(a) => match base64::engine::general_purpose::STANDARD.decode(&a.data) {
            Ok(bytes) if bytes.len() > MAX_ATTACHMENT => {
                problems.push("attachment: at most 1 MiB".into());
                None
            }
            Ok(_) if !ATTACHMENT_TYPES.contains(&a.content_type.as_str()) => {
                problems.push(format!("attachment: one of {}", ATTACHMENT_TYPES.join(", ")));
                None
            }
            Ok(bytes) => {
                let name = a.name.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\')).take(100).collect();
                Some((AttachmentInfo { name, content_type: a.content_type.clone(), size: bytes.len() }, bytes))
            }
            Err(_) => {
                problems.push("attachment: data must be base64".into());
                None
            }
        },
    };
    if !problems.is_empty() {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "The message cannot be sent", &problems.join("; "));
    }
    let (info, bytes) = attachment.map_or((None, None), |(info, bytes)| (Some(info), Some(bytes)));
    let message = Message { id: 0, owner: me.sub, topic: new.topic, account: new.account, text: text.to_string(), attachment: info, sent_at: (center.verifier.clock)() };
    match center.store.insert(message, bytes).await {
        Ok(stored) => (StatusCode::CREATED, Json(stored)).into_response(),
        Err(e) => failed(e),
    }
}
