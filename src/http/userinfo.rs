//! The UserInfo endpoint (OIDC Core §5.3), GET and POST, bearer token.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;

use crate::paths;
use crate::protocol::userinfo;
use crate::state::AppState;

use super::error::{BearerError, no_store_json};
use super::extract::{BadForm, FormParams, bearer_token};

pub fn routes() -> Router<AppState> {
    Router::new().route(paths::USERINFO, get(userinfo_get).post(userinfo_post))
}

async fn userinfo_get(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, BearerError> {
    answer(&s, &headers, None).await
}

async fn userinfo_post(State(s): State<AppState>, headers: HeaderMap, form: Result<FormParams, BadForm>) -> Result<Response, BearerError> {
    let form = form.ok().map(|FormParams(p)| p);
    answer(&s, &headers, form.as_ref()).await
}

async fn answer(s: &AppState, headers: &HeaderMap, form: Option<&crate::protocol::Params>) -> Result<Response, BearerError> {
    let token = bearer_token(headers, form).map_err(|e| BearerError(Some(e)))?.ok_or(BearerError(None))?;
    let claims = userinfo::claims_for(s.ctx(), &token).await.map_err(|e| BearerError(Some(e)))?;
    Ok(no_store_json(&claims))
}
