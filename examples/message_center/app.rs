//! The secure message center's API: people write to the service team about their
//! contracts (a thread with a topic and the account it concerns; messages of text
//! with an optional attachment) and read the team's replies. Every call carries an
//! access token from oneid for this API's resource indicator (RFC 8707) with
//! `messages:read` or `messages:write`; see `token.rs`. Threads are kept in the center's
//! own SQLite database (`store.rs`); the team answers with the `reply` command.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use super::store::{AttachmentInfo, NewMessage, Store};
use super::token::{Caller, Refused, TokenVerifier};

/// The topics a thread can have, and how an email names them.
pub const TOPICS: &[(&str, &str)] = &[("contract", "your contract"), ("payment", "a payment"), ("vehicle", "your vehicle"), ("other", "your question")];
const MAX_TEXT: usize = 5000;
const MAX_ATTACHMENT: usize = 1024 * 1024;
/// The types an attachment may have, what people call them, and how their files start.
const ATTACHMENT_TYPES: &[(&str, &str, &[u8])] = &[("application/pdf", "PDF", b"%PDF-"), ("image/png", "PNG", b"\x89PNG\r\n\x1a\n"), ("image/jpeg", "JPEG", b"\xff\xd8\xff")];

/// A new thread: its topic, the account it concerns, and the first message.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewThread {
    pub topic: String,
    #[serde(default)]
    pub account: Option<String>,
    pub text: String,
    #[serde(default)]
    pub attachment: Option<NewAttachment>,
}

/// A further message in a thread.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReply {
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
        .route("/threads", get(threads).post(open))
        .route("/threads/{id}", get(thread))
        .route("/threads/{id}/messages", post(reply))
        .route("/threads/{id}/messages/{message}/attachment", get(attachment))
        .fallback(|| async { problem(StatusCode::NOT_FOUND, "No such resource", "see /threads") })
        .layer(DefaultBodyLimit::max(2 * MAX_ATTACHMENT))
        .with_state(center)
}

fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = json!({ "type": "about:blank", "title": title, "status": status.as_u16(), "detail": detail });
    (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
}

/// The caller, or the RFC 6750 answer.
async fn caller(center: &Center, headers: &HeaderMap, scope: &'static str) -> Result<Caller, Response> {
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
    let Some(token) = token else {
        let mut response = problem(StatusCode::UNAUTHORIZED, "Sign in first", "send an access token from oneid");
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"messages\""));
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

fn failed(e: String) -> Response {
    eprintln!("message center: {e}");
    problem(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "try again later")
}

fn not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "No such thread", "it does not exist or is somebody else's")
}

async fn threads(State(center): State<Arc<Center>>, headers: HeaderMap) -> Response {
    let me = match caller(&center, &headers, "messages:read").await {
        Ok(me) => me,
        Err(response) => return response,
    };
    match center.store.threads_of(&me.sub).await {
        Ok(mine) => Json(mine).into_response(),
        Err(e) => failed(e),
    }
}

async fn thread(State(center): State<Arc<Center>>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    let me = match caller(&center, &headers, "messages:read").await {
        Ok(me) => me,
        Err(response) => return response,
    };
    match center.store.thread(id, Some(&me.sub)).await {
        Ok(Some(thread)) => Json(thread).into_response(),
        Ok(None) => not_found(),
        Err(e) => failed(e),
    }
}

