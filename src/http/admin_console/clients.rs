//! Console pages for clients: list and search, create, edit, rotate the secret, delete.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::admin::Paging;
use crate::admin::clients;
use crate::config::ClientConfig;
use crate::error::AppError;
use crate::protocol::client_metadata::MANAGED_BY_DATABASE;
use crate::protocol::params::Params;
use crate::state::AppState;

use super::super::error::ErrorPage;
use super::super::extract::{BadForm, FormParams, Meta, QueryParams};
use super::{Console, all, checked, encode, failure, lines, notice, pager, paging, segment, text};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/clients", get(clients_get))
        .route("/admin/clients/new", get(client_new_get).post(client_new_post))
        .route("/admin/clients/{id}", get(client_get).post(client_post))
        .route("/admin/clients/{id}/secret", post(client_secret_post))
        .route("/admin/clients/{id}/delete", post(client_delete_post))
}

async fn clients_get(State(s): State<AppState>, console: Console, QueryParams(params): QueryParams) -> Response {
    let q = text(&params, "q");
    let list = match clients::list(s.ctx(), q.as_deref(), paging(&params, Paging::default().per_page)).await {
        Ok(list) => list,
        Err(e) => return failure(e),
    };
    let base = format!("{}?q={}", s.url_path("/admin/clients"), encode(q.as_deref().unwrap_or("")));
    let page = pager(console.page("admin/clients.html", "clients"), &list, base).with("q", q).with("notice", notice(params.get("done").ok().flatten()));
    console.show(page)
}

/// The client form, with what it needs around the values.
fn form(s: &AppState, console: &Console, spec: &ClientConfig, creating: bool, action: String) -> crate::http::pages::Page {
    let policy = s.ctx().policy();
    let brands: Vec<String> = s.ctx().brands.all().iter().map(|b| b.id.clone()).collect();
    let algs: Vec<&str> = s.ctx().keys.algs().iter().map(|a| a.name()).collect();
    let jwks_text = spec.jwks.as_ref().map(|j| serde_json::to_string_pretty(j).unwrap_or_default()).unwrap_or_default();
    console
        .page("admin/client.html", "clients")
        .with("spec", spec)
        .with("creating", creating)
        .with("action", action)
        .with("brands", brands)
        .with("algs", algs)
        .with("jwks_text", jwks_text)
        .with("policy_access_ttl", policy.tokens.access_token_ttl)
        .with("policy_refresh_ttl", policy.tokens.refresh_token_max_ttl)
        .with("read_only", None::<&str>)
        .with("has_secret", false)
}

async fn client_new_get(State(s): State<AppState>, console: Console) -> Response {
    let spec = ClientConfig {
        token_endpoint_auth_method: Some("client_secret_basic".into()),
        grant_types: Some(vec!["authorization_code".into(), "refresh_token".into()]),
        scopes: Some(crate::protocol::scopes::USER_SCOPES.iter().map(|s| s.to_string()).collect()),
        brand: Some(crate::brands::DEFAULT_BRAND.into()),
        id_token_signed_response_alg: Some(s.ctx().policy().tokens.signing_alg.clone()),
        ..Default::default()
    };
    let page = form(&s, &console, &spec, true, s.url_path("/admin/clients/new"));
    console.show(page)
}

/// The submitted form as a client definition; problems with the form itself (numbers,
/// JSON) come back as field messages.
fn spec_of(params: &Params, id: String) -> Result<ClientConfig, Vec<String>> {
    let mut problems = Vec::new();
    let mut number = |name: &str| match text(params, name) {
        None => None,
        Some(v) => v.parse::<i64>().map_err(|_| problems.push(format!("{name}: must be a whole number of seconds"))).ok(),
    };
    let access_token_ttl = number("access_token_ttl");
    let refresh_token_ttl = number("refresh_token_ttl");
    let jwks = match text(params, "jwks") {
        None => None,
        Some(json) => serde_json::from_str(&json).map_err(|e| problems.push(format!("jwks: not JSON ({e})"))).ok(),
    };
    let spec = ClientConfig {
        id,
        name: text(params, "name"),
        token_endpoint_auth_method: text(params, "token_endpoint_auth_method"),
        redirect_uris: lines(params, "redirect_uris"),
        post_logout_redirect_uris: lines(params, "post_logout_redirect_uris"),
        scopes: Some(text(params, "scopes").unwrap_or_default().split_whitespace().map(str::to_string).collect()),
        grant_types: Some(all(params, "grant_types")),
        brand: text(params, "brand"),
        id_token_signed_response_alg: text(params, "id_token_signed_response_alg"),
        skip_consent: checked(params, "skip_consent"),
        jwks,
        jwks_uri: text(params, "jwks_uri"),
        backchannel_logout_uri: text(params, "backchannel_logout_uri"),
        backchannel_logout_session_required: checked(params, "backchannel_logout_session_required"),
        require_pushed_authorization_requests: checked(params, "require_pushed_authorization_requests"),
        dpop_bound_access_tokens: checked(params, "dpop_bound_access_tokens"),
        access_token_ttl,
        refresh_token_ttl,
        secret: None,
    };
    if problems.is_empty() { Ok(spec) } else { Err(problems) }
}

