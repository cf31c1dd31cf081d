//! Console pages for brands, policies, signing keys, the audit log and previews.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use crate::admin::audit::{AuditEventView, AuditQuery};
use crate::admin::{self, ListPage, Paging};
use crate::brands::{BrandConfig, MANAGED_BY_CONFIG};
use crate::error::AppError;
use crate::mail::Mail;
use crate::policy::KEYS;
use crate::protocol::params::Params;
use crate::state::AppState;

use super::super::error::ErrorPage;
use super::super::extract::{BadForm, FormParams, Meta, QueryParams};
use super::{Console, encode, failure, notice, pager, paging, segment, text, utc};

const BRANDS: &str = "/admin/brands";
const POLICY: &str = "/admin/policy";
const KEYS_PAGE: &str = "/admin/keys";
const AUDIT: &str = "/admin/audit";
const PREVIEW: &str = "/admin/preview";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(BRANDS, get(brands_get))
        .route("/admin/brands/new", get(brand_new_get).post(brand_new_post))
        .route("/admin/brands/{id}", get(brand_get).post(brand_post))
        .route("/admin/brands/{id}/delete", post(brand_delete_post))
        .route(POLICY, get(policy_get).post(policy_post))
        .route(KEYS_PAGE, get(keys_get))
        .route("/admin/keys/rotate", post(keys_rotate_post))
        .route("/admin/keys/{kid}/retire", post(key_retire_post))
        .route(AUDIT, get(audit_get))
        .route(PREVIEW, get(preview_get))
        .route("/admin/preview/login", get(preview_login_get))
        .route("/admin/preview/activation", get(preview_activation_get))
        .route("/admin/preview/activation.html", get(preview_activation_html_get))
}

/// Reads and checks a posted form: `Err` is the page to answer with.
fn posted(s: &AppState, console: &Console, form: Result<FormParams, BadForm>) -> Result<Params, Response> {
    let Ok(FormParams(params)) = form else { return Err(ErrorPage::unreadable_form().into_response()) };
    console.check_csrf(s, &params)?;
    Ok(params)
}

// Brands

async fn brands_get(State(s): State<AppState>, console: Console, QueryParams(params): QueryParams) -> Response {
    let brands: Vec<Value> = admin::brands::list(s.ctx()).iter().map(|b| {
        let mut v = serde_json::to_value(&b.brand).unwrap_or_default();
        v["managed_by"] = json!(b.managed_by);
        v
    }).collect();
    let page = console.page("admin/brands.html", "brands").with("brands", brands).with("notice", notice(params.get("done").ok().flatten()));
    console.show(page)
}

fn brand_form(console: &Console, brand: Value, creating: bool, read_only: bool, action: String) -> crate::http::pages::Page {
    console.page("admin/brand.html", "brands").with("brand", brand).with("creating", creating).with("read_only", read_only).with("action", action)
}

fn brand_of(params: &Params, id: String) -> BrandConfig {
    let field = |name| text(params, name).unwrap_or_default();
    BrandConfig {
        id,
        name: field("name"),
        wordmark: field("wordmark"),
        accent_color: field("accent_color"),
        accent_text_color: field("accent_text_color"),
        background_color: field("background_color"),
        mail_from: field("mail_from"),
        support: field("support"),
    }
}

async fn brand_new_get(State(s): State<AppState>, console: Console) -> Response {
    let mut start = serde_json::to_value(&s.ctx().brands.get(None).config).unwrap_or_default();
    start["id"] = json!("");
    let page = brand_form(&console, start, true, false, s.url_path("/admin/brands/new"));
    console.show(page)
}

async fn brand_new_post(State(s): State<AppState>, console: Console, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let params = match posted(&s, &console, form) {
        Ok(params) => params,
        Err(response) => return response,
    };
    let brand = brand_of(&params, text(&params, "id").unwrap_or_default());
    match admin::brands::create(s.ctx(), brand.clone(), &console.actor, &meta).await {
        Ok(created) => Redirect::to(&format!("{}?done=brand-created", s.url_path(&format!("{BRANDS}/{}", segment(&created.brand.id))))).into_response(),
        Err(AppError::BadRequest(problems)) => brand_again(&s, console, &brand, true, problems),
        Err(AppError::Conflict(problem)) => brand_again(&s, console, &brand, true, vec![problem]),
        Err(e) => failure(e),
    }
}

