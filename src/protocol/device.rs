//! The device authorization grant (RFC 8628) for screens without a browser, such as a
//! car's: the device asks for a pair of codes, shows the short user code and a URL, and
//! polls the token endpoint; the person opens the URL on their phone, signs in, checks
//! what the device asks for and approves or denies.

use serde::Serialize;

use crate::crypto;
use crate::state::Ctx;
use crate::store::{Approval, DeviceCodeRecord, SessionRecord};

use super::clients::{Client, GrantType};
use super::error::OAuthError;
use super::params::Params;
use super::scopes::{OPENID, Scopes};

/// How long a device may wait for the person.
pub const LIFETIME: i64 = 600;
/// Seconds between polls; `slow_down` adds this much again.
pub const INTERVAL: i64 = 5;
/// RFC 8628 §6.1: consonants only (no words, no 0/O or 1/I confusion), 8 of them:
/// 20^8 ≈ 2^34.6 codes, with attempts rate limited.
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

/// RFC 8628 §3.2.
#[derive(Debug, Serialize)]
pub struct DeviceAuthorization {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub expires_in: i64,
    pub interval: i64,
}

pub async fn start(ctx: &Ctx, client: &Client, params: &Params, verification_uri: String) -> Result<DeviceAuthorization, OAuthError> {
    if let Some(name) = params.repeated() {
        return Err(OAuthError::invalid_request(format!("parameter {name} must not be repeated")));
    }
    if !client.allows(GrantType::DeviceCode) {
        return Err(OAuthError::unauthorized_client("this client may not use the device authorization grant"));
    }
    let scopes = match params.get("scope")? {
        None => Scopes::parse(OPENID).unwrap_or_else(Scopes::empty),
        Some(asked) => Scopes::parse(asked).filter(|s| !s.is_empty()).ok_or_else(|| OAuthError::invalid_scope("scope is malformed"))?,
    };
    if !scopes.is_subset_of(&client.scopes) {
        return Err(OAuthError::invalid_scope(format!("this client may not request: {}", scopes.minus(&client.scopes))));
    }
    let device_code = crypto::random_token();
    let now = ctx.now();
    // A collision of user codes is possible but unlikely: the unique index refuses it
    // and the next attempt draws again.
    for _ in 0..3 {
        let user_code = new_user_code();
        let record = DeviceCodeRecord {
            device_code_hash: crypto::token_hash(&device_code),
            user_code: user_code.clone(),
            client_id: client.id.clone(),
            scope: scopes.to_string(),
            status: "pending".into(),
            user_id: None,
            sid: None,
            auth_time: None,
            acr: None,
            amr: None,
            interval: INTERVAL,
            last_polled_at: None,
            created_at: now,
            expires_at: now + LIFETIME,
        };
        match ctx.store.insert_device_code(&record).await {
            Ok(()) => {
                let complete = format!("{verification_uri}?{}", form_urlencoded::Serializer::new(String::new()).append_pair("user_code", &user_code).finish());
                return Ok(DeviceAuthorization { device_code, user_code, verification_uri, verification_uri_complete: complete, expires_in: LIFETIME, interval: INTERVAL });
            }
            Err(crate::store::StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(OAuthError::server_error("no free user code"))
}

fn new_user_code() -> String {
    let letters: String = (0..8).map(|_| USER_CODE_ALPHABET[rand::random_range(0..USER_CODE_ALPHABET.len())] as char).collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// What a person typed, as a user code: case, spaces and dashes do not matter.
pub fn normalize_user_code(typed: &str) -> Option<String> {
    let letters: String = typed.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    (letters.len() == 8 && letters.bytes().all(|b| USER_CODE_ALPHABET.contains(&b))).then(|| format!("{}-{}", &letters[..4], &letters[4..]))
}

/// The pending request behind a typed code, and the client that made it.
pub async fn pending(ctx: &Ctx, typed: &str) -> Result<Option<(std::sync::Arc<Client>, DeviceCodeRecord)>, OAuthError> {
    let Some(user_code) = normalize_user_code(typed) else { return Ok(None) };
    let Some(record) = ctx.store.pending_device_code(&user_code, ctx.now()).await? else { return Ok(None) };
    Ok(ctx.clients.get(&record.client_id).await?.map(|client| (client, record)))
}

/// The person's decision, with the session they approved from.
pub async fn decide(ctx: &Ctx, user_code: &str, session: &SessionRecord, allow: bool) -> Result<bool, OAuthError> {
    let approval = allow.then_some(Approval { user_id: &session.user_id, sid: &session.sid, auth_time: session.auth_time, acr: &session.acr, amr: &session.amr });
    Ok(ctx.store.decide_device_code(user_code, approval, ctx.now()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_easy_to_type() {
        let code = new_user_code();
        assert_eq!(normalize_user_code(&code.to_lowercase().replace('-', " ")), Some(code));
        assert_eq!(normalize_user_code("bcdf-ghjk"), Some("BCDF-GHJK".into()));
        assert_eq!(normalize_user_code("ABCD-EFGH"), None, "vowels are never in a code");
        assert_eq!(normalize_user_code("BCDF"), None);
    }
}
