//! `/me`: the account's data, and each change the account pages offer.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::account::api::{self, PROFILE_FIELDS};
use crate::account::security::{self, PhoneVerification};
use crate::account::picture::{self, MAX_BYTES, PictureError};
use crate::account::{AccountError, Origin, deletion, profile};
use crate::auth::otp::{Checked, Sent};
use crate::auth::{devices, session};
use crate::state::AppState;

use super::super::admin_api::{ApiJson, json};
use super::super::error::Problem;
use super::super::extract::Meta;
use super::{Me, failure, internal};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me_get, me_patch, me_delete))
        .routes(routes!(email_post))
        .routes(routes!(phone_post))
        .routes(routes!(phone_verify_post))
        .routes(routes!(password_post))
        .routes(routes!(sessions_get))
        .routes(routes!(session_delete))
        .routes(routes!(app_delete))
        .routes(routes!(devices_get))
        .routes(routes!(device_delete))
        .routes(routes!(passkeys_get))
        .routes(routes!(passkey_patch, passkey_delete))
        .routes(routes!(second_factor_put))
        .routes(routes!(codes_on_post))
        .routes(routes!(codes_confirm_post))
        .routes(routes!(codes_off_post))
        .routes(routes!(export_get))
        .merge(OpenApiRouter::new().routes(routes!(picture_put, picture_delete)).layer(DefaultBodyLimit::max(MAX_BYTES + 1024)))
}

/// The brand and language of mail the API's changes send: the app's brand, the
/// account's language.
fn origin<'a>(me: &'a Me, brand: &'a str) -> Origin<'a> {
    Origin { brand, lang: crate::i18n::choose(None, None, me.user.locale.as_deref(), None), request: None }
}

async fn brand_of(s: &AppState, me: &Me) -> String {
    s.ctx().clients.get(&me.claims.client_id).await.ok().flatten().map_or_else(|| crate::brands::DEFAULT_BRAND.to_string(), |c| c.brand.clone())
}

/// The account, its personal data and how it signs in.
#[utoipa::path(get, path = "/me", tag = "me", responses((status = 200, body = api::Me), (status = 401), (status = 403)))]
async fn me_get(State(s): State<AppState>, me: Me) -> Response {
    match api::me(s.ctx(), &me.user).await {
        Ok(view) => json(StatusCode::OK, &view),
        Err(e) => internal(e),
    }
}

/// Changes personal data: the fields given (a string, or null to clear an optional
/// one), checked like the account page. A new mobile number is unverified until
/// `/me/phone/verify`.
#[utoipa::path(patch, path = "/me", tag = "me", request_body(content = Object, content_type = "application/merge-patch+json"),
    responses((status = 200, body = api::Me), (status = 422)))]