fn brand_again(s: &AppState, console: Console, brand: &BrandConfig, creating: bool, problems: Vec<String>) -> Response {
    let action = if creating { s.url_path("/admin/brands/new") } else { s.url_path(&format!("{BRANDS}/{}", segment(&brand.id))) };
    let page = brand_form(&console, serde_json::to_value(brand).unwrap_or_default(), creating, false, action).with("problems", problems).status(StatusCode::UNPROCESSABLE_ENTITY);
    console.show(page)
}

async fn brand_get(State(s): State<AppState>, console: Console, Path(id): Path<String>, QueryParams(params): QueryParams) -> Response {
    let view = match admin::brands::get(s.ctx(), &id) {
        Ok(view) => view,
        Err(e) => return failure(e),
    };
    let action = s.url_path(&format!("{BRANDS}/{}", segment(&id)));
    let page = brand_form(&console, serde_json::to_value(&view.brand).unwrap_or_default(), false, view.managed_by == MANAGED_BY_CONFIG, action)
        .with("notice", notice(params.get("done").ok().flatten()));
    console.show(page)
}

async fn brand_post(State(s): State<AppState>, console: Console, Meta(meta): Meta, Path(id): Path<String>, form: Result<FormParams, BadForm>) -> Response {
    let params = match posted(&s, &console, form) {
        Ok(params) => params,
        Err(response) => return response,
    };
    let brand = brand_of(&params, id.clone());
    match admin::brands::update(s.ctx(), &id, brand.clone(), &console.actor, &meta).await {
        Ok(_) => Redirect::to(&format!("{}?done=brand-saved", s.url_path(&format!("{BRANDS}/{}", segment(&id))))).into_response(),
        Err(AppError::BadRequest(problems)) => brand_again(&s, console, &brand, false, problems),
        Err(e) => failure(e),
    }
}

async fn brand_delete_post(State(s): State<AppState>, console: Console, Meta(meta): Meta, Path(id): Path<String>, form: Result<FormParams, BadForm>) -> Response {
    let params = match posted(&s, &console, form) {
        Ok(params) => params,
        Err(response) => return response,
    };
    let back = s.url_path(&format!("{BRANDS}/{}", segment(&id)));
    if let Some(page) = console.confirm(&params, &format!("Delete the brand {id}?"), "Its pages and emails are gone; only brands no client wears can be deleted.", "Delete brand", back) {
        return console.show(page.with("action", s.url_path(&format!("{BRANDS}/{}/delete", segment(&id)))));
    }
    match admin::brands::remove(s.ctx(), &id, &console.actor, &meta).await {
        Ok(()) => Redirect::to(&format!("{}?done=brand-deleted", s.url_path(BRANDS))).into_response(),
        Err(e) => failure(e),
    }
}

// Policies

