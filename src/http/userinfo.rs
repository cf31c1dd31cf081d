//! The UserInfo endpoint (OIDC Core §5.3), GET and POST, with a bearer or DPoP-bound
//! access token.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::get;

use crate::paths;
use crate::protocol::params::Params;
use crate::protocol::resource::Presented;
use crate::protocol::userinfo;
use crate::state::AppState;

use super::error::{BearerError, no_store_json};
use super::extract::{BadForm, FormParams, access_token, dpop_proofs};

pub fn routes() -> Router<AppState> {
    Router::new().route(paths::USERINFO, get(userinfo_get).post(userinfo_post))
}

async fn userinfo_get(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, BearerError> {
    answer(&s, Method::GET, &headers, None).await
}

async fn userinfo_post(State(s): State<AppState>, headers: HeaderMap, form: Result<FormParams, BadForm>) -> Result<Response, BearerError> {
    let form = form.ok().map(|FormParams(p)| p);
    answer(&s, Method::POST, &headers, form.as_ref()).await
}

async fn answer(s: &AppState, method: Method, headers: &HeaderMap, form: Option<&Params>) -> Result<Response, BearerError> {
    let ctx = s.ctx();
    let (scheme, token) = access_token(headers, form).map_err(BearerError::bearer)?.ok_or_else(BearerError::missing)?;
    let proofs = dpop_proofs(headers);
    let url = format!("{}{}", ctx.config.issuer(), paths::USERINFO);
    let presented = Presented { scheme, token: &token, proofs: &proofs, method: method.as_str(), url: &url };
    let claims = userinfo::claims_for(ctx, &presented).await.map_err(|e| BearerError::new(ctx, e, scheme))?;
    Ok(no_store_json(&claims))
}
