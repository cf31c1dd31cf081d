//! JWTs signed by others with keys they present as JWKs: clients' assertions
//! (`private_key_jwt`, RFC 7523) and DPoP proofs (RFC 9449). Only asymmetric algorithms;
//! a JWK carrying private members is refused rather than used.

use serde_json::{Map, Value};

use super::jws::{self, Verifier};

/// Members that only a private (or symmetric) key has.
pub const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The header of a compact JWS, read without checking anything (to choose a key).
pub fn peek_header(jwt: &str) -> Option<Map<String, Value>> {
    let encoded = jwt.split('.').next()?;
    let bytes = crate::crypto::b64url_decode(encoded)?;
    serde_json::from_slice(&bytes).ok()
}

/// Whether `jwk` is a public key of a type oneid verifies with.
pub fn is_public_key(jwk: &Map<String, Value>) -> bool {
    let kty = jwk.get("kty").and_then(Value::as_str);
    let crv = jwk.get("crv").and_then(Value::as_str);
    let usable = matches!((kty, crv), (Some("EC"), Some("P-256")) | (Some("OKP"), Some("Ed25519")) | (Some("RSA"), _));
    usable && !PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m))
}

/// Whether two JWS algorithm names mean the same (`Ed25519` is a name of EdDSA).
pub fn same_alg(a: &str, b: &str) -> bool {
    let plain = |name| if name == "Ed25519" { "EdDSA" } else { name };
    plain(a) == plain(b)
}

/// Verifies `jwt` with `jwk` under algorithm `alg` (one of `algs`) and returns the
/// payload. The key's own `kid`, `use` and `alg` are the caller's to match. `Ed25519`
/// (the fully specified name of RFC 9864, which current libraries send) is EdDSA with
/// an Ed25519 key. The header's own `alg` is the caller's to have matched with `alg`.
pub fn verify(jwt: &str, jwk: &Map<String, Value>, alg: &str, algs: &[&str]) -> Option<Vec<u8>> {
    if !algs.contains(&alg) || !is_public_key(jwk) {
        return None;
    }
    let verifier = Verifier::from_jwk(jwk)?;
    let parts = jws::parse(jwt)?;
    verifier.verify(alg, parts.signed.as_bytes(), &parts.signature).then_some(parts.payload)
}
