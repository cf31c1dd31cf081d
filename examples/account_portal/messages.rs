//! The portal's "Messages" pages: the person's threads with the service team, a form
//! to write about one of their linked agreements (with an optional attachment), and
//! each thread with its replies. The pages call the secure message center's API with
//! an access token for it alone: the sign-in's refresh token asks oneid for one with
//! `resource` = the message center (RFC 8707), and it is reused until shortly before
//! it expires.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::Engine;
use openidconnect::OAuth2TokenResponse;
use serde_json::{Value, json};

use super::app::{Portal, User, csrf_field, esc, failure, now, page, sign_in_first};

/// What the pages offer as topics; the message center knows the same list.
const TOPICS: &[(&str, &str)] = &[("contract", "My contract"), ("payment", "A payment"), ("vehicle", "My vehicle"), ("other", "Something else")];

pub fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route("/messages", get(inbox).post(write))
        .route("/messages/{id}", get(thread).post(answer))
        .route("/messages/{id}/attachments/{message}", get(attachment))
}

/// Why the message center could not be asked.
enum Trouble {
    /// The sign-in is over (refresh refused): sign in again.
    SignIn,
    Failed(String),
}

impl IntoResponse for Trouble {
    fn into_response(self) -> Response {
        match self {
            Trouble::SignIn => Redirect::to("/login").into_response(),
            Trouble::Failed(why) => {
                eprintln!("account portal: the message center: {why}");
                failure(StatusCode::BAD_GATEWAY, "Messages are unavailable", "The message center cannot be reached just now. Try again in a few minutes.")
            }
        }
    }
}

/// An access token for the message center, new from the refresh token when needed.
async fn token(p: &Portal, user: &User, fresh: bool) -> Result<String, Trouble> {
    let mut tokens = user.tokens.lock().await;
    if let Some((token, expires)) = &tokens.messages
        && !fresh
        && *expires > now() + 30
    {
        return Ok(token.clone());
    }
    let refresh = tokens.refresh.clone().ok_or(Trouble::SignIn)?;
    let request = p.client.exchange_refresh_token(&refresh).map_err(|e| Trouble::Failed(e.to_string()))?;
    let answer = request.add_extra_param("resource", p.messages.clone()).request_async(&p.http).await.map_err(|e| {
        // Typically the sign-in ended at oneid (invalid_grant): sign in again.
        eprintln!("account portal: no token for the message center: {e:?}");
        Trouble::SignIn
    })?;
    // oneid rotates refresh tokens: the next refresh needs the new one.
    tokens.refresh = Some(answer.refresh_token().cloned().unwrap_or(refresh));
    let expires = now() + answer.expires_in().map_or(60, |d| d.as_secs() as i64);
    let token = answer.access_token().secret().clone();
    tokens.messages = Some((token.clone(), expires));
    Ok(token)
}

/// Calls the message center as `user` (once more with a fresh token if it refuses the
/// one in hand).
async fn call(p: &Portal, user: &User, method: reqwest::Method, path: &str, body: Option<&Value>) -> Result<reqwest::Response, Trouble> {
    for fresh in [false, true] {
        let token = token(p, user, fresh).await?;
        let mut request = p.http.request(method.clone(), format!("{}{path}", p.messages)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| Trouble::Failed(e.to_string()))?;
        if response.status() != StatusCode::UNAUTHORIZED || fresh {
            return Ok(response);
        }
    }
    Err(Trouble::Failed("unreachable".into()))
}

async fn json_of(response: reqwest::Response) -> Result<Value, Trouble> {
    let status = response.status();
    let body: Value = response.json().await.map_err(|e| Trouble::Failed(e.to_string()))?;
    if status.is_success() { Ok(body) } else { Err(Trouble::Failed(format!("answered {status}: {body}"))) }
}

fn when(unix: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!("{}-{:02}-{:02} {:02}:{:02} UTC", t.year(), t.month() as u8, t.day(), t.hour(), t.minute()),
        Err(_) => String::new(),
    }
}

