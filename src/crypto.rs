//! Small primitives shared by every layer: random tokens, their storage hashes and
//! constant-time comparison. High-entropy secrets (codes, refresh tokens, session ids,
//! client secrets) are stored as SHA-256 digests; passwords never come here.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// 256 random bits, base64url without padding (43 characters).
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The digest a token is stored and looked up by.
pub fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// A token whose key ([`token_key`]) sorts by creation: `now` in hex, a dot, 256 random
/// bits. Keys of tokens made about the same time sit side by side in an index, so that
/// storing one writes to the few index pages of recent keys, not to a page anywhere in
/// the index: with random keys, each refresh rotation dirtied pages all over a large
/// database file, and on SQLite the p99 of rotations grew with the number of tokens.
pub fn time_ordered_token(now: i64) -> String {
    format!("{:010x}.{}", now.max(0), random_token())
}

/// The key a token is stored and looked up by: for a [`time_ordered_token`], its time
/// prefix and then its digest; for any other, the digest alone.
pub fn token_key(token: &str) -> String {
    match token.split_once('.') {
        Some((time, _)) if time.len() == 10 && time.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) => format!("{time}.{}", token_hash(token)),
        _ => token_hash(token),
    }
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

pub fn b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

pub fn b64url_decode(data: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(data).ok()
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_url_safe() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn hash_is_stable_and_differs_from_token() {
        let token = random_token();
        assert_eq!(token_hash(&token), token_hash(&token));
        assert_ne!(token_hash(&token), token);
    }

    #[test]
    fn time_ordered_tokens_have_keys_that_sort_by_time() {
        let (earlier, later) = (time_ordered_token(1_800_000_000), time_ordered_token(1_800_000_001));
        assert!(earlier.len() == 54 && earlier.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "{earlier}");
        assert!(token_key(&earlier) < token_key(&later));
        assert_eq!(token_key(&later), format!("{}.{}", &later[..10], token_hash(&later)));
        assert_ne!(token_key(&earlier), token_key(&time_ordered_token(1_800_000_000)));
        // Tokens made before keep the key they were stored by.
        let plain = random_token();
        assert_eq!(token_key(&plain), token_hash(&plain));
    }
}
