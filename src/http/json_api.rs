//! What oneid's JSON APIs (the admin API, the account API) share: reading and checking
//! the access token (RFC 6750 Bearer or RFC 9449 DPoP), answering every problem as RFC
//! 9457 problem details with the protocol's challenge headers, and turning axum's own
//! refusals into problem details too.

use axum::extract::NestedPath;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::protocol::access_token::AccessClaims;
use crate::protocol::resource::{self, Presented, Scheme};
use crate::state::AppState;

use super::error::{BearerError, DPOP_NONCE, Problem};
use super::extract::{access_token, dpop_proofs};

/// The claims of the request's live access token, and how it was sent; `Err` is the 401
/// to answer. `missing` says what token the API wants.
pub async fn access_claims(s: &AppState, parts: &Parts, missing: &str) -> Result<(AccessClaims, Scheme), Response> {
    let ctx = s.ctx();
    let (scheme, token) = match access_token(&parts.headers, None) {
        Ok(Some(found)) => found,
        Ok(None) => return Err(with_challenge(BearerError::missing().into_response(), unauthorized(missing))),
        Err(e) => return Err(with_challenge(BearerError::bearer(e).into_response(), unauthorized("the Authorization header could not be read"))),
    };
    let proofs = dpop_proofs(&parts.headers);
    // The APIs are nested routers, which see the path below where they are nested; the
    // DPoP proof's `htu` is the whole URL. (None of their routes is the nested root.)
    let nested = parts.extensions.get::<NestedPath>().map_or("", |n| n.as_str().trim_end_matches('/'));
    let path = format!("{nested}{}", parts.uri.path());
    let url = format!("{}{}", ctx.config.issuer(), path.strip_prefix(s.path_prefix.as_str()).unwrap_or(&path));
    let presented = Presented { scheme, token: &token, proofs: &proofs, method: parts.method.as_str(), url: &url };
    match resource::authenticate(ctx, &presented).await {
        Ok(claims) => Ok((claims, scheme)),
        Err(e) => {
            let detail = e.description.to_string();
            let bearer = BearerError::new(ctx, e, scheme).into_response();
            // Mostly 401; a store outage is a 500, which must not make apps drop their tokens.
            let problem = match bearer.status() {
                StatusCode::UNAUTHORIZED => unauthorized(&detail),
                status => Problem::new(status, "urn:oneid:problem:internal", "The token could not be checked", "try again later"),
            };
            Err(with_challenge(bearer, problem))
        }
    }
}

pub fn unauthorized(detail: &str) -> Problem {
    Problem::new(StatusCode::UNAUTHORIZED, "urn:oneid:problem:unauthorized", "An access token is needed", detail)
}

/// `problem`, carrying the `WWW-Authenticate` and `DPoP-Nonce` headers of `bearer`.
pub fn with_challenge(bearer: Response, problem: Problem) -> Response {
    let mut response = problem.into_response();
    for name in [header::WWW_AUTHENTICATE, DPOP_NONCE] {
        for value in bearer.headers().get_all(&name) {
            response.headers_mut().append(name.clone(), value.clone());
        }
    }
    response
}

pub async fn unknown_route() -> Response {
    Problem::new(StatusCode::NOT_FOUND, "urn:oneid:problem:not-found", "No such route", "the API's OpenAPI document lists its routes").into_response()
}

/// axum's own refusals (a path or query it cannot read, a method a route does not
/// have, a body over the limit) as problem details too, like every other answer.
pub async fn as_problem(response: Response) -> Response {
    let status = response.status();
    let json = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    if !status.is_client_error() || json {
        return response;
    }
    let bytes = axum::body::to_bytes(response.into_body(), 4096).await.unwrap_or_default();
    let detail = match String::from_utf8_lossy(&bytes).trim() {
        "" => status.canonical_reason().unwrap_or("the request was refused").to_string(),
        text => text.to_string(),
    };
    Problem::new(status, "urn:oneid:problem:invalid-request", "The request could not be used", detail).into_response()
}