fn topic_label(topic: &str) -> &str {
    TOPICS.iter().find(|(id, _)| *id == topic).map_or(topic, |(_, label)| label)
}

/// The message fields and the attachment picker of both forms, with `text` as typed.
fn message_fields(text: &str) -> String {
    format!(
        "<label>Your message <textarea name=\"text\" rows=\"6\" maxlength=\"5000\" required>{}</textarea></label>\
         <label>Attachment (PDF, PNG or JPEG, at most 1 MiB) <input type=\"file\" name=\"attachment\" accept=\".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg\"></label>",
        esc(text)
    )
}

async fn inbox(State(p): State<Arc<Portal>>, headers: HeaderMap) -> Response {
    let Some((user, csrf)) = p.user(&headers) else { return sign_in_first("/messages") };
    inbox_page(&p, &user, &csrf, StatusCode::OK, None).await
}

/// The threads and the form to write; after a refusal, the form as it was sent and why.
async fn inbox_page(p: &Portal, user: &User, csrf: &str, status: StatusCode, refused: Option<(&Posted, &str)>) -> Response {
    let threads = match call(p, user, reqwest::Method::GET, "/threads", None).await {
        Ok(response) => json_of(response).await,
        Err(trouble) => Err(trouble),
    };
    let threads = match threads {
        Ok(threads) => threads,
        Err(trouble) => return trouble.into_response(),
    };
    let linked = p.store.linked(&user.sub).await.unwrap_or_default();
    let rows: String = threads
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let answered = if t["last_author"] == "service" { "Answered" } else { "Sent" };
            format!(
                "<li><a href=\"/messages/{}\">{}</a> · {} · {} · {}</li>",
                t["id"].as_u64().unwrap_or(0),
                esc(topic_label(t["topic"].as_str().unwrap_or(""))),
                esc(t["account"].as_str().unwrap_or("no agreement")),
                answered,
                when(t["updated_at"].as_i64().unwrap_or(0))
            )
        })
        .collect();
    let list = if rows.is_empty() { "<p>No messages yet.</p>".to_string() } else { format!("<ul class=\"threads\">{rows}</ul>") };
    let typed = |name: &str| refused.map_or("", |(form, _)| form.field(name));
    let selected = |yes: bool| if yes { " selected" } else { "" };
    let topics: String = TOPICS.iter().map(|(id, label)| format!("<option value=\"{id}\"{}>{}</option>", selected(typed("topic") == *id), esc(label))).collect();
    // With a single agreement linked, that is the one the message is about.
    let only = (linked.len() == 1 && refused.is_none()).then(|| linked[0].id.as_str());
    let accounts: String = linked
        .iter()
        .map(|a| format!("<option value=\"{id}\"{}>{id} · {}</option>", selected(typed("account") == a.id || only == Some(a.id.as_str())), esc(&a.vehicle), id = esc(&a.id)))
        .collect();
    let error = refused.map(|(_, why)| format!("<p class=\"error\">{}</p>", esc(why))).unwrap_or_default();
    let body = format!(
        "{list}<h2>Write to us</h2>{error}<form method=\"post\" action=\"/messages\" enctype=\"multipart/form-data\">{}\
         <label>Topic <select name=\"topic\">{topics}</select></label>\
         <label>Agreement <select name=\"account\"><option value=\"\">None</option>{accounts}</select></label>{}<button>Send</button></form>",
        csrf_field(csrf),
        message_fields(typed("text"))
    );
    (status, page("Messages", &body)).into_response()
}

/// A form as sent: its text fields, and the attached file (name, type, bytes) if any.
struct Posted {
    fields: Vec<(String, String)>,
    file: Option<(String, String, Vec<u8>)>,
}

