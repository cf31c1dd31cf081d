//! Resource indicators (RFC 8707): a client names the API it wants a token for with
//! `resource`, and gets an access token whose `aud` is that API alone and whose scope
//! holds only that API's scopes among those granted. The APIs are declared in the
//! configuration (`[[resources]]`). Without `resource` a token is for oneid itself
//! (UserInfo, the account API), which accepts no other audience.

use crate::config::Config;

use super::error::{ErrorCode, OAuthError};
use super::params::Params;
use super::scopes::Scopes;

/// What a token is for: the audience, the scopes it carries, and the claims about the
/// person the API may see.
pub struct Target {
    pub audience: String,
    pub scopes: Scopes,
    pub claims: Vec<String>,
}

/// RFC 8707 §2: an absolute URI without a fragment.
pub fn check_uri(uri: &str) -> Result<(), &'static str> {
    let url = url::Url::parse(uri).map_err(|_| "is not an absolute URI")?;
    if url.fragment().is_some() || uri.contains('#') {
        return Err("must not contain a fragment");
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")) => Ok(()),
        _ => Err("must use https (plain http only on localhost)"),
    }
}

fn invalid(why: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidTarget, why)
}

/// The resource the request names, if any, checked against the configuration.
pub fn requested<'a>(config: &'a Config, params: &Params) -> Result<Option<&'a crate::config::ResourceConfig>, OAuthError> {
    let mut values = params.pairs().filter(|(k, _)| *k == "resource").map(|(_, v)| v);
    let Some(uri) = values.next() else { return Ok(None) };
    if values.next().is_some() {
        return Err(invalid("name one resource per request"));
    }
    check_uri(uri).map_err(|e| invalid(format!("resource {e}")))?;
    config.resources.iter().find(|r| r.uri == uri).map(Some).ok_or_else(|| invalid("the resource is not one this server issues tokens for"))
}

/// The audience and scopes of an access token from `granted` scopes: the named
/// resource's, or oneid's own (`None`).
pub fn target(config: &Config, params: &Params, granted: &Scopes) -> Result<Option<Target>, OAuthError> {
    let Some(resource) = requested(config, params)? else { return Ok(None) };
    let scopes = granted.retain(|s| resource.scopes.iter().any(|r| r == s));
    if scopes.is_empty() {
        return Err(invalid("none of the granted scopes belongs to this resource"));
    }
    Ok(Some(Target { audience: resource.uri.clone(), scopes, claims: resource.claims.clone() }))
}
