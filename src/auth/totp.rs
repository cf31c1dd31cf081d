//! Authenticator apps (F23): TOTP (RFC 6238; SHA-1, 6 digits, 30 s, one step of
//! skew), the secret sealed with the key-encryption key, each time step accepted once,
//! enrolment shown as a QR code (inline SVG) and as text, confirmed by a first code.
//! Ten recovery codes are shown once and stored as argon2id hashes; each works once.

use qrcodegen::{QrCode, QrCodeEcc};
use totp_rs::{Builder, Totp};

use crate::crypto;
use crate::state::Ctx;
use crate::store::{RecoveryCodeRecord, StoreError, User};

use super::password::HashError;

const RECOVERY_CODES: usize = 10;
/// Recovery codes use the base32 alphabet, grouped for reading aloud: `abcde-fghij`.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";

#[derive(Debug, thiserror::Error)]
pub enum TotpError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("authenticator secret: {0}")]
    Secret(String),
}

/// What the enrolment page shows.
pub struct Enrolment {
    /// For typing into the app by hand.
    pub secret: String,
    pub url: String,
    pub qr_svg: String,
}

/// The secret waiting for its first code: the one already shown if there is one (a
/// mistyped code must not invalidate what the person scanned), else a new one.
pub async fn enrolment(ctx: &Ctx, user: &User, issuer: &str) -> Result<Enrolment, TotpError> {
    let waiting = ctx.store.totp(&user.id).await?.filter(|t| !t.confirmed);
    let secret = match waiting {
        Some(record) => ctx.kek.open(&seal_context(user), &record.secret).map_err(|e| TotpError::Secret(e.to_string()))?,
        None => {
            let secret: [u8; 20] = rand::random();
            ctx.store.put_unconfirmed_totp(&user.id, &ctx.kek.seal(&seal_context(user), &secret), ctx.now()).await?;
            secret.to_vec()
        }
    };
    let totp = totp(&secret, &user.email, issuer)?;
    let url = totp.to_url().map_err(|e| TotpError::Secret(e.to_string()))?;
    Ok(Enrolment { secret: totp.secret().to_base32(), qr_svg: qr_svg(&url), url })
}

/// Whether the user signs in with an authenticator app.
pub async fn active(ctx: &Ctx, user: &User) -> Result<bool, TotpError> {
    Ok(ctx.store.totp(&user.id).await?.is_some_and(|t| t.confirmed))
}

/// Checks a code against the user's secret (confirmed or being enrolled) and accepts
/// its time step once; the first accepted code confirms an enrolment.
pub async fn check(ctx: &Ctx, user: &User, code: &str) -> Result<bool, TotpError> {
    let Some(record) = ctx.store.totp(&user.id).await? else { return Ok(false) };
    let secret = ctx.kek.open(&seal_context(user), &record.secret).map_err(|e| TotpError::Secret(e.to_string()))?;
    let totp = totp(&secret, &user.email, "oneid")?;
    let code: String = code.chars().filter(|c| c.is_ascii_digit()).collect();
    if code.len() != 6 {
        return Ok(false);
    }
    let Some(step) = totp.check(&code, ctx.now().max(0) as u64) else { return Ok(false) };
    Ok(ctx.store.accept_totp_step(&user.id, step as i64).await?)
}

/// New recovery codes, replacing the old ones; shown to the user once.
pub async fn new_recovery_codes(ctx: &Ctx, user: &User) -> Result<Vec<String>, TotpError> {
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    let mut records = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let raw: String = (0..10).map(|_| RECOVERY_ALPHABET[rand::random_range(0..RECOVERY_ALPHABET.len())] as char).collect();
        let code = format!("{}-{}", &raw[..5], &raw[5..]);
        let hash = ctx.hasher.hash(raw.clone()).await?;
        records.push(RecoveryCodeRecord { id: crypto::random_token(), user_id: user.id.clone(), lookup: raw[..5].to_string(), code_hash: hash, used_at: None });
        codes.push(code);
    }
    ctx.store.replace_recovery_codes(&user.id, records).await?;
    Ok(codes)
}

/// Uses a recovery code up, if it is one of the user's unused ones.
pub async fn use_recovery_code(ctx: &Ctx, user: &User, code: &str) -> Result<bool, TotpError> {
    let raw: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    if raw.len() != 10 {
        return Ok(false);
    }
    for candidate in ctx.store.recovery_codes_for(&user.id, &raw[..5]).await? {
        if ctx.hasher.verify(Some(candidate.code_hash.clone()), raw.clone()).await?.ok {
            return Ok(ctx.store.use_recovery_code(&candidate.id, ctx.now()).await?);
        }
    }
    Ok(false)
}

pub async fn remove(ctx: &Ctx, user: &User) -> Result<(), TotpError> {
    Ok(ctx.store.delete_totp(&user.id).await?)
}

pub async fn recovery_codes_left(ctx: &Ctx, user: &User) -> Result<u64, TotpError> {
    Ok(ctx.store.unused_recovery_codes(&user.id).await?)
}

fn seal_context(user: &User) -> String {
    format!("totp:{}", user.id)
}

fn totp(secret: &[u8], account: &str, issuer: &str) -> Result<Totp, TotpError> {
    Builder::new()
        .with_secret(secret.to_vec())
        .with_account_name(account)
        .with_issuer(Some(issuer))
        .build()
        .map_err(|e| TotpError::Secret(e.to_string()))
}

/// A QR code as an SVG image that needs no script, style sheet or network.
fn qr_svg(text: &str) -> String {
    let Ok(qr) = QrCode::encode_text(text, QrCodeEcc::Medium) else { return String::new() };
    let size = qr.size();
    let border = 4;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    let full = size + 2 * border;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" width=\"220\" height=\"220\" role=\"img\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_svg_of_the_url() {
        let svg = qr_svg("otpauth://totp/oneid:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=oneid");
        assert!(svg.starts_with("<svg") && svg.contains("<path d=\"M"));
    }

    #[test]
    fn codes_follow_rfc_6238() {
        // RFC 6238 Appendix B, SHA-1, truncated to 6 digits.
        let totp = totp(b"12345678901234567890", "test@example.com", "oneid").unwrap();
        assert_eq!(totp.check("287082", 59), Some(1));
        assert_eq!(totp.check("081804", 1111111109), Some(37037036));
        assert_eq!(totp.check("000000", 59), None);
    }
}