/// Labels for the policy keys, by `section.key`.
fn label(name: &str) -> &'static str {
    match name {
        "accounts.registration" => "People may create accounts themselves",
        "accounts.password_min_length" => "Shortest password (characters)",
        "accounts.pow_difficulty" => "Proof-of-work difficulty (leading zero bits, 0 = off)",
        "accounts.activation_ttl" => "Activation link valid for (seconds)",
        "accounts.reset_ttl" => "Password reset link valid for (seconds)",
        "accounts.email_change_ttl" => "Email change link valid for (seconds)",
        "accounts.resend_cooldown" => "Seconds before another activation or reset email",
        "accounts.terms_url" => "Terms of use (URL)",
        "lockout.threshold" => "Wrong passwords before the account locks",
        "lockout.base_duration" => "First lock lasts (seconds)",
        "lockout.growth" => "Each further lock lasts this many times longer",
        "lockout.max_duration" => "Longest lock (seconds)",
        "lockout.pow_after" => "Wrong passwords before a proof of work is asked",
        "lockout.known_device_threshold" => "Wrong passwords before a known browser locks",
        "second_factor.brands" => "Brands whose sign-ins always need a second factor (ids, separated by spaces)",
        "second_factor.clients" => "Clients whose sign-ins always need a second factor (ids, separated by spaces)",
        "pin.min_length" => "Shortest app PIN (digits)",
        "pin.max_length" => "Longest app PIN (digits)",
        "pin.max_attempts" => "Wrong PINs before the app is signed out",
        "pin.unlock_ttl" => "An unlock lasts (seconds)",
        "tokens.signing_alg" => "Access tokens are signed with (ES256, RS256, EdDSA when enabled)",
        "tokens.access_token_ttl" => "Access tokens live (seconds)",
        "tokens.id_token_ttl" => "ID tokens live (seconds)",
        "tokens.code_ttl" => "Authorization codes live (seconds)",
        "tokens.refresh_token_idle_ttl" => "An unused refresh token expires after (seconds)",
        "tokens.refresh_token_max_ttl" => "Longest sign-in of an app (seconds)",
        "tokens.refresh_reuse_grace" => "Grace for a refresh token sent twice at once (seconds)",
        "tokens.authorization_request_ttl" => "A started sign-in stays valid for (seconds)",
        "session.ttl" => "Browser sessions last (seconds)",
        "devices.require" => "Every sign-in on an unknown browser confirms a code",
        "devices.remember_days" => "\"Remember this device\" lasts (days)",
        "dpop.require_nonce" => "DPoP proofs must carry a nonce from oneid",
        _ => "",
    }
}

fn section_title(section: &str) -> &'static str {
    match section {
        "accounts" => "Accounts and passwords",
        "lockout" => "Lockout",
        "second_factor" => "Second factor",
        "pin" => "App PIN",
        "tokens" => "Token lifetimes",
        "session" => "Sessions",
        "devices" => "Devices",
        "dpop" => "DPoP",
        _ => "",
    }
}

/// A policy value as the form shows it.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "bool",
        Value::Number(_) => "int",
        _ => "text",
    }
}

fn policy_page(s: &AppState, console: &Console, typed: Option<&Params>) -> crate::http::pages::Page {
    let view = admin::policy::get(s.ctx());
    let sections: Vec<Value> = KEYS
        .iter()
        .map(|(section, keys)| {
            let fields: Vec<Value> = keys
                .iter()
                .map(|key| {
                    let name = format!("{section}.{key}");
                    let current = &view.values[section][key];
                    let value = typed.and_then(|p| p.pairs().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())).unwrap_or_else(|| shown(current));
                    json!({ "name": name, "label": label(&name), "kind": kind(current), "value": value, "changed": view.changed[section].get(key).is_some() })
                })
                .collect();
            json!({ "title": section_title(section), "fields": fields })
        })
        .collect();
    console.page("admin/policy.html", "policy").with("sections", sections)
}

async fn policy_get(State(s): State<AppState>, console: Console, QueryParams(params): QueryParams) -> Response {
    let page = policy_page(&s, &console, None).with("notice", notice(params.get("done").ok().flatten()));
    console.show(page)
}

/// The form as a merge patch: only values that differ from those in force; an emptied
/// field goes back to the config file's value.
fn changes(values: &Value, params: &Params) -> Result<Value, Vec<String>> {
    let mut patch = Map::new();
    let mut problems = Vec::new();
    for (section, keys) in KEYS {
        for key in *keys {
            let name = format!("{section}.{key}");
            let Some(typed) = params.pairs().find(|(k, _)| *k == name).map(|(_, v)| v.trim().to_string()) else { continue };
            let current = &values[section][key];
            if typed == shown(current) {
                continue;
            }
            let value = if typed.is_empty() {
                Value::Null
            } else {
                match current {
                    Value::Bool(_) => json!(typed == "true"),
                    Value::Number(_) => match typed.parse::<i64>() {
                        Ok(n) => json!(n),
                        Err(_) => {
                            problems.push(format!("{name}: must be a whole number"));
                            continue;
                        }
                    },
                    Value::Array(_) => json!(typed.split(|c: char| c.is_whitespace() || c == ',').filter(|v| !v.is_empty()).collect::<Vec<_>>()),
                    _ => json!(typed),
                }
            };
            patch.entry(section.to_string()).or_insert_with(|| json!({}))[*key] = value;
        }
    }
    if problems.is_empty() { Ok(Value::Object(patch)) } else { Err(problems) }
}

