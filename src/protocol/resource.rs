//! Requests to oneid's own protected resources (UserInfo, the app PIN): the access token
//! from `Authorization: Bearer` (RFC 6750) or `Authorization: DPoP` with a proof for
//! this request (RFC 9449 §7). A DPoP-bound token works only with a proof of its key;
//! a bearer token is never accepted under the DPoP scheme, nor the reverse.

use crate::state::Ctx;

use super::access_token::{self, AccessClaims};
use super::dpop;
use super::error::{ErrorCode, OAuthError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bearer,
    Dpop,
}

/// What the request presented, as the HTTP layer read it.
pub struct Presented<'a> {
    pub scheme: Scheme,
    pub token: &'a str,
    /// The `DPoP` header values.
    pub proofs: &'a [String],
    pub method: &'a str,
    /// This endpoint's URL, for the proof's `htu`.
    pub url: &'a str,
}

/// The claims of a valid, live access token the request may use.
pub async fn authenticate(ctx: &Ctx, presented: &Presented<'_>) -> Result<AccessClaims, OAuthError> {
    let claims = access_token::verify(ctx, presented.token)?;
    // A token for another API (RFC 8707) is no token here.
    if claims.aud != ctx.config.issuer() {
        return Err(OAuthError::invalid_token("this access token is for another resource"));
    }
    if !access_token::is_live(ctx, &claims).await? {
        return Err(OAuthError::invalid_token("the access token has been revoked"));
    }
    match (&claims.cnf, presented.scheme) {
        (Some(cnf), Scheme::Dpop) => {
            let request = dpop::Request { proofs: presented.proofs, method: presented.method, url: presented.url, access_token: Some(presented.token) };
            let jkt = dpop::verify(ctx, &request).await?.ok_or_else(|| OAuthError::new(ErrorCode::InvalidDpopProof, "a DPoP proof is required with this access token"))?;
            if jkt != cnf.jkt {
                return Err(OAuthError::new(ErrorCode::InvalidDpopProof, "the DPoP proof's key is not the one the access token is bound to"));
            }
        }
        (Some(_), Scheme::Bearer) => return Err(OAuthError::invalid_token("this access token is DPoP-bound: send it with the DPoP scheme and a proof")),
        (None, Scheme::Dpop) => return Err(OAuthError::invalid_token("this access token is not DPoP-bound: send it with the Bearer scheme")),
        (None, Scheme::Bearer) => {}
    }
    Ok(claims)
}