async fn me_patch(State(s): State<AppState>, me: Me, Meta(meta): Meta, ApiJson(changes): ApiJson<Map<String, Value>>) -> Response {
    let mut given = Vec::new();
    let mut unknown = Vec::new();
    for (name, value) in &changes {
        let Some(field) = PROFILE_FIELDS.iter().find(|f| **f == name) else {
            unknown.push(format!("{name}: not a personal data field (one of {})", PROFILE_FIELDS.join(", ")));
            continue;
        };
        match value {
            Value::Null => given.push((*field, None)),
            Value::String(text) => given.push((*field, Some(text.clone()))),
            _ => unknown.push(format!("{name}: must be a string or null")),
        }
    }
    if !unknown.is_empty() {
        return Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "urn:oneid:problem:invalid-fields", "Some values are not acceptable", unknown.join("; ")).with("errors", unknown).into_response();
    }
    match api::change_profile(s.ctx(), &me.user, &given, &meta).await {
        Ok(user) => match api::me(s.ctx(), &user).await {
            Ok(view) => json(StatusCode::OK, &view),
            Err(e) => internal(e),
        },
        Err(e) => failure(&s, e),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewEmail {
    new_email: String,
    current_password: String,
}

#[derive(Serialize, ToSchema)]
struct Pending {
    /// What happens next, for the person.
    next: &'static str,
}

/// Starts an email change: a confirmation link goes to the new address, and the change
/// happens when it is opened. Like every change to how the account is reached or
/// protected (email, phone, factors, export, deletion), it needs a recent sign-in.
#[utoipa::path(post, path = "/me/email", tag = "me", request_body = NewEmail, responses((status = 202, body = Pending), (status = 422)))]
async fn email_post(State(s): State<AppState>, me: Me, Meta(meta): Meta, ApiJson(body): ApiJson<NewEmail>) -> Response {
    if let Err(response) = me.recently_signed_in(&s) {
        return response;
    }
    let brand = brand_of(&s, &me).await;
    match profile::request_email_change(s.ctx(), &me.user, &body.new_email, &body.current_password, origin(&me, &brand), &meta).await {
        Ok(_) => json(StatusCode::ACCEPTED, &Pending { next: "open the link sent to the new address" }),
        Err(e) => failure(&s, e),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewPhone {
    /// With its country code, like `+44 7700 900123`.
    phone_number: String,
}

/// Sets a new mobile number (unverified) and texts it a code.
#[utoipa::path(post, path = "/me/phone", tag = "me", request_body = NewPhone, responses((status = 202, body = Pending), (status = 422), (status = 429)))]
async fn phone_post(State(s): State<AppState>, me: Me, Meta(meta): Meta, ApiJson(body): ApiJson<NewPhone>) -> Response {
    if let Err(response) = me.recently_signed_in(&s) {
        return response;
    }
    let user = match api::change_profile(s.ctx(), &me.user, &[("phone_number", Some(body.phone_number))], &meta).await {
        Ok(user) => user,
        Err(e) => return failure(&s, e),
    };
    let brand = brand_of(&s, &me).await;
    let lang = crate::i18n::choose(None, None, user.locale.as_deref(), None);
    match security::send_phone_code(s.ctx(), &user, &brand, lang).await {
        Ok(Some(Sent::Sent)) => json(StatusCode::ACCEPTED, &Pending { next: "send the code from the text message to /me/phone/verify" }),
        Ok(Some(Sent::TooSoon)) => Problem::new(StatusCode::TOO_MANY_REQUESTS, "urn:oneid:problem:too-soon", "A code was sent less than a minute ago", "wait a minute before asking for another").into_response(),
        Ok(None) => failure(&s, AccountError::field("phone_number", "phone-invalid")),
        Err(e) => failure(&s, e),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Code {
    code: String,
}

/// Verifies the mobile number with the texted code; from then on it signs in too.
#[utoipa::path(post, path = "/me/phone/verify", tag = "me", request_body = Code, responses((status = 200, body = api::Me), (status = 409), (status = 422)))]
async fn phone_verify_post(State(s): State<AppState>, me: Me, Meta(meta): Meta, ApiJson(body): ApiJson<Code>) -> Response {
    if let Err(response) = me.recently_signed_in(&s) {
        return response;
    }
    match security::verify_phone(s.ctx(), &me.user, &body.code, &meta).await {
        Ok(PhoneVerification::Verified) => fresh_me(&s, &me).await,
        Ok(PhoneVerification::Taken) => Problem::new(StatusCode::CONFLICT, "urn:oneid:problem:conflict", "This number already signs in to another account", "use another number").into_response(),
        Ok(PhoneVerification::Code(Checked::Wrong)) => failure(&s, AccountError::field("code", "code-wrong")),
        Ok(PhoneVerification::Code(_)) => failure(&s, AccountError::field("code", "code-unusable")),
        Err(e) => failure(&s, e),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewPassword {
    current_password: String,
    new_password: String,
}

/// Changes the password (needs a recent sign-in and the current password); other
/// sessions and apps are signed out, this one stays.
#[utoipa::path(post, path = "/me/password", tag = "me", request_body = NewPassword, responses((status = 204), (status = 401), (status = 422)))]
async fn password_post(State(s): State<AppState>, me: Me, Meta(meta): Meta, ApiJson(body): ApiJson<NewPassword>) -> Response {
    if let Err(response) = me.recently_signed_in(&s) {
        return response;
    }
    let brand = brand_of(&s, &me).await;
    let keep = me.claims.sid.clone().unwrap_or_default();
    match profile::change_password(s.ctx(), &me.user, &body.current_password, &body.new_password, &keep, &brand, &meta).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => failure(&s, e),
    }
}

#[derive(Serialize, ToSchema)]
struct Sessions {
    /// Browser sessions.
    browsers: Vec<BrowserSession>,
    /// Apps and devices signed in on their own (refresh tokens).
    apps: Vec<AppSession>,
}

#[derive(Serialize, ToSchema)]
struct BrowserSession {
    sid: String,
    signed_in_at: i64,
    expires_at: i64,
    ip: Option<String>,
    user_agent: Option<String>,
    /// The session this token came from.
    current: bool,
}

#[derive(Serialize, ToSchema)]
struct AppSession {
    id: String,
    client_id: String,
    client_name: String,
    signed_in_at: i64,
    last_used_at: i64,
    user_agent: Option<String>,
    ip: Option<String>,
    /// The sign-in this token belongs to.
    current: bool,
}

/// Where the account is signed in.
#[utoipa::path(get, path = "/me/sessions", tag = "me", responses((status = 200, body = Sessions)))]
async fn sessions_get(State(s): State<AppState>, me: Me) -> Response {
    let ctx = s.ctx();
    let (sessions, grants) = match (ctx.store.sessions_of(&me.user.id, ctx.now()).await, ctx.store.grants_of(&me.user.id, ctx.now()).await) {
        (Ok(sessions), Ok(grants)) => (sessions, grants),
        (Err(e), _) | (_, Err(e)) => return internal(e),
    };
    let browsers = sessions
        .into_iter()
        .map(|x| BrowserSession { current: me.claims.sid.as_deref() == Some(x.sid.as_str()), sid: x.sid, signed_in_at: x.auth_time, expires_at: x.expires_at, ip: x.ip, user_agent: x.user_agent })
        .collect();
    let mut apps = Vec::new();
    for (grant, used) in grants.into_iter().filter(|(g, _)| g.offline) {
        let client_name = ctx.clients.get(&grant.client_id).await.ok().flatten().map_or_else(|| grant.client_id.clone(), |c| c.name.clone());
        apps.push(AppSession {
            current: me.claims.gid.as_deref() == Some(grant.id.as_str()),
            id: grant.id,
            client_id: grant.client_id,
            client_name,
            signed_in_at: grant.auth_time,
            last_used_at: used,
            user_agent: grant.user_agent,
            ip: grant.ip,
        });
    }
    json(StatusCode::OK, &Sessions { browsers, apps })
}

/// Ends one browser session of the account.
#[utoipa::path(delete, path = "/me/sessions/{sid}", tag = "me", params(("sid" = String, Path)), responses((status = 204), (status = 404)))]
async fn session_delete(State(s): State<AppState>, me: Me, Meta(meta): Meta, Path(sid): Path<String>) -> Response {
    let ctx = s.ctx();
    match ctx.store.session_by_sid(&sid, ctx.now()).await {
        Ok(Some(found)) if found.user_id == me.user.id => match session::end(ctx, &sid, "ended_by_owner", &meta).await {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => internal(e),
        },
        Ok(_) => not_found("no such session of this account"),
        Err(e) => internal(e),
    }
}

/// Signs one app or device out.
#[utoipa::path(delete, path = "/me/apps/{id}", tag = "me", params(("id" = String, Path)), responses((status = 204), (status = 404)))]
async fn app_delete(State(s): State<AppState>, me: Me, Meta(meta): Meta, Path(id): Path<String>) -> Response {
    match session::end_grant(s.ctx(), &me.user.id, &id, &meta).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => not_found("no such app sign-in of this account"),
        Err(e) => internal(e),
    }
}

fn not_found(detail: &str) -> Response {
    Problem::new(StatusCode::NOT_FOUND, "urn:oneid:problem:not-found", "Not found", detail).into_response()
}

#[derive(Serialize, ToSchema)]
struct Device {
    id: String,
    name: String,
    last_used_at: i64,
    expires_at: i64,
}

/// Browsers remembered for the device check ("remember this device").
#[utoipa::path(get, path = "/me/devices", tag = "me", responses((status = 200, body = Vec<Device>)))]
async fn devices_get(State(s): State<AppState>, me: Me) -> Response {
    match devices::list(s.ctx(), &me.user).await {
        Ok(list) => json(StatusCode::OK, &list.into_iter().map(|d| Device { id: d.id, name: d.name, last_used_at: d.last_used_at, expires_at: d.expires_at }).collect::<Vec<_>>()),
        Err(e) => internal(e),
    }
}

#[utoipa::path(delete, path = "/me/devices/{id}", tag = "me", params(("id" = String, Path)), responses((status = 204), (status = 404)))]
async fn device_delete(State(s): State<AppState>, me: Me, Meta(meta): Meta, Path(id): Path<String>) -> Response {
    match devices::revoke(s.ctx(), &me.user, &id).await {
        Ok(true) => {
            s.ctx().audit("trusted_device_removed", &meta, Some(&me.user.id), None, serde_json::json!({})).await;
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(false) => not_found("no such device of this account"),
        Err(e) => internal(e),
    }
}

#[derive(Serialize, ToSchema)]
struct Passkey {
    id: String,
    name: String,
    created_at: i64,
    last_used_at: Option<i64>,
}

/// The account's passkeys (adding one is a browser or platform ceremony).
#[utoipa::path(get, path = "/me/passkeys", tag = "me", responses((status = 200, body = Vec<Passkey>)))]
async fn passkeys_get(State(s): State<AppState>, me: Me) -> Response {
    match s.ctx().store.passkeys_of(&me.user.id).await {
        Ok(list) => json(StatusCode::OK, &list.into_iter().map(|p| Passkey { id: p.id, name: p.name, created_at: p.created_at, last_used_at: p.last_used_at }).collect::<Vec<_>>()),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Rename {
    name: String,
}

#[utoipa::path(patch, path = "/me/passkeys/{id}", tag = "me", params(("id" = String, Path)), request_body = Rename, responses((status = 204), (status = 404), (status = 422)))]
async fn passkey_patch(State(s): State<AppState>, me: Me, Meta(meta): Meta, Path(id): Path<String>, ApiJson(body): ApiJson<Rename>) -> Response {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return failure(&s, AccountError::field("name", "field-too-long"));
    }
    match s.ctx().store.rename_passkey(&me.user.id, &id, name).await {
        Ok(true) => {
            s.ctx().audit("passkey_renamed", &meta, Some(&me.user.id), None, serde_json::json!({})).await;
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(false) => not_found("no such passkey of this account"),
        Err(e) => internal(e),
    }
}

#[utoipa::path(delete, path = "/me/passkeys/{id}", tag = "me", params(("id" = String, Path)), responses((status = 204), (status = 404)))]
async fn passkey_delete(State(s): State<AppState>, me: Me, Meta(meta): Meta, Path(id): Path<String>) -> Response {
    if let Err(response) = me.recently_signed_in(&s) {
        return response;
    }
    match crate::auth::passkeys::remove(s.ctx(), &me.user, &id).await {
        Ok(true) => {
            s.ctx().audit("passkey_removed", &meta, Some(&me.user.id), None, serde_json::json!({})).await;
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(false) => not_found("no such passkey of this account"),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CodeChannel {
    /// `email`, or `sms` (needs a verified mobile number; less safe than an app or a passkey).
    login_code_channel: String,
}

/// Where sign-in codes go. (Turning codes on and off, and authenticator apps, need the
/// browser: they confirm a code or a QR scan.)
#[utoipa::path(put, path = "/me/second-factor", tag = "me", request_body = CodeChannel, responses((status = 200, body = api::Me), (status = 422)))]
async fn second_factor_put(State(s): State<AppState>, me: Me, Meta(meta): Meta, ApiJson(body): ApiJson<CodeChannel>) -> Response {
    if let Err(response) = me.recently_signed_in(&s) {
        return response;
    }
    match security::set_code_channel(s.ctx(), &me.user, &body.login_code_channel, &meta).await {
        Ok(()) => fresh_me(&s, &me).await,
        Err(e) => failure(&s, e),
    }
}

/// Everything oneid keeps about the account (GDPR Art. 15 and 20), as JSON.
#[utoipa::path(get, path = "/me/export", tag = "me", responses((status = 200, body = Object)))]
async fn export_get(State(s): State<AppState>, me: Me, Meta(meta): Meta) -> Response {
    if let Err(response) = me.recently_signed_in(&s) {
        return response;
    }
    match deletion::export(s.ctx(), &me.user).await {
        Ok(data) => {
            s.ctx().audit("account_exported", &meta, Some(&me.user.id), Some(&me.claims.client_id), serde_json::json!({})).await;
            json(StatusCode::OK, &data)
        }
        Err(e) => failure(&s, e),
    }
}

/// Deletes the account. Needs a sign-in from the last minutes: otherwise the answer is
/// 401 with `error="insufficient_user_authentication"` and `max_age` (RFC 9470).
#[utoipa::path(delete, path = "/me", tag = "me", responses((status = 204), (status = 401)))]
async fn me_delete(State(s): State<AppState>, me: Me, Meta(meta): Meta) -> Response {
    if let Err(response) = me.recently_signed_in(&s) {
        return response;
    }
    let brand = brand_of(&s, &me).await;
    match deletion::delete_confirmed(s.ctx(), &me.user, &brand, &meta).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => failure(&s, e),
    }
}

#[derive(Serialize, ToSchema)]
struct Picture {
    /// The picture's URL (also the `picture` claim); it changes with every upload.
    picture: String,
}

/// Sets the profile picture: the body is the image (PNG, JPEG or WebP, at most 5 MiB
/// and 16 megapixels), cropped to the centre square and re-encoded as JPEG.
#[utoipa::path(put, path = "/me/picture", tag = "me", request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 200, body = Picture), (status = 413), (status = 415), (status = 422)))]
async fn picture_put(State(s): State<AppState>, me: Me, Meta(meta): Meta, headers: HeaderMap, body: Bytes) -> Response {
    let kind = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !["image/png", "image/jpeg", "image/webp"].contains(&kind.split(';').next().unwrap_or("").trim()) {
        return Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "urn:oneid:problem:unsupported-media-type", "Send a PNG, JPEG or WebP image", "Content-Type must be image/png, image/jpeg or image/webp").into_response();
    }
    match picture::set(s.ctx(), &me.user, Vec::from(body), &meta).await {
        Ok(picture) => json(StatusCode::OK, &Picture { picture }),
        Err(PictureError::TooLarge) => Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "urn:oneid:problem:too-large", "The image is too large", PictureError::TooLarge.to_string()).into_response(),
        Err(PictureError::Internal(e)) => internal(e),
        Err(PictureError::Busy) => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "urn:oneid:problem:busy", "The server is busy", PictureError::Busy.to_string()).into_response(),
        Err(e) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "urn:oneid:problem:invalid-image", "The image cannot be used", e.to_string()).into_response(),
    }
}

#[utoipa::path(delete, path = "/me/picture", tag = "me", responses((status = 204), (status = 404)))]
async fn picture_delete(State(s): State<AppState>, me: Me, Meta(meta): Meta) -> Response {
    match picture::remove(s.ctx(), &me.user, &meta).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => not_found("the account has no picture"),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CurrentPassword {
    current_password: String,
}

/// The account as it is now.
async fn fresh_me(s: &AppState, me: &Me) -> Response {
    match s.ctx().store.user_by_id(&me.user.id).await {
        Ok(Some(user)) => match api::me(s.ctx(), &user).await {
            Ok(view) => json(StatusCode::OK, &view),
            Err(e) => internal(e),
        },
        Ok(None) => internal("the account vanished"),
        Err(e) => internal(e),
    }
}

/// Turning sign-in codes on, step one: the password; a code goes to the email address.
#[utoipa::path(post, path = "/me/second-factor/codes", tag = "me", request_body = CurrentPassword, responses((status = 202, body = Pending), (status = 422), (status = 429)))]
async fn codes_on_post(State(s): State<AppState>, me: Me, ApiJson(body): ApiJson<CurrentPassword>) -> Response {
    if let Err(response) = me.recently_signed_in(&s) {
        return response;
    }
    let brand = brand_of(&s, &me).await;
    let lang = crate::i18n::choose(None, None, me.user.locale.as_deref(), None);
    match security::start_enabling(s.ctx(), &me.user, &body.current_password, &brand, lang).await {
        Ok(Sent::Sent) => json(StatusCode::ACCEPTED, &Pending { next: "send the emailed code to /me/second-factor/codes/confirm" }),
        Ok(Sent::TooSoon) => Problem::new(StatusCode::TOO_MANY_REQUESTS, "urn:oneid:problem:too-soon", "A code was sent less than a minute ago", "use that code, or wait a minute").into_response(),
        Err(e) => failure(&s, e),
    }
}

/// Step two: the emailed code turns sign-in codes on (the owner is told by email).
#[utoipa::path(post, path = "/me/second-factor/codes/confirm", tag = "me", request_body = Code, responses((status = 200, body = api::Me), (status = 422)))]
async fn codes_confirm_post(State(s): State<AppState>, me: Me, Meta(meta): Meta, ApiJson(body): ApiJson<Code>) -> Response {
    if let Err(response) = me.recently_signed_in(&s) {
        return response;
    }
    let brand = brand_of(&s, &me).await;
    match security::finish_enabling(s.ctx(), &me.user, &body.code, &brand, &meta).await {
        Ok(Checked::Accepted) => fresh_me(&s, &me).await,
        Ok(Checked::Wrong) => failure(&s, AccountError::field("code", "code-wrong")),
        Ok(Checked::Unusable) => failure(&s, AccountError::field("code", "code-unusable")),
        Err(e) => failure(&s, e),
    }
}

/// Turns sign-in codes off (the password confirms it; the owner is told by email).
#[utoipa::path(post, path = "/me/second-factor/codes/off", tag = "me", request_body = CurrentPassword, responses((status = 200, body = api::Me), (status = 422)))]
async fn codes_off_post(State(s): State<AppState>, me: Me, Meta(meta): Meta, ApiJson(body): ApiJson<CurrentPassword>) -> Response {
    if let Err(response) = me.recently_signed_in(&s) {
        return response;
    }
    let brand = brand_of(&s, &me).await;
    match security::disable(s.ctx(), &me.user, &body.current_password, &brand, &meta).await {
        Ok(()) => fresh_me(&s, &me).await,
        Err(e) => failure(&s, e),
    }
}
