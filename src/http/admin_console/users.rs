//! Console pages for accounts: search, create, view, and the actions on one account.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::admin::users::{self, NewUser};
use crate::admin::{Actor, Paging};
use crate::error::AppError;
use crate::state::AppState;

use super::super::error::ErrorPage;
use super::super::extract::{BadForm, FormParams, Meta, QueryParams};
use super::{Console, encode, failure, notice, pager, paging, segment, text, utc};

const USERS: &str = "/admin/users";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(USERS, get(users_get))
        .route("/admin/users/new", get(user_new_get).post(user_new_post))
        .route("/admin/users/{id}", get(user_get))
        .route("/admin/users/{id}/{action}", post(user_action_post))
}

async fn users_get(State(s): State<AppState>, console: Console, QueryParams(params): QueryParams) -> Response {
    let q = text(&params, "q");
    let list = match users::search(s.ctx(), q.as_deref(), paging(&params, Paging::default().per_page)).await {
        Ok(list) => list,
        Err(e) => return failure(e),
    };
    let base = format!("{}?q={}", s.url_path(USERS), encode(q.as_deref().unwrap_or("")));
    let page = pager(console.page("admin/users.html", "users"), &list, base).with("q", q).with("notice", notice(params.get("done").ok().flatten()));
    console.show(page)
}

async fn user_new_get(console: Console) -> Response {
    let page = console.page("admin/user_new.html", "users").with("form", serde_json::json!({}));
    console.show(page)
}

async fn user_new_post(State(s): State<AppState>, console: Console, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if let Err(response) = console.check_csrf(&s, &params) {
        return response;
    }
    let new = NewUser {
        email: text(&params, "email").unwrap_or_default(),
        password: params.get("password").ok().flatten().unwrap_or("").to_string(),
        given_name: text(&params, "given_name"),
        family_name: text(&params, "family_name"),
        locale: text(&params, "locale"),
    };
    // Typed values come back on a problem; the password never does.
    let typed = serde_json::json!({ "email": new.email, "given_name": new.given_name, "family_name": new.family_name, "locale": new.locale });
    match users::create(s.ctx(), new, &console.actor, &meta).await {
        Ok(user) => Redirect::to(&format!("{}?done=user-created", s.url_path(&format!("{USERS}/{}", segment(&user.id))))).into_response(),
        Err(AppError::BadRequest(problems)) => {
            let page = console.page("admin/user_new.html", "users").with("form", typed).with("problems", problems).status(StatusCode::UNPROCESSABLE_ENTITY);
            console.show(page)
        }
        Err(AppError::Conflict(problem)) => {
            let page = console.page("admin/user_new.html", "users").with("form", typed).with("problems", vec![problem]).status(StatusCode::CONFLICT);
            console.show(page)
        }
        Err(e) => failure(e),
    }
}

async fn user_get(State(s): State<AppState>, console: Console, Path(id): Path<String>, QueryParams(params): QueryParams) -> Response {
    let detail = match users::detail(s.ctx(), &id).await {
        Ok(detail) => detail,
        Err(e) => return failure(e),
    };
    let u = &detail.user;
    let myself = matches!(&console.actor, Actor::User { id, .. } if *id == u.id);
    let mut actions = Vec::new();
    if u.disabled {
        actions.push(("enable", "Enable", "secondary"));
    } else if !myself {
        actions.push(("disable", "Disable", "danger"));
    }
    actions.push(("unlock", "Unlock", "secondary"));
    if !u.disabled {
        actions.push(("password-reset", "Send password reset", "secondary"));
    }
    actions.push(("sessions", "End all sessions", "secondary"));
    actions.push(if u.admin { ("revoke-admin", "Remove admin role", "secondary") } else { ("grant-admin", "Make administrator", "secondary") });
    if !myself {
        actions.push(("delete", "Delete account", "danger"));
    }
    let sessions: Vec<serde_json::Value> = detail
        .sessions
        .iter()
        .map(|s| serde_json::json!({ "when": utc(s.auth_time), "how": session_how(&s.amr), "ip": s.ip, "user_agent": s.user_agent }))
        .collect();
    let page = console
        .page("admin/user.html", "users")
        .with("created", utc(u.created_at))
        .with("actions", actions)
        .with("sessions", sessions)
        .with("detail", &detail)
        .with("notice", notice(params.get("done").ok().flatten()));
    console.show(page)
}

/// RFC 8176 methods in words.
fn session_how(amr: &[String]) -> String {
    let words: Vec<&str> = amr
        .iter()
        .filter_map(|m| match m.as_str() {
            "pwd" => Some("password"),
            "otp" => Some("one-time code"),
            "hwk" | "swk" => Some("passkey"),
            "pin" => Some("PIN"),
            _ => None,
        })
        .collect();
    words.join(" + ")
}

/// The confirmation an action needs first, if any: question, consequence, button.
fn confirmation(action: &str, email: &str) -> Option<(String, &'static str, &'static str)> {
    Some(match action {
        "disable" => (format!("Disable {email}?"), "Every session ends and every token of the account is revoked; it cannot sign in until enabled again.", "Disable account"),
        "sessions" => (format!("End every session of {email}?"), "Browsers, apps and devices must sign in again.", "End all sessions"),
        "delete" => (format!("Delete {email}?"), "The account and everything that belongs to it are deleted. This cannot be undone.", "Delete account"),
        "grant-admin" => (format!("Make {email} an administrator?"), "The account can then run this console and the admin API.", "Make administrator"),
        "revoke-admin" => (format!("Remove the admin role of {email}?"), "The account can no longer use this console or the admin API.", "Remove admin role"),
        _ => return None,
    })
}

async fn user_action_post(State(s): State<AppState>, console: Console, Meta(meta): Meta, Path((id, action)): Path<(String, String)>, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if let Err(response) = console.check_csrf(&s, &params) {
        return response;
    }
    let user = match users::find(s.ctx(), &id).await {
        Ok(user) => user,
        Err(e) => return failure(e),
    };
    let here = s.url_path(&format!("{USERS}/{}", segment(&id)));
    if let Some((question, consequence, button)) = confirmation(&action, &user.email)
        && let Some(page) = console.confirm(&params, &question, consequence, button, here.clone())
    {
        return console.show(page.with("action", s.url_path(&format!("{USERS}/{}/{}", segment(&id), segment(&action)))));
    }
    let (ctx, actor) = (s.ctx(), &console.actor);
    let result = match action.as_str() {
        "disable" => users::set_disabled(ctx, &id, true, actor, &meta).await.map(drop),
        "enable" => users::set_disabled(ctx, &id, false, actor, &meta).await.map(drop),
        "unlock" => users::unlock(ctx, &id, actor, &meta).await.map(drop),
        "password-reset" => users::send_password_reset(ctx, &id, actor, &meta).await,
        "sessions" => users::revoke_sessions(ctx, &id, actor, &meta).await.map(drop),
        "grant-admin" => users::set_admin(ctx, &id, true, actor, &meta).await.map(drop),
        "revoke-admin" => users::set_admin(ctx, &id, false, actor, &meta).await.map(drop),
        "delete" => users::delete(ctx, &id, actor, &meta).await.map(drop),
        _ => return ErrorPage::not_found().into_response(),
    };
    match result {
        Ok(()) if action == "delete" => Redirect::to(&format!("{}?done=user-deleted", s.url_path(USERS))).into_response(),
        Ok(()) => Redirect::to(&format!("{here}?done={}", encode(&action))).into_response(),
        Err(e) => failure(e),
    }
}
