//! Leaving (F14): "download my data" as JSON, and deleting the account. Deletion
//! needs the password again; it revokes every session and grant first (so access
//! tokens die at once), sends a farewell to the address, then erases the account.

use serde_json::{Value, json};

use crate::audit::RequestMeta;
use crate::auth::session;
use crate::state::Ctx;
use crate::store::User;

use super::recovery::notify;
use super::AccountError;

/// Profile, consents, sessions and account history, without any secret.
pub async fn export(ctx: &Ctx, user: &User) -> Result<Value, AccountError> {
    let data = ctx.store.user_data(&user.id).await?;
    let address: Option<Value> = user.address.as_deref().and_then(|a| serde_json::from_str(a).ok());
    Ok(json!({
        "profile": {
            "sub": user.id,
            "email": user.email,
            "email_verified": user.email_verified,
            "salutation": user.salutation,
            "given_name": user.given_name,
            "family_name": user.family_name,
            "locale": user.locale,
            "country": user.country,
            "phone_number": user.phone_number,
            "phone_number_verified": user.phone_number_verified,
            "address": address,
            "terms_accepted_at": user.terms_accepted_at,
            "created_at": user.created_at,
            "updated_at": user.updated_at,
        },
        "consents": data.consents.iter().map(|c| json!({ "client_id": c.client_id, "scope": c.scope, "granted_at": c.created_at, "updated_at": c.updated_at })).collect::<Vec<_>>(),
        "sessions": data.sessions.iter().map(|s| json!({ "started_at": s.auth_time, "last_seen_at": s.last_seen_at, "expires_at": s.expires_at, "ip": s.ip, "user_agent": s.user_agent, "methods": s.amr })).collect::<Vec<_>>(),
        "events": data.events.iter().map(|e| json!({ "at": e.at, "event": e.event, "client_id": e.client_id, "ip": e.ip, "detail": serde_json::from_str::<Value>(&e.detail).unwrap_or(Value::Null) })).collect::<Vec<_>>(),
    }))
}

pub async fn delete(ctx: &Ctx, user: &User, password: &str, brand: &str, meta: &RequestMeta) -> Result<(), AccountError> {
    let checked = ctx.hasher.verify(user.password_hash.clone(), password.to_string()).await?;
    if !checked.ok {
        return Err(AccountError::field("current_password", "password-mismatch"));
    }
    delete_confirmed(ctx, user, brand, meta).await
}

/// Deletes the account of somebody who just proved it is them (the password on the
/// page, a fresh sign-in for the account API).
pub async fn delete_confirmed(ctx: &Ctx, user: &User, brand: &str, meta: &RequestMeta) -> Result<(), AccountError> {
    session::end_all(ctx, &user.id, "account_deleted").await?;
    notify(ctx, user, brand, "account_deleted", &[]);
    ctx.audit("account_deleted", meta, Some(&user.id), None, json!({})).await;
    // Events still queued must be stored before their IP addresses are erased.
    ctx.store.flush_audit().await;
    ctx.store.delete_user(&user.id).await?;
    Ok(())
}