impl Posted {
    async fn read(mut multipart: Multipart) -> Result<Posted, String> {
        let mut posted = Posted { fields: Vec::new(), file: None };
        while let Some(field) = multipart.next_field().await.map_err(|e| e.body_text())? {
            let name = field.name().unwrap_or_default().to_string();
            if name == "attachment" {
                let file_name = field.file_name().unwrap_or_default().to_string();
                let content_type = field.content_type().unwrap_or("application/octet-stream").to_string();
                let bytes = field.bytes().await.map_err(|e| e.body_text())?;
                // An empty file picker still sends a part, with no name and no bytes.
                if !bytes.is_empty() {
                    posted.file = Some((file_name, content_type, bytes.to_vec()));
                }
            } else {
                let value = field.text().await.map_err(|e| e.body_text())?;
                posted.fields.push((name, value));
            }
        }
        Ok(posted)
    }

    fn field(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// The message center's JSON for the text and attachment.
    fn message(&self) -> Value {
        let mut message = json!({ "text": self.field("text") });
        if let Some((name, content_type, bytes)) = &self.file {
            message["attachment"] = json!({ "name": name, "content_type": content_type, "data": base64::engine::general_purpose::STANDARD.encode(bytes) });
        }
        message
    }
}

/// The form, read and its CSRF token checked; or the page to answer with.
async fn posted(p: &Portal, headers: &HeaderMap, here: &str, multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>) -> Result<(User, String, Posted), Response> {
    let Some((user, csrf)) = p.user(headers) else { return Err(sign_in_first(here)) };
    let form = match multipart {
        Ok(multipart) => Posted::read(multipart).await,
        Err(e) => Err(e.body_text()),
    };
    let form = form.map_err(|_| failure(StatusCode::BAD_REQUEST, "The form could not be read", "Files may be at most 1 MiB. Go back and try again."))?;
    if !p.csrf_ok(headers, form.field("csrf")) {
        return Err(failure(StatusCode::FORBIDDEN, "Form expired", "This form has expired. Go back, reload the page and try again."));
    }
    Ok((user, csrf, form))
}

/// The message center's reason for a 422, for the person.
async fn refusal(response: reqwest::Response) -> String {
    let problem: Value = response.json().await.unwrap_or_default();
    problem["detail"].as_str().unwrap_or("The message cannot be sent.").to_string()
}

async fn write(State(p): State<Arc<Portal>>, headers: HeaderMap, multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>) -> Response {
    let (user, csrf, form) = match posted(&p, &headers, "/messages", multipart).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    // Only the person's own agreements: the message center cannot know which are.
    let account = form.field("account").trim().to_string();
    if !account.is_empty() && !p.store.linked(&user.sub).await.unwrap_or_default().iter().any(|a| a.id == account) {
        return inbox_page(&p, &user, &csrf, StatusCode::UNPROCESSABLE_ENTITY, Some((&form, "Choose one of your linked agreements."))).await;
    }
    let mut message = form.message();
    message["topic"] = json!(form.field("topic"));
    if !account.is_empty() {
        message["account"] = json!(account);
    }
    match call(&p, &user, reqwest::Method::POST, "/threads", Some(&message)).await {
        Ok(response) if response.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let why = refusal(response).await;
            inbox_page(&p, &user, &csrf, StatusCode::UNPROCESSABLE_ENTITY, Some((&form, &why))).await
        }
        Ok(response) => match json_of(response).await {
            Ok(thread) => Redirect::to(&format!("/messages/{}", thread["id"].as_u64().unwrap_or(0))).into_response(),
            Err(trouble) => trouble.into_response(),
        },
        Err(trouble) => trouble.into_response(),
    }
}

async fn thread(State(p): State<Arc<Portal>>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    let Some((user, csrf)) = p.user(&headers) else { return sign_in_first(&format!("/messages/{id}")) };
    thread_page(&p, &user, &csrf, id, StatusCode::OK, None).await
}