async fn policy_post(State(s): State<AppState>, console: Console, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let params = match posted(&s, &console, form) {
        Ok(params) => params,
        Err(response) => return response,
    };
    let again = |console: Console, problems: Vec<String>| {
        let page = policy_page(&s, &console, Some(&params)).with("problems", problems).status(StatusCode::UNPROCESSABLE_ENTITY);
        console.show(page)
    };
    let patch = match changes(&admin::policy::get(s.ctx()).values, &params) {
        Ok(patch) => patch,
        Err(problems) => return again(console, problems),
    };
    match admin::policy::change(s.ctx(), &patch, &console.actor, &meta).await {
        Ok(_) => Redirect::to(&format!("{}?done=policy-saved", s.url_path(POLICY))).into_response(),
        Err(AppError::BadRequest(problems)) => again(console, problems),
        Err(e) => failure(e),
    }
}

// Signing keys

async fn keys_get(State(s): State<AppState>, console: Console, QueryParams(params): QueryParams) -> Response {
    let keys = match admin::keys::list(s.ctx()).await {
        Ok(keys) => keys,
        Err(e) => return failure(e),
    };
    let rows: Vec<Value> = keys.iter().map(|k| json!({ "kid": k.kid, "alg": k.alg, "created": utc(k.created_at), "state": k.state })).collect();
    let page = console.page("admin/keys.html", "keys").with("keys", rows).with("notice", notice(params.get("done").ok().flatten()));
    console.show(page)
}

async fn keys_rotate_post(State(s): State<AppState>, console: Console, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let params = match posted(&s, &console, form) {
        Ok(params) => params,
        Err(response) => return response,
    };
    let back = s.url_path(KEYS_PAGE);
    if let Some(page) = console.confirm(&params, "Rotate the signing keys?", "New tokens are signed with new keys; the current keys stay published until their tokens expire.", "Rotate keys", back) {
        return console.show(page.with("action", s.url_path("/admin/keys/rotate")));
    }
    match admin::keys::rotate(s.ctx(), &console.actor, &meta).await {
        Ok(_) => Redirect::to(&format!("{}?done=keys-rotated", s.url_path(KEYS_PAGE))).into_response(),
        Err(e) => failure(e),
    }
}

async fn key_retire_post(State(s): State<AppState>, console: Console, Meta(meta): Meta, Path(kid): Path<String>, form: Result<FormParams, BadForm>) -> Response {
    let params = match posted(&s, &console, form) {
        Ok(params) => params,
        Err(response) => return response,
    };
    let back = s.url_path(KEYS_PAGE);
    if let Some(page) = console.confirm(&params, &format!("Retire the key {kid} now?"), "Tokens it signed stop working at once: their users and apps must sign in again.", "Retire key", back) {
        return console.show(page.with("action", s.url_path(&format!("/admin/keys/{}/retire", segment(&kid)))));
    }
    match admin::keys::retire(s.ctx(), &kid, &console.actor, &meta).await {
        Ok(()) => Redirect::to(&format!("{}?done=key-retired", s.url_path(KEYS_PAGE))).into_response(),
        Err(e) => failure(e),
    }
}

// Audit log

/// A page of audit events and their rows as the table shows them.
pub async fn audit_rows(s: &AppState, query: &AuditQuery, paging: Paging) -> Result<(ListPage<AuditEventView>, Vec<Value>), Response> {
    let list = admin::audit::search(s.ctx(), query, paging).await.map_err(failure)?;
    let rows = list
        .items
        .iter()
        .map(|e| {
            let change = match (&e.detail["before"], &e.detail["after"]) {
                (Value::Null, Value::Null) if e.detail.as_object().is_some_and(|d| d.keys().all(|k| k == "before" || k == "after")) => String::new(),
                _ => serde_json::to_string_pretty(&e.detail).unwrap_or_default(),
            };
            json!({ "when": utc(e.at), "event": e.event, "actor": e.actor, "user_id": e.user_id, "client_id": e.client_id, "change": change })
        })
        .collect();
    Ok((list, rows))
}

/// `YYYY-MM-DD` as the Unix time of that day's start (UTC).
fn day(text: &str) -> Option<i64> {
    let date = time::Date::parse(text, &time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp())
}

