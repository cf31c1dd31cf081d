//! Proof Key for Code Exchange (RFC 7636), S256 only (RFC 9700 §2.1.1): every
//! authorization request must carry a challenge, `plain` is refused. Verification is
//! oxide-auth's `Pkce::required()`; the value stored with the code is its opaque encoding.

use std::borrow::Cow;

use oxide_auth::code_grant::extensions::Pkce;
use oxide_auth::primitives::grant::Value;

use super::error::OAuthError;

/// Checks the authorization request's challenge and returns what to store with the code.
pub fn challenge(method: Option<&str>, challenge: Option<&str>) -> Result<String, OAuthError> {
    let challenge = challenge.ok_or_else(|| OAuthError::invalid_request("code_challenge is required: use PKCE with S256 (RFC 7636)"))?;
    match method {
        Some("S256") => {}
        None | Some("plain") => {
            return Err(OAuthError::invalid_request("code_challenge_method must be S256; plain is not allowed"));
        }
        Some(_) => return Err(OAuthError::invalid_request("transform algorithm not supported: code_challenge_method must be S256")),
    }
    // BASE64URL(SHA-256(verifier)) is always 43 characters.
    if challenge.len() != 43 || !challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(OAuthError::invalid_request("code_challenge must be the base64url SHA-256 of the code verifier"));
    }
    let encoded = Pkce::required()
        .challenge(Some(Cow::Borrowed("S256")), Some(Cow::Borrowed(challenge)))
        .ok()
        .flatten()
        .and_then(|v| v.into_private_value().ok().flatten())
        .ok_or_else(|| OAuthError::invalid_request("code_challenge could not be processed"))?;
    Ok(encoded)
}

/// RFC 7636 §4.6: the verifier (43–128 unreserved characters) must hash to the challenge.
pub fn verify(stored: &str, verifier: Option<&str>) -> bool {
    let Some(verifier) = verifier else { return false };
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    well_formed && Pkce::required().verify(Some(Value::private(Some(stored.to_string()))), Some(Cow::Borrowed(verifier))).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn s256_round_trip() {
        let stored = challenge(Some("S256"), Some(CHALLENGE)).unwrap();
        assert!(verify(&stored, Some(VERIFIER)));
        assert!(!verify(&stored, Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX")));
        assert!(!verify(&stored, None));
        assert!(!verify(&stored, Some("short")));
    }

    #[test]
    fn plain_missing_and_malformed_are_refused() {
        assert!(challenge(Some("plain"), Some(CHALLENGE)).is_err());
        assert!(challenge(None, Some(CHALLENGE)).is_err());
        assert!(challenge(Some("S256"), None).is_err());
        assert!(challenge(Some("S256"), Some("too-short")).is_err());
        assert!(challenge(Some("S512"), Some(CHALLENGE)).is_err());
    }
}
