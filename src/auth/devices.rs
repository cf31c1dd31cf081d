//! Device authorization (F25, "link your account"): when a client asks for the device
//! `acr` or policy requires it, a sign-in on a browser that is not yet trusted confirms a
//! 6-digit code sent by text or email, and may then remember the browser for a while.
//! Trusted browsers carry `id.secret` in a cookie; the table keeps the secret's hash, the
//! browser's name and its last use, so the owner can list and revoke each one. A
//! password change or a lockout revokes them all.

use crate::crypto;
use crate::state::Ctx;
use crate::store::{StoreError, TrustedDeviceRecord, User};

/// Remembers this browser for the user; returns the cookie value.
pub async fn trust(ctx: &Ctx, user: &User, user_agent: Option<&str>) -> Result<String, StoreError> {
    let (id, secret) = (crypto::random_token(), crypto::random_token());
    let now = ctx.now();
    let name: String = user_agent.unwrap_or("?").chars().take(120).collect();
    ctx.store
        .insert_trusted_device(&TrustedDeviceRecord {
            id: id.clone(),
            user_id: user.id.clone(),
            secret_hash: crypto::token_hash(&secret),
            name,
            created_at: now,
            last_used_at: now,
            expires_at: now + ctx.policy().devices.remember_days * 86_400,
        })
        .await?;
    Ok(format!("{id}.{secret}"))
}

/// Whether `cookie` names a live trusted device of `user` (which then counts as used).
pub async fn recognise(ctx: &Ctx, user: &User, cookie: Option<&str>) -> Result<bool, StoreError> {
    let Some((id, secret)) = cookie.and_then(|c| c.split_once('.')) else { return Ok(false) };
    let Some(device) = ctx.store.trusted_device(id, ctx.now()).await? else { return Ok(false) };
    let genuine = device.user_id == user.id && crypto::constant_time_eq(crypto::token_hash(secret).as_bytes(), device.secret_hash.as_bytes());
    if genuine {
        ctx.store.touch_trusted_device(id, ctx.now()).await?;
    }
    Ok(genuine)
}

pub async fn list(ctx: &Ctx, user: &User) -> Result<Vec<TrustedDeviceRecord>, StoreError> {
    ctx.store.trusted_devices_of(&user.id, ctx.now()).await
}

pub async fn revoke(ctx: &Ctx, user: &User, id: &str) -> Result<bool, StoreError> {
    ctx.store.delete_trusted_device(&user.id, id).await
}

pub async fn revoke_all(ctx: &Ctx, user_id: &str) -> Result<u64, StoreError> {
    ctx.store.delete_trusted_devices_of(user_id).await
}