async fn audit_get(State(s): State<AppState>, console: Console, QueryParams(params): QueryParams) -> Response {
    let (from, to) = (text(&params, "from"), text(&params, "to"));
    let query = AuditQuery {
        user_id: text(&params, "user_id"),
        client_id: text(&params, "client_id"),
        event: text(&params, "event"),
        actor: text(&params, "actor"),
        since: from.as_deref().and_then(day),
        until: to.as_deref().and_then(day).map(|d| d + 86_400),
    };
    let mut problems = Vec::new();
    for (name, value, parsed) in [("From", &from, query.since), ("Until", &to, query.until)] {
        if value.is_some() && parsed.is_none() {
            problems.push(format!("{name}: write the day as YYYY-MM-DD"));
        }
    }
    let (list, rows) = match audit_rows(&s, &query, paging(&params, 50)).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let filters: String = [("event", &query.event), ("user_id", &query.user_id), ("client_id", &query.client_id), ("actor", &query.actor), ("from", &from), ("to", &to)]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}&", encode(v))))
        .collect();
    let base = format!("{}?{}", s.url_path(AUDIT), filters.trim_end_matches('&'));
    let mut page = pager(console.page("admin/audit.html", "audit"), &list, base).with("events", rows).with("query", &query).with("from", from).with("to", to);
    if !problems.is_empty() {
        page = page.with("problems", problems);
    }
    console.show(page)
}

// Previews

async fn preview_get(State(s): State<AppState>, console: Console) -> Response {
    let brands: Vec<Value> = s.ctx().brands.all().iter().map(|b| json!({ "id": b.id, "name": b.name })).collect();
    let page = console.page("admin/preview.html", "preview").with("brands", brands).with("languages_all", crate::i18n::LANGUAGES);
    console.show(page)
}

/// `?brand=` and `?lang=` of a preview, checked.
fn preview_target(s: &AppState, params: &Params) -> Option<(String, &'static str)> {
    let brand = text(params, "brand").filter(|b| s.ctx().brands.exists(b))?;
    let lang = crate::i18n::supported(&text(params, "lang")?)?;
    Some((brand, lang))
}

async fn preview_login_get(State(s): State<AppState>, console: Console, QueryParams(params): QueryParams) -> Response {
    let Some((brand, lang)) = preview_target(&s, &params) else { return ErrorPage::not_found().into_response() };
    super::super::login::preview(&s, console.jar, &brand, lang)
}

fn activation(s: &AppState, brand: &str, lang: &str) -> Result<(crate::mail::Rendered, String), Response> {
    let ctx = s.ctx();
    let brand = ctx.brands.get(Some(brand));
    let link = format!("{}{}?token=PREVIEW", ctx.config.issuer(), crate::paths::ACTIVATE);
    let values = vec![("name", minijinja::Value::from("Alex")), ("link", minijinja::Value::from(link.clone()))];
    let mail = Mail { to: "alex@example.com", brand: &brand, lang, template: "activation", values, link: Some(link) };
    let rendered = ctx.mailer.render(&mail).map_err(|e| ErrorPage::internal(e).into_response())?;
    Ok((rendered, brand.mail_from.clone()))
}

async fn preview_activation_get(State(s): State<AppState>, console: Console, QueryParams(params): QueryParams) -> Response {
    let Some((brand, lang)) = preview_target(&s, &params) else { return ErrorPage::not_found().into_response() };
    let (mail, from) = match activation(&s, &brand, lang) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let page = console
        .page("admin/preview_email.html", "preview")
        .with("brand_id", &brand)
        .with("preview_lang", lang)
        .with("from", from)
        .with("subject", mail.subject)
        .with("text", mail.text);
    console.show(page)
}

/// The HTML part on its own, under a CSP that lets nothing run or load.
async fn preview_activation_html_get(State(s): State<AppState>, _: Console, QueryParams(params): QueryParams) -> Response {
    let Some((brand, lang)) = preview_target(&s, &params) else { return ErrorPage::not_found().into_response() };
    match activation(&s, &brand, lang) {
        Ok((mail, _)) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            mail.html,
        )
            .into_response(),
        Err(response) => response,
    }
}
