//! Request parsing: form and query parameters kept as pairs (so repeats are caught),
//! client credentials from `Authorization: Basic`, access tokens and DPoP proofs, and the
//! request facts that go into audit events.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::audit::RequestMeta;
use crate::protocol::OAuthError;
use crate::protocol::client_auth::Credentials;
use crate::protocol::params::Params;
use crate::protocol::resource::Scheme;
use crate::state::AppState;

use super::client_addr;

/// The parameters of an `application/x-www-form-urlencoded` body.
pub struct FormParams(pub Params);

/// Why a body could not be read as a form; handlers decide how to show it.
#[derive(Debug)]
pub struct BadForm(pub &'static str);

impl axum::response::IntoResponse for BadForm {
    fn into_response(self) -> axum::response::Response {
        (axum::http::StatusCode::BAD_REQUEST, self.0).into_response()
    }
}

impl From<BadForm> for OAuthError {
    fn from(e: BadForm) -> Self {
        OAuthError::invalid_request(e.0)
    }
}

impl<S: Send + Sync> FromRequest<S> for FormParams {
    type Rejection = BadForm;

    async fn from_request(request: Request, state: &S) -> Result<Self, BadForm> {
        if !is_form(request.headers()) {
            return Err(BadForm("the request body must be application/x-www-form-urlencoded"));
        }
        let body = Bytes::from_request(request, state).await.map_err(|_| BadForm("the request body could not be read or is too large"))?;
        Ok(FormParams(parse_pairs(&body)))
    }
}

/// The parameters of the query string.
pub struct QueryParams(pub Params);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(QueryParams(parse_pairs(parts.uri.query().unwrap_or("").as_bytes())))
    }
}

pub fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
}

fn parse_pairs(bytes: &[u8]) -> Params {
    Params::from_pairs(form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned())))
}

/// Client credentials from the Authorization header (RFC 6749 §2.3.1: id and secret
/// are form-urlencoded before base64).
pub fn client_credentials(headers: &HeaderMap) -> Credentials {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Credentials::default() };
    let basic = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, encoded)| STANDARD.decode(encoded.trim()).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|decoded| {
            let (id, secret) = decoded.split_once(':')?;
            Some((form_decode(id)?, form_decode(secret)?))
        });
    match basic {
        Some((id, secret)) if !id.is_empty() => Credentials { basic: Some((id, secret)), malformed_header: false },
        _ => Credentials { basic: None, malformed_header: true },
    }
}

fn form_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8().ok().map(|s| s.into_owned())
}

/// The access token of a request to a protected resource: from `Authorization: Bearer`
/// or `Authorization: DPoP` (RFC 9449 §7.1), or from the form body of a POST as a bearer
/// token (RFC 6750 §2.2). `Err` when it is sent twice or the header is of another scheme.
pub fn access_token(headers: &HeaderMap, form: Option<&Params>) -> Result<Option<(Scheme, String)>, OAuthError> {
    let in_body = match form {
        Some(params) => params.get("access_token")?.map(|t| (Scheme::Bearer, t.to_string())),
        None => None,
    };
    let in_header = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => {
            let value = value.to_str().map_err(|_| OAuthError::invalid_request("the Authorization header is malformed"))?;
            let (scheme, token) = value.split_once(' ').ok_or_else(|| OAuthError::invalid_request("the Authorization header must use the Bearer or DPoP scheme"))?;
            let token = token.trim();
            let scheme = match scheme {
                s if s.eq_ignore_ascii_case("bearer") => Scheme::Bearer,
                s if s.eq_ignore_ascii_case("dpop") => Scheme::Dpop,
                _ => return Err(OAuthError::invalid_request("the Authorization header must use the Bearer or DPoP scheme")),
            };
            if token.is_empty() {
                return Err(OAuthError::invalid_request("the Authorization header carries no token"));
            }
            Some((scheme, token.to_string()))
        }
    };
    match (in_header, in_body) {
        (Some(_), Some(_)) => Err(OAuthError::invalid_request("send the access token in one place only")),
        (token, None) | (None, token) => Ok(token),
    }
}

/// The values of the `DPoP` headers (RFC 9449 §4.1); more than one is the proof
/// checker's error to report.
pub fn dpop_proofs(headers: &HeaderMap) -> Vec<String> {
    headers.get_all("dpop").iter().map(|v| v.to_str().unwrap_or("").to_string()).collect()
}

/// Where the request came from, for audit events.
pub struct Meta(pub RequestMeta);

impl FromRequestParts<AppState> for Meta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let header = |name| parts.headers.get(name).and_then(|v: &axum::http::HeaderValue| v.to_str().ok()).map(str::to_string);
        let ip = client_addr::of(&parts.extensions, &parts.headers, &s.ctx().trusted_proxies).map(|ip| ip.to_string());
        Ok(Meta(RequestMeta { ip, user_agent: header(header::USER_AGENT), request_id: header(header::HeaderName::from_static("x-request-id")) }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(raw: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, format!("Basic {}", STANDARD.encode(raw)).parse().unwrap());
        headers
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let creds = client_credentials(&basic("my%3Aclient:s%2Bcr+t"));
        assert_eq!(creds.basic, Some(("my:client".to_string(), "s+cr t".to_string())));
        assert!(client_credentials(&basic("no-colon")).malformed_header);
        assert!(client_credentials(&HeaderMap::new()).basic.is_none());
    }
}
