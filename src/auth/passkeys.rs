//! Passkeys (F24) with webauthn-rs: registration in account security, and sign-in
//! without a password, by a button or by autofill in the username field (conditional
//! mediation). User verification is required, so a passkey alone is multi-factor and
//! phishing resistant. Ceremony state lives server-side in a single-use row; the
//! browser only holds its random id. Credentials ask for a discoverable ("resident")
//! key where the authenticator can make one, so that autofill can find them.

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use url::Url;
use uuid::Uuid;
use webauthn_rs::prelude::{DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential};
use webauthn_rs::{Webauthn, WebauthnBuilder};

use crate::crypto;
use crate::state::Ctx;
use crate::store::{CeremonyRecord, PasskeyRecord, StoreError, User};

/// How long a ceremony may take.
const CEREMONY_TTL: i64 = 300;
const REGISTER: &str = "passkey_register";
const SIGN_IN: &str = "passkey_sign_in";

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The browser's answer did not verify, or the ceremony is gone.
    #[error("the passkey could not be verified")]
    Rejected,
    #[error("passkeys: {0}")]
    Internal(String),
    /// The issuer is an IP address: WebAuthn cannot be offered.
    #[error("passkeys are not available on this server")]
    Unavailable,
}

/// The relying party, built once from the issuer: its host is the RP id, its origin
/// the only accepted origin. `None` for an IP address, which WebAuthn does not allow.
pub fn relying_party(issuer: &Url, name: &str) -> Result<Option<Webauthn>, String> {
    let Some(url::Host::Domain(host)) = issuer.host() else { return Ok(None) };
    let origin = Url::parse(&issuer.origin().ascii_serialization()).map_err(|e| e.to_string())?;
    WebauthnBuilder::new(host, &origin).and_then(|b| b.rp_name(name).build()).map(Some).map_err(|e| e.to_string())
}

fn webauthn(ctx: &Ctx) -> Result<&Webauthn, PasskeyError> {
    ctx.webauthn.as_ref().ok_or(PasskeyError::Unavailable)
}

/// A started ceremony: the id to send back with the answer, and the options for
/// `navigator.credentials`.
pub struct Started {
    pub ceremony: String,
    pub options: Value,
}

async fn keep<T: Serialize>(ctx: &Ctx, kind: &str, user_id: Option<&str>, state: &T) -> Result<String, PasskeyError> {
    let id = crypto::random_token();
    let state = serde_json::to_string(state).map_err(|e| PasskeyError::Internal(e.to_string()))?;
    let record = CeremonyRecord { id_hash: crypto::token_hash(&id), kind: kind.into(), user_id: user_id.map(str::to_string), state, expires_at: ctx.now() + CEREMONY_TTL };
    ctx.store.put_ceremony(&record).await?;
    Ok(id)
}

async fn take<T: DeserializeOwned>(ctx: &Ctx, kind: &str, ceremony: &str) -> Result<(Option<String>, T), PasskeyError> {
    let record = ctx.store.take_ceremony(&crypto::token_hash(ceremony), kind, ctx.now()).await?.ok_or(PasskeyError::Rejected)?;
    let state = serde_json::from_str(&record.state).map_err(|e| PasskeyError::Internal(e.to_string()))?;
    Ok((record.user_id, state))
}

fn options<T: Serialize>(challenge: &T) -> Result<Value, PasskeyError> {
    serde_json::to_value(challenge).map_err(|e| PasskeyError::Internal(e.to_string()))
}

pub async fn start_registration(ctx: &Ctx, user: &User) -> Result<Started, PasskeyError> {
    let handle = ctx.store.ensure_passkey_handle(user, &Uuid::new_v4().to_string()).await?;
    let handle = Uuid::parse_str(&handle).map_err(|e| PasskeyError::Internal(e.to_string()))?;
    let existing = ctx.store.passkeys_of(&user.id).await?;
    let exclude = existing.iter().filter_map(|p| stored(p).ok()).map(|p| p.cred_id().clone()).collect::<Vec<_>>();
    let display = [user.given_name.as_deref(), user.family_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let (challenge, state) = webauthn(ctx)?
        .start_passkey_registration(handle, &user.email, if display.is_empty() { &user.email } else { &display }, Some(exclude))
        .map_err(|e| PasskeyError::Internal(e.to_string()))?;
    let mut options = options(&challenge)?;
    if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection").and_then(Value::as_object_mut) {
        selection.insert("residentKey".into(), Value::from("preferred"));
    }
    let ceremony = keep::<PasskeyRegistration>(ctx, REGISTER, Some(&user.id), &state).await?;
    Ok(Started { ceremony, options })
}

