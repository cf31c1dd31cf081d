//! Browser sessions: a 256-bit random id lives only in the user's cookie; the database
//! keeps its SHA-256 with who logged in, when and how. Ending a session also revokes the
//! refresh tokens that live only as long as it (grants without `offline_access`), and
//! tells the relying parties signed in with it by back-channel logout.

use crate::audit::RequestMeta;
use crate::crypto;
use crate::protocol::backchannel;
use crate::state::Ctx;
use crate::store::{SessionRecord, StoreError, User};

/// A started session: the cookie value to set, and its row.
pub struct Started {
    pub cookie_value: String,
    pub session: SessionRecord,
}

pub async fn start(ctx: &Ctx, user: &User, amr: &[&str], acr: &str, meta: &RequestMeta) -> Result<Started, StoreError> {
    let started = fresh(ctx, user, amr, acr, meta, crypto::random_token());
    ctx.store.insert_session(&started.session).await?;
    Ok(started)
}

/// The same person signed in again in this browser (`prompt=login`, a step-up):
/// `previous` keeps its `sid`, so the apps signed in with it stay signed in, and takes
/// a new cookie value (no fixation) with the new sign-in's time and methods. A session
/// that is gone meanwhile is started afresh.
pub async fn renew(ctx: &Ctx, previous: &SessionRecord, user: &User, amr: &[&str], acr: &str, meta: &RequestMeta) -> Result<Started, StoreError> {
    let mut renewed = fresh(ctx, user, amr, acr, meta, previous.sid.clone());
    renewed.session.created_at = previous.created_at;
    if ctx.store.renew_session(&previous.id_hash, &renewed.session).await? {
        return Ok(renewed);
    }
    start(ctx, user, amr, acr, meta).await
}

fn fresh(ctx: &Ctx, user: &User, amr: &[&str], acr: &str, meta: &RequestMeta, sid: String) -> Started {
    let now = ctx.now();
    let cookie_value = crypto::random_token();
    let session = SessionRecord {
        id_hash: crypto::token_hash(&cookie_value),
        sid,
        user_id: user.id.clone(),
        auth_time: now,
        acr: acr.to_string(),
        amr: amr.join(" "),
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.as_deref().map(|ua| ua.chars().take(512).collect()),
        created_at: now,
        last_seen_at: now,
        expires_at: now + ctx.policy().session.ttl,
    };
    Started { cookie_value, session }
}

/// The live session behind a cookie value, if any.
pub async fn find(ctx: &Ctx, cookie_value: &str) -> Result<Option<SessionRecord>, StoreError> {
    ctx.store.session_by_hash(&crypto::token_hash(cookie_value), ctx.now()).await
}

/// Ends the session `sid` and revokes its session-bound grants.
pub async fn end(ctx: &Ctx, sid: &str, reason: &'static str, meta: &RequestMeta) -> Result<(), StoreError> {
    let now = ctx.now();
    if let Some(session) = ctx.store.delete_session(sid).await? {
        let revoked = ctx.store.revoke_session_grants(sid, reason, now).await?;
        backchannel::session_ended(ctx, sid, reason).await?;
        ctx.audit("session_ended", meta, Some(&session.user_id), None, serde_json::json!({ "reason": reason, "grants_revoked": revoked }))
            .await;
    }
    Ok(())
}

/// Ends every session of a user (account disabled, password reset) and revokes all of
/// the user's grants.
pub async fn end_all(ctx: &Ctx, user_id: &str, reason: &'static str) -> Result<(), StoreError> {
    backchannel::user_signed_out(ctx, user_id, None, reason).await?;
    ctx.store.delete_user_sessions(user_id).await?;
    ctx.store.revoke_user_grants(user_id, reason, ctx.now()).await?;
    Ok(())
}

/// Ends every session of a user but `keep_sid`, and revokes every grant that does not
/// belong to that session (after a password change made in it).
pub async fn end_others(ctx: &Ctx, user_id: &str, keep_sid: &str, reason: &'static str) -> Result<(), StoreError> {
    backchannel::user_signed_out(ctx, user_id, Some(keep_sid), reason).await?;
    ctx.store.delete_user_sessions_except(user_id, keep_sid).await?;
    ctx.store.revoke_user_grants_except_session(user_id, keep_sid, reason, ctx.now()).await?;
    Ok(())
}

/// How old a sign-in may be for security-relevant changes (password, email, factors,
/// deletion); an older session signs in again first, with every factor the user has.
pub const RECENT: i64 = 900;

pub fn is_recent(ctx: &Ctx, session: &SessionRecord) -> bool {
    ctx.now() - session.auth_time <= RECENT
}

/// Ends the user's other browser sessions, each with its session-bound tokens; apps and
/// devices with grants of their own keep them.
pub async fn end_other_sessions(ctx: &Ctx, user_id: &str, keep_sid: &str, meta: &RequestMeta) -> Result<usize, StoreError> {
    let others: Vec<String> = ctx.store.sessions_of(user_id, ctx.now()).await?.into_iter().map(|s| s.sid).filter(|sid| sid != keep_sid).collect();
    for sid in &others {
        end(ctx, sid, "ended_by_owner", meta).await?;
    }
    Ok(others.len())
}

/// Removes one app's or device's access (the owner's choice on the sessions page), and
/// tells the app's back-channel; false when the grant is not the user's or already over.
pub async fn end_grant(ctx: &Ctx, user_id: &str, grant_id: &str, meta: &RequestMeta) -> Result<bool, StoreError> {
    if !ctx.store.revoke_user_grant(user_id, grant_id, "revoked_by_owner", ctx.now()).await? {
        return Ok(false);
    }
    if let Some(grant) = ctx.store.grant_by_id(grant_id).await? {
        backchannel::grant_ended(ctx, &grant.client_id, user_id, grant.sid.as_deref(), "revoked_by_owner").await?;
        ctx.audit("grant_revoked", meta, Some(user_id), Some(&grant.client_id), serde_json::json!({ "by": "owner" })).await;
    }
    Ok(true)
}

pub fn amr_list(session: &SessionRecord) -> Vec<String> {
    session.amr.split_whitespace().map(str::to_string).collect()
}