async fn client_new_post(State(s): State<AppState>, console: Console, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if let Err(response) = console.check_csrf(&s, &params) {
        return response;
    }
    let action = s.url_path("/admin/clients/new");
    let spec = match spec_of(&params, text(&params, "id").unwrap_or_default()) {
        Ok(spec) => spec,
        Err(problems) => return redisplay(&s, console, &params, true, action, problems),
    };
    match clients::create(s.ctx(), spec, &console.actor, &meta).await {
        Ok(created) => match created.client_secret {
            Some(secret) => secret_page(console, &created.client.id, &secret),
            None => Redirect::to(&format!("{}?done=client-created", s.url_path(&format!("/admin/clients/{}", segment(&created.client.id))))).into_response(),
        },
        Err(AppError::BadRequest(problems)) => redisplay(&s, console, &params, true, action, problems),
        Err(AppError::Conflict(problem)) => redisplay(&s, console, &params, true, action, vec![problem]),
        Err(e) => failure(e),
    }
}

/// The form again with what was typed and what is wrong: nothing typed is lost.
fn redisplay(s: &AppState, console: Console, params: &Params, creating: bool, action: String, problems: Vec<String>) -> Response {
    let mut spec = spec_of(params, text(params, "id").unwrap_or_default()).unwrap_or_default();
    if spec.jwks.is_none() {
        spec.jwks = text(params, "jwks").map(serde_json::Value::String);
    }
    let jwks_text = text(params, "jwks").unwrap_or_default();
    let page = form(s, &console, &spec, creating, action).with("jwks_text", jwks_text).with("problems", problems).status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    console.show(page)
}

fn secret_page(console: Console, client_id: &str, secret: &str) -> Response {
    let page = console.page("admin/secret.html", "clients").with("client_id", client_id).with("secret", secret);
    console.show(page)
}

async fn client_get(State(s): State<AppState>, console: Console, Path(id): Path<String>, QueryParams(params): QueryParams) -> Response {
    let view = match clients::get(s.ctx(), &id).await {
        Ok(view) => view,
        Err(e) => return failure(e),
    };
    let read_only = match view.managed_by.as_str() {
        MANAGED_BY_DATABASE => None,
        "config" => Some("declared in the config file"),
        _ => Some("built into oneid"),
    };
    let action = s.url_path(&format!("/admin/clients/{}", segment(&id)));
    let page = form(&s, &console, &view.spec(), false, action)
        .with("read_only", read_only)
        .with("has_secret", view.has_secret)
        .with("notice", notice(params.get("done").ok().flatten()));
    console.show(page)
}

async fn client_post(State(s): State<AppState>, console: Console, Meta(meta): Meta, Path(id): Path<String>, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if let Err(response) = console.check_csrf(&s, &params) {
        return response;
    }
    let action = s.url_path(&format!("/admin/clients/{}", segment(&id)));
    let spec = match spec_of(&params, id.clone()) {
        Ok(spec) => spec,
        Err(problems) => return redisplay(&s, console, &params, false, action, problems),
    };
    match clients::update(s.ctx(), &id, spec, &console.actor, &meta).await {
        Ok(updated) => match updated.client_secret {
            Some(secret) => secret_page(console, &id, &secret),
            None => Redirect::to(&format!("{action}?done=client-saved")).into_response(),
        },
        Err(AppError::BadRequest(problems)) => redisplay(&s, console, &params, false, action, problems),
        Err(e) => failure(e),
    }
}

async fn client_secret_post(State(s): State<AppState>, console: Console, Meta(meta): Meta, Path(id): Path<String>, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if let Err(response) = console.check_csrf(&s, &params) {
        return response;
    }
    let back = s.url_path(&format!("/admin/clients/{}", segment(&id)));
    let question = format!("Rotate the secret of {id}?");
    if let Some(page) = console.confirm(&params, &question, "The current secret stops working within seconds; the client needs the new one at once.", "Rotate secret", back) {
        return console.show(page.with("action", s.url_path(&format!("/admin/clients/{}/secret", segment(&id)))));
    }
    match clients::rotate_secret(s.ctx(), &id, &console.actor, &meta).await {
        Ok(secret) => secret_page(console, &id, &secret),
        Err(e) => failure(e),
    }
}

async fn client_delete_post(State(s): State<AppState>, console: Console, Meta(meta): Meta, Path(id): Path<String>, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if let Err(response) = console.check_csrf(&s, &params) {
        return response;
    }
    let back = s.url_path(&format!("/admin/clients/{}", segment(&id)));
    let question = format!("Delete the client {id}?");
    if let Some(page) = console.confirm(&params, &question, "Its users' sign-ins, tokens and consents are deleted with it. This cannot be undone.", "Delete client", back) {
        return console.show(page.with("action", s.url_path(&format!("/admin/clients/{}/delete", segment(&id)))));
    }
    match clients::remove(s.ctx(), &id, &console.actor, &meta).await {
        Ok(()) => Redirect::to(&format!("{}?done=client-deleted", s.url_path("/admin/clients"))).into_response(),
        Err(e) => failure(e),
    }
}