pub async fn finish_registration(ctx: &Ctx, user: &User, ceremony: &str, credential: Value, name: &str) -> Result<PasskeyRecord, PasskeyError> {
    let (owner, state): (_, PasskeyRegistration) = take(ctx, REGISTER, ceremony).await?;
    if owner.as_deref() != Some(user.id.as_str()) {
        return Err(PasskeyError::Rejected);
    }
    let credential: RegisterPublicKeyCredential = serde_json::from_value(credential).map_err(|_| PasskeyError::Rejected)?;
    let passkey = webauthn(ctx)?.finish_passkey_registration(&credential, &state).map_err(|_| PasskeyError::Rejected)?;
    let name: String = name.trim().chars().filter(|c| !c.is_control()).take(60).collect();
    let record = PasskeyRecord {
        id: crypto::b64url(passkey.cred_id().as_ref()),
        user_id: user.id.clone(),
        name: if name.is_empty() { "Passkey".into() } else { name },
        credential: serde_json::to_string(&passkey).map_err(|e| PasskeyError::Internal(e.to_string()))?,
        created_at: ctx.now(),
        last_used_at: None,
    };
    // A credential id registered to another account must not move (webauthn-rs asks
    // the caller to check): the primary key refuses it.
    ctx.store.insert_passkey(&record).await.map_err(|e| match e {
        StoreError::Conflict { .. } => PasskeyError::Rejected,
        other => other.into(),
    })?;
    Ok(record)
}

pub async fn start_sign_in(ctx: &Ctx) -> Result<Started, PasskeyError> {
    let (challenge, state) = webauthn(ctx)?.start_discoverable_authentication().map_err(|e| PasskeyError::Internal(e.to_string()))?;
    let ceremony = keep::<DiscoverableAuthentication>(ctx, SIGN_IN, None, &state).await?;
    Ok(Started { ceremony, options: options(&challenge)? })
}

/// A verified passkey sign-in.
pub struct SignedIn {
    pub user: User,
    /// Backed up (synced between devices): a software key, else hardware-bound.
    pub synced: bool,
}

pub async fn finish_sign_in(ctx: &Ctx, ceremony: &str, credential: Value) -> Result<SignedIn, PasskeyError> {
    let (_, state): (_, DiscoverableAuthentication) = take(ctx, SIGN_IN, ceremony).await?;
    let credential: PublicKeyCredential = serde_json::from_value(credential).map_err(|_| PasskeyError::Rejected)?;
    let (handle, credential_id) = webauthn(ctx)?.identify_discoverable_authentication(&credential).map_err(|_| PasskeyError::Rejected)?;
    let record = ctx.store.passkey(&crypto::b64url(credential_id)).await?.ok_or(PasskeyError::Rejected)?;
    let user = ctx.store.user_by_passkey_handle(&handle.to_string()).await?.filter(|u| u.id == record.user_id && !u.disabled).ok_or(PasskeyError::Rejected)?;
    let mut passkey = stored(&record)?;
    // The v2 call wants webauthn-rs's credential internals (a feature marked "danger");
    // this one takes the public `DiscoverableKey` and checks the same.
    #[allow(deprecated)]
    let result = webauthn(ctx)?
        .finish_discoverable_authentication(&credential, state, &[DiscoverableKey::from(&passkey)])
        .map_err(|_| PasskeyError::Rejected)?;
    passkey.update_credential(&result);
    let updated = serde_json::to_string(&passkey).map_err(|e| PasskeyError::Internal(e.to_string()))?;
    ctx.store.passkey_used(&record.id, &updated, ctx.now()).await?;
    Ok(SignedIn { user, synced: result.backup_eligible() })
}

pub async fn list(ctx: &Ctx, user: &User) -> Result<Vec<PasskeyRecord>, PasskeyError> {
    Ok(ctx.store.passkeys_of(&user.id).await?)
}

pub async fn remove(ctx: &Ctx, user: &User, id: &str) -> Result<bool, PasskeyError> {
    Ok(ctx.store.delete_passkey(&user.id, id).await?)
}

fn stored(record: &PasskeyRecord) -> Result<Passkey, PasskeyError> {
    serde_json::from_str(&record.credential).map_err(|e| PasskeyError::Internal(e.to_string()))
}