/// A thread and the form to answer; after a refusal, the text as it was sent and why.
async fn thread_page(p: &Portal, user: &User, csrf: &str, id: u64, status: StatusCode, refused: Option<(&Posted, &str)>) -> Response {
    let response = match call(p, user, reqwest::Method::GET, &format!("/threads/{id}"), None).await {
        Ok(response) if response.status() == StatusCode::NOT_FOUND => return failure(StatusCode::NOT_FOUND, "No such message", "It does not exist or belongs to someone else."),
        Ok(response) => response,
        Err(trouble) => return trouble.into_response(),
    };
    let thread = match json_of(response).await {
        Ok(thread) => thread,
        Err(trouble) => return trouble.into_response(),
    };
    let messages: String = thread["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let author = if m["author"] == "service" { "Service team" } else { "You" };
            let attachment = m["attachment"]
                .as_object()
                .map(|a| format!("<p><a href=\"/messages/{id}/attachments/{}\">{}</a> ({} bytes)</p>", m["id"].as_u64().unwrap_or(0), esc(a["name"].as_str().unwrap_or("attachment")), a["size"]))
                .unwrap_or_default();
            format!(
                "<article class=\"message {}\"><h3>{author} · {}</h3><p class=\"text\">{}</p>{attachment}</article>",
                esc(m["author"].as_str().unwrap_or("")),
                when(m["sent_at"].as_i64().unwrap_or(0)),
                esc(m["text"].as_str().unwrap_or(""))
            )
        })
        .collect();
    let error = refused.map(|(_, why)| format!("<p class=\"error\">{}</p>", esc(why))).unwrap_or_default();
    let body = format!(
        "<p>About: {}</p>{messages}<h2>Answer</h2>{error}<form method=\"post\" action=\"/messages/{id}\" enctype=\"multipart/form-data\">{}{}<button>Send</button></form>",
        esc(thread["account"].as_str().unwrap_or("no agreement")),
        csrf_field(csrf),
        message_fields(refused.map_or("", |(form, _)| form.field("text")))
    );
    (status, page(topic_label(thread["topic"].as_str().unwrap_or("")), &body)).into_response()
}

async fn answer(State(p): State<Arc<Portal>>, headers: HeaderMap, Path(id): Path<u64>, multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>) -> Response {
    let (user, csrf, form) = match posted(&p, &headers, &format!("/messages/{id}"), multipart).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    match call(&p, &user, reqwest::Method::POST, &format!("/threads/{id}/messages"), Some(&form.message())).await {
        Ok(response) if response.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let why = refusal(response).await;
            thread_page(&p, &user, &csrf, id, StatusCode::UNPROCESSABLE_ENTITY, Some((&form, &why))).await
        }
        Ok(response) if response.status() == StatusCode::NOT_FOUND => failure(StatusCode::NOT_FOUND, "No such message", "It does not exist or belongs to someone else."),
        Ok(response) => match json_of(response).await {
            Ok(_) => Redirect::to(&format!("/messages/{id}")).into_response(),
            Err(trouble) => trouble.into_response(),
        },
        Err(trouble) => trouble.into_response(),
    }
}

/// An attachment, passed through as a download.
async fn attachment(State(p): State<Arc<Portal>>, headers: HeaderMap, Path((id, message)): Path<(u64, u64)>) -> Response {
    let Some((user, _)) = p.user(&headers) else { return sign_in_first(&format!("/messages/{id}")) };
    let response = match call(&p, &user, reqwest::Method::GET, &format!("/threads/{id}/messages/{message}/attachment"), None).await {
        Ok(response) if response.status().is_success() => response,
        Ok(_) => return failure(StatusCode::NOT_FOUND, "No such attachment", "It does not exist or belongs to someone else."),
        Err(trouble) => return trouble.into_response(),
    };
    let mut passed = Vec::new();
    for name in [header::CONTENT_TYPE, header::CONTENT_DISPOSITION] {
        if let Some(value) = response.headers().get(&name) {
            passed.push((name, value.clone()));
        }
    }
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return Trouble::Failed(e.to_string()).into_response(),
    };
    let mut answer = bytes.into_response();
    for (name, value) in passed {
        answer.headers_mut().insert(name, value);
    }
    answer.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, "nosniff".parse().expect("static header"));
    answer.headers_mut().insert(header::CACHE_CONTROL, "private, no-store".parse().expect("static header"));
    answer
}