async fn attachment(State(center): State<Arc<Center>>, headers: HeaderMap, Path((thread, message)): Path<(u64, u64)>) -> Response {
    let me = match caller(&center, &headers, "messages:read").await {
        Ok(me) => me,
        Err(response) => return response,
    };
    match center.store.attachment(&me.sub, thread, message).await {
        // Always a download, never rendered in the API's origin.
        Ok(Some((info, bytes))) => {
            let disposition = format!("attachment; filename=\"{}\"", info.name.replace(['"', '\\'], "_"));
            let headers = [
                (header::CONTENT_TYPE, HeaderValue::from_str(&info.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"))),
                (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment"))),
                (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
                (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
            ];
            (headers, bytes).into_response()
        }
        Ok(None) => problem(StatusCode::NOT_FOUND, "No such attachment", "it does not exist or is somebody else's"),
        Err(e) => failed(e),
    }
}

type JsonBody<T> = Result<Json<T>, axum::extract::rejection::JsonRejection>;

async fn open(State(center): State<Arc<Center>>, headers: HeaderMap, body: JsonBody<NewThread>) -> Response {
    let me = match caller(&center, &headers, "messages:write").await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let Ok(Json(new)) = body else { return problem(StatusCode::BAD_REQUEST, "Unreadable message", "send JSON with topic, text and optionally account and attachment") };
    let mut problems = Vec::new();
    if !TOPICS.iter().any(|(topic, _)| *topic == new.topic) {
        problems.push(format!("topic: one of {}", TOPICS.iter().map(|(topic, _)| *topic).collect::<Vec<_>>().join(", ")));
    }
    let account = new.account.map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
    if account.as_ref().is_some_and(|a| a.chars().count() > 40 || a.chars().any(char::is_control)) {
        problems.push("account: at most 40 characters".into());
    }
    let message = checked(&center, new.text, new.attachment, &mut problems);
    if !problems.is_empty() {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "The message cannot be sent", &problems.join("; "));
    }
    match center.store.open_thread(&me.sub, me.email, &new.topic, account, message).await {
        Ok(id) => created(&center, &me.sub, id).await,
        Err(e) => failed(e),
    }
}

async fn reply(State(center): State<Arc<Center>>, headers: HeaderMap, Path(id): Path<u64>, body: JsonBody<NewReply>) -> Response {
    let me = match caller(&center, &headers, "messages:write").await {
        Ok(me) => me,
        Err(response) => return response,
    };
    match center.store.thread(id, Some(&me.sub)).await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(),
        Err(e) => return failed(e),
    }
    let Ok(Json(new)) = body else { return problem(StatusCode::BAD_REQUEST, "Unreadable message", "send JSON with text and optionally attachment") };
    let mut problems = Vec::new();
    let message = checked(&center, new.text, new.attachment, &mut problems);
    if !problems.is_empty() {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "The message cannot be sent", &problems.join("; "));
    }
    match center.store.add(id, me.email, message).await {
        Ok(_) => created(&center, &me.sub, id).await,
        Err(e) => failed(e),
    }
}

/// 201 with the thread as it now is.
async fn created(center: &Center, owner: &str, id: u64) -> Response {
    match center.store.thread(id, Some(owner)).await {
        Ok(Some(thread)) => (StatusCode::CREATED, [(header::LOCATION, format!("/threads/{id}"))], Json(thread)).into_response(),
        Ok(None) => not_found(),
        Err(e) => failed(e),
    }
}

/// The person's message, or what is wrong with it (added to `problems`).
fn checked(center: &Center, text: String, attachment: Option<NewAttachment>, problems: &mut Vec<String>) -> NewMessage {
    let text = text.trim().to_string();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        problems.push(format!("text: 1 to {MAX_TEXT} characters"));
    }
    let attachment = attachment.and_then(|a| match checked_attachment(&a) {
        Ok(bytes) => {
            let name: String = a.name.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\')).take(100).collect();
            let name = if name.trim().is_empty() { "attachment".to_string() } else { name };
            Some((AttachmentInfo { name, content_type: a.content_type, size: bytes.len() }, bytes))
        }
        Err(why) => {
            problems.push(format!("attachment: {why}"));
            None
        }
    });
    NewMessage { author: "you", text, attachment, sent_at: (center.verifier.clock)() }
}

/// The attachment's bytes: base64, within the size limit, of an allowed type, and
/// starting the way files of that type do (a renamed executable is not a PDF).
fn checked_attachment(a: &NewAttachment) -> Result<Vec<u8>, String> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(&a.data).map_err(|_| "data must be base64".to_string())?;
    if bytes.is_empty() || bytes.len() > MAX_ATTACHMENT {
        return Err("at most 1 MiB, and not empty".into());
    }
    let Some((_, name, magic)) = ATTACHMENT_TYPES.iter().find(|(t, _, _)| *t == a.content_type) else {
        return Err("only PDF, PNG or JPEG files (application/pdf, image/png, image/jpeg)".into());
    };
    if !bytes.starts_with(magic) {
        return Err(format!("the file is not a {name} file"));
    }
    Ok(bytes)
}
