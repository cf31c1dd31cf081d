//! Back-channel logout (OpenID Connect Back-Channel Logout 1.0): when a session ends,
//! or a user is signed out everywhere (password reset, deletion, an administrator), or
//! an app's access is removed, each relying party with a `backchannel_logout_uri` that
//! the user signed in to gets a signed logout token by a direct POST. Deliveries are
//! stored first and sent by a background worker with retries, so none is lost to a
//! restart or a relying party that is briefly down; each outcome is recorded.

use serde_json::json;

use crate::clock::UnixTime;
use crate::crypto;
use crate::state::Ctx;
use crate::store::{LogoutDeliveryRecord, StoreError};

use super::clients::Client;

pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
const TYP: &str = "logout+jwt";
/// A logout token is short-lived: it is made fresh for every attempt.
const TOKEN_TTL: i64 = 120;
/// Pauses after the 1st, 2nd, ... failed attempt; after the last one it is given up.
const BACKOFF: &[i64] = &[5, 30, 120, 600, 3600];
/// How long one attempt may hold a delivery before another worker may take it.
const LEASE: i64 = 30;
/// Delivery records are kept this long, for the record.
const KEEP: i64 = 7 * 86_400;
const BATCH: u64 = 50;

/// The bell that wakes the delivery worker when something is queued on this instance.
#[derive(Default)]
pub struct Backchannel {
    pub queued: tokio::sync::Notify,
}

/// Browser session `sid` ended: every client the user signed in to with it hears so.
pub async fn session_ended(ctx: &Ctx, sid: &str, reason: &str) -> Result<(), StoreError> {
    let parties = ctx.store.clients_of_session(sid).await?;
    enqueue(ctx, parties, reason).await
}

/// The user was signed out everywhere (but in browser session `keep_sid`, if given).
pub async fn user_signed_out(ctx: &Ctx, user_id: &str, keep_sid: Option<&str>, reason: &str) -> Result<(), StoreError> {
    let parties = ctx.store.clients_of_user(user_id, keep_sid, ctx.now()).await?;
    enqueue(ctx, parties, reason).await
}

/// One app's grant ended (removed by its owner, or too many wrong PINs).
pub async fn grant_ended(ctx: &Ctx, client_id: &str, user_id: &str, sid: Option<&str>, reason: &str) -> Result<(), StoreError> {
    enqueue(ctx, vec![(client_id.to_string(), user_id.to_string(), sid.map(str::to_string))], reason).await
}

async fn enqueue(ctx: &Ctx, mut parties: Vec<(String, String, Option<String>)>, reason: &str) -> Result<(), StoreError> {
    parties.sort();
    parties.dedup();
    let now = ctx.now();
    let mut deliveries = Vec::new();
    for (client_id, sub, sid) in parties {
        let Some(client) = ctx.clients.get(&client_id).await? else { continue };
        // A client that needs `sid` cannot use a token without one (device grants).
        if client.backchannel_logout_uri.is_none() || (sid.is_none() && client.backchannel_logout_session_required) {
            continue;
        }
        deliveries.push(LogoutDeliveryRecord {
            id: crypto::random_token(),
            client_id,
            sub,
            sid,
            reason: reason.to_string(),
            attempts: 0,
            next_attempt_at: now,
            delivered_at: None,
            failed_at: None,
            last_error: None,
            created_at: now,
            expires_at: now + KEEP,
        });
    }
    if !deliveries.is_empty() {
        ctx.store.enqueue_logouts(&deliveries).await?;
        ctx.backchannel.queued.notify_one();
    }
    Ok(())
}

/// Sends every delivery that is due; returns how many were delivered.
pub async fn deliver_due(ctx: &Ctx) -> Result<usize, StoreError> {
    let now = ctx.now();
    let mut delivered = 0;
    for delivery in ctx.store.due_logouts(now, BATCH).await? {
        if !ctx.store.claim_logout(&delivery, now + LEASE).await? {
            continue;
        }
        let attempts = delivery.attempts + 1;
        let outcome = attempt(ctx, &delivery).await;
        let retry_at = match &outcome {
            Ok(()) => None,
            Err(Failure::Retry(_)) => BACKOFF.get(delivery.attempts as usize).map(|pause| now + pause),
            Err(Failure::Final(_)) => None,
        };
        let outcome = outcome.map_err(|f| f.message());
        match &outcome {
            Ok(()) => {
                delivered += 1;
                metrics::counter!("oneid_backchannel_logout_total", "result" => "delivered").increment(1);
            }
            Err(e) if retry_at.is_some() => tracing::info!(client_id = %delivery.client_id, attempts, error = %e, "back-channel logout failed; will retry"),
            Err(e) => {
                metrics::counter!("oneid_backchannel_logout_total", "result" => "failed").increment(1);
                tracing::warn!(client_id = %delivery.client_id, attempts, error = %e, "back-channel logout given up");
            }
        }
        ctx.store.logout_attempted(&delivery.id, attempts, outcome, retry_at, ctx.now()).await?;
    }
    Ok(delivered)
}

enum Failure {
    /// The relying party may accept it later (unreachable, 5xx, 429).
    Retry(String),
    /// It will not (gone, or refused the token with 4xx).
    Final(String),
}

impl Failure {
    fn message(self) -> String {
        match self {
            Failure::Retry(m) | Failure::Final(m) => m,
        }
    }
}

async fn attempt(ctx: &Ctx, delivery: &LogoutDeliveryRecord) -> Result<(), Failure> {
    let client = ctx.clients.get(&delivery.client_id).await.map_err(|e| Failure::Retry(e.to_string()))?;
    let Some(client) = client else { return Err(Failure::Final("the client no longer exists".into())) };
    let Some(uri) = &client.backchannel_logout_uri else { return Err(Failure::Final("the client no longer has a backchannel_logout_uri".into())) };
    let token = logout_token(ctx, &client, &delivery.sub, delivery.sid.as_deref(), ctx.now()).map_err(Failure::Retry)?;
    let response = ctx.outbound.client().map_err(Failure::Retry)?.post(uri).form(&[("logout_token", token)]).send().await.map_err(|e| Failure::Retry(format!("unreachable: {e}")))?;
    let status = response.status();
    match status.as_u16() {
        200..=299 => Ok(()),
        429 | 500..=599 => Err(Failure::Retry(format!("answered {status}"))),
        _ => Err(Failure::Final(format!("answered {status}"))),
    }
}

/// The logout token (§2.4): signed like the client's ID tokens, naming the user and the
/// session, with the back-channel logout event and never a nonce.
pub fn logout_token(ctx: &Ctx, client: &Client, sub: &str, sid: Option<&str>, now: UnixTime) -> Result<String, String> {
    let mut claims = json!({
        "iss": ctx.config.issuer(),
        "sub": sub,
        "aud": client.id,
        "iat": now,
        "exp": now + TOKEN_TTL,
        "jti": crypto::random_token(),
        "events": { EVENT: {} },
    });
    if let Some(sid) = sid {
        claims["sid"] = json!(sid);
    }
    ctx.keys.sign(client.id_token_alg, TYP, claims.to_string().as_bytes()).map_err(|e| e.to_string())
}
