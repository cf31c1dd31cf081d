//! Proof of work (F27): a hashcash-style puzzle that makes each registration or reset
//! request cost the sender some CPU, with no third-party captcha. A challenge is
//! `random.difficulty.expiry.mac`, signed with a key derived from the key-encryption key
//! so that every instance accepts it; the answer is a nonce for which
//! SHA-256(challenge ":" nonce) starts with `difficulty` zero bits. Each challenge works
//! once (spent challenges are stored until they expire).

use crate::clock::UnixTime;
use crate::crypto;
use crate::state::Ctx;
use crate::store::StoreError;

/// How long a page may sit before its form is sent.
const LIFETIME: i64 = 1800;

#[derive(Debug, thiserror::Error)]
pub enum PowError {
    #[error("the proof of work is missing, wrong, expired or already used")]
    Rejected,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new challenge at the configured difficulty.
pub fn issue(ctx: &Ctx) -> String {
    let difficulty = ctx.policy().accounts.pow_difficulty;
    let random = crypto::random_token();
    let body = format!("{}.{difficulty}.{}", &random[..22], ctx.now() + LIFETIME);
    format!("{body}.{}", mac(ctx, &body))
}

/// Accepts a solved, unexpired, unspent challenge of at least the configured difficulty.
pub async fn verify(ctx: &Ctx, challenge: Option<&str>, nonce: Option<&str>) -> Result<(), PowError> {
    let required = ctx.policy().accounts.pow_difficulty;
    let (Some(challenge), Some(nonce)) = (challenge, nonce) else {
        return if required == 0 { Ok(()) } else { Err(PowError::Rejected) };
    };
    let parsed = parse(ctx, challenge, ctx.now()).ok_or(PowError::Rejected)?;
    if parsed.difficulty < required || nonce.len() > 20 || !solves(challenge, nonce, parsed.difficulty) {
        return Err(PowError::Rejected);
    }
    if !ctx.store.spend_challenge(parsed.id, parsed.expires_at).await? {
        return Err(PowError::Rejected);
    }
    Ok(())
}

struct Parsed<'a> {
    id: &'a str,
    difficulty: u32,
    expires_at: UnixTime,
}

fn parse<'a>(ctx: &Ctx, challenge: &'a str, now: UnixTime) -> Option<Parsed<'a>> {
    let (body, signature) = challenge.rsplit_once('.')?;
    if !crypto::constant_time_eq(mac(ctx, body).as_bytes(), signature.as_bytes()) {
        return None;
    }
    let mut parts = body.split('.');
    let (id, difficulty, expires_at) = (parts.next()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    (expires_at > now).then_some(Parsed { id, difficulty, expires_at })
}

fn mac(ctx: &Ctx, body: &str) -> String {
    crypto::b64url(&crypto::hmac_sha256(&ctx.kek.derive("proof-of-work"), body.as_bytes()))
}

pub fn solves(challenge: &str, nonce: &str, difficulty: u32) -> bool {
    leading_zero_bits(&crypto::sha256(format!("{challenge}:{nonce}").as_bytes())) >= difficulty
}

fn leading_zero_bits(digest: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in digest {
        if *byte == 0 {
            bits += 8;
        } else {
            return bits + byte.leading_zeros();
        }
    }
    bits
}

/// Finds a nonce for `challenge` (tests and scripted clients; browsers use pow.js).
pub fn solve(challenge: &str) -> String {
    let difficulty = challenge.split('.').nth(1).and_then(|d| d.parse().ok()).unwrap_or(0);
    (0u64..).map(|n| n.to_string()).find(|n| solves(challenge, n, difficulty)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_bits_are_counted_from_the_left() {
        assert_eq!(leading_zero_bits(&[0, 0, 0x10, 0xff]), 19);
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0, 0]), 16);
    }

    #[test]
    fn a_solution_meets_its_difficulty() {
        let challenge = "abc.12.9999999999.sig";
        let nonce = solve(challenge);
        assert!(solves(challenge, &nonce, 12));
    }
}
