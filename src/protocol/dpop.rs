//! DPoP proofs (RFC 9449 §4): a JWT the client signs with its own key for each request,
//! naming the method and URL (`htm`, `htu`), a fresh `jti`, `iat`, the access token's
//! hash (`ath`) at resource servers, and the server's `nonce` when one is asked for.
//! Every proof works once: its `jti` is remembered in the database, so a replay fails at
//! every instance. Nonces are stateless (an HMAC over a five-minute window, keyed from
//! the key-encryption key), so all instances agree without sharing state.

use serde::Deserialize;
use serde_json::Value;

use crate::crypto;
use crate::keys::{foreign, thumbprint};
use crate::state::Ctx;

use super::error::{ErrorCode, OAuthError};

/// The JWS algorithms oneid accepts in DPoP proofs (advertised in discovery);
/// `Ed25519` is EdDSA's fully specified name (RFC 9864).
pub const ALGS: &[&str] = &["ES256", "EdDSA", "Ed25519"];
const TYP: &str = "dpop+jwt";
/// A proof older than this is refused; clocks ahead by up to `FUTURE` are tolerated.
const MAX_AGE: i64 = 300;
const FUTURE: i64 = 60;
const NONCE_WINDOW: i64 = 300;

/// What the request was, for matching `htm` and `htu`.
pub struct Request<'a> {
    /// The `DPoP` header values (more than one is an error).
    pub proofs: &'a [String],
    pub method: &'a str,
    /// The endpoint's URL without query and fragment.
    pub url: &'a str,
    /// At resource servers: the access token the proof must be bound to (`ath`).
    pub access_token: Option<&'a str>,
}

#[derive(Deserialize)]
struct Claims {
    jti: String,
    htm: String,
    htu: String,
    iat: i64,
    #[serde(default)]
    ath: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
}

fn invalid(why: &'static str) -> OAuthError {
    tracing::info!(reason = why, "DPoP proof refused");
    OAuthError::new(ErrorCode::InvalidDpopProof, why)
}

/// Checks the request's proof and returns the JWK thumbprint of its key (RFC 7638),
/// or `None` when the request carries no proof.
pub async fn verify(ctx: &Ctx, request: &Request<'_>) -> Result<Option<String>, OAuthError> {
    let proof = match request.proofs {
        [] => return Ok(None),
        [proof] => proof.as_str(),
        _ => return Err(invalid("send exactly one DPoP header")),
    };
    let header = foreign::peek_header(proof).ok_or_else(|| invalid("the DPoP proof is not a JWT"))?;
    if !header.get("typ").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case(TYP)) {
        return Err(invalid("the DPoP proof must have typ dpop+jwt"));
    }
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or_default();
    if !ALGS.contains(&alg) {
        return Err(invalid("the DPoP proof must be signed with ES256 or EdDSA (Ed25519)"));
    }
    let jwk = header.get("jwk").and_then(Value::as_object).ok_or_else(|| invalid("the DPoP proof must carry its public key (jwk)"))?;
    if !foreign::is_public_key(jwk) {
        return Err(invalid("the DPoP proof's jwk must be a public EC P-256 or Ed25519 key"));
    }
    let payload = foreign::verify(proof, jwk, alg, ALGS).ok_or_else(|| invalid("the DPoP proof's signature does not verify with its jwk"))?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| invalid("the DPoP proof lacks jti, htm, htu or iat"))?;
    if claims.jti.is_empty() || claims.jti.len() > 256 {
        return Err(invalid("the DPoP proof's jti is missing or too long"));
    }
    if claims.htm != request.method {
        return Err(invalid("the DPoP proof's htm is not this request's method"));
    }
    if !same_uri(&claims.htu, request.url) {
        return Err(invalid("the DPoP proof's htu is not this endpoint's URL"));
    }
    let now = ctx.now();
    if claims.iat < now - MAX_AGE || claims.iat > now + FUTURE {
        return Err(invalid("the DPoP proof's iat is too far from the current time"));
    }
    if let Some(token) = request.access_token {
        let expected = crypto::b64url(&crypto::sha256(token.as_bytes()));
        if !claims.ath.as_deref().is_some_and(|ath| crypto::constant_time_eq(ath.as_bytes(), expected.as_bytes())) {
            return Err(invalid("the DPoP proof's ath does not match the access token"));
        }
    }
    match &claims.nonce {
        Some(nonce) if !nonce_valid(ctx, nonce) => return Err(OAuthError::new(ErrorCode::UseDpopNonce, "the DPoP nonce is stale; use the one in the DPoP-Nonce header")),
        None if ctx.policy().dpop.require_nonce => return Err(OAuthError::new(ErrorCode::UseDpopNonce, "the DPoP proof must carry the nonce from the DPoP-Nonce header")),
        _ => {}
    }
    let jkt = thumbprint::of(jwk).ok_or_else(|| invalid("the DPoP proof's jwk lacks required members"))?;
    let seen = format!("dpop:{}", crypto::token_hash(&format!("{jkt}\n{}", claims.jti)));
    if !ctx.store.spend_challenge(&seen, now + MAX_AGE + FUTURE).await? {
        return Err(invalid("the DPoP proof was used before; make a new one for each request"));
    }
    Ok(Some(jkt))
}

/// RFC 9449 §4.3: `htu` matches ignoring query and fragment, after the normalisation
/// URL parsing gives (scheme and host case, default port).
fn same_uri(htu: &str, expected: &str) -> bool {
    let (Ok(mut given), Ok(expected)) = (url::Url::parse(htu), url::Url::parse(expected)) else { return false };
    given.set_query(None);
    given.set_fragment(None);
    given == expected
}

/// A nonce for the `DPoP-Nonce` header (RFC 9449 §8): valid in this window and the next.
pub fn nonce(ctx: &Ctx) -> String {
    nonce_for(ctx, ctx.now().div_euclid(NONCE_WINDOW))
}

fn nonce_for(ctx: &Ctx, window: i64) -> String {
    let mac = crypto::hmac_sha256(&ctx.kek.derive("dpop-nonce"), &window.to_be_bytes());
    let mut bytes = window.to_be_bytes().to_vec();
    bytes.extend_from_slice(&mac[..16]);
    crypto::b64url(&bytes)
}

fn nonce_valid(ctx: &Ctx, nonce: &str) -> bool {
    let Some(bytes) = crypto::b64url_decode(nonce).filter(|b| b.len() == 24) else { return false };
    let window = i64::from_be_bytes(bytes[..8].try_into().unwrap_or_default());
    let current = ctx.now().div_euclid(NONCE_WINDOW);
    (current - 1..=current).contains(&window) && crypto::constant_time_eq(nonce_for(ctx, window).as_bytes(), nonce.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::same_uri;

    #[test]
    fn htu_ignores_query_fragment_and_normalises() {
        assert!(same_uri("https://id.example.com/token", "https://id.example.com/token"));
        assert!(same_uri("https://ID.example.com:443/token?x=1#f", "https://id.example.com/token"));
        assert!(!same_uri("https://id.example.com/token/", "https://id.example.com/token"));
        assert!(!same_uri("http://id.example.com/token", "https://id.example.com/token"));
        assert!(!same_uri("https://evil.example.com/token", "https://id.example.com/token"));
        assert!(!same_uri("not a url", "https://id.example.com/token"));
    }
}
