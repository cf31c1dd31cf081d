//! Signing keys: list, rotate, retire. A rotation adds a key per algorithm and keeps the
//! previous ones published until every token they signed has expired; retiring a
//! previous key stops publishing it at once (after a suspected leak: every token it
//! signed stops verifying).

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::audit::RequestMeta;
use crate::error::AppError;
use crate::state::Ctx;

use super::{Actor, Subject, record};

/// Extra time a retired key stays published beyond the longest token lifetime, for
/// clock skew and caches.
const PUBLISH_MARGIN: i64 = 300;

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyView {
    pub kid: String,
    pub alg: String,
    pub created_at: i64,
    /// `active` (signs), `published` (retired, still verifies) or `retired`.
    pub state: String,
    pub retired_at: Option<i64>,
    pub publish_until: Option<i64>,
    /// The public key (JWK).
    #[schema(value_type = Object)]
    pub public_jwk: serde_json::Value,
}

pub async fn list(ctx: &Ctx) -> Result<Vec<KeyView>, AppError> {
    let now = ctx.now();
    Ok(ctx
        .store
        .all_signing_keys()
        .await?
        .into_iter()
        .map(|k| KeyView {
            state: match (k.retired_at, k.publish_until) {
                (None, _) => "active",
                (Some(_), Some(until)) if until > now => "published",
                _ => "retired",
            }
            .into(),
            public_jwk: serde_json::from_str(&k.public_jwk).unwrap_or_default(),
            kid: k.kid,
            alg: k.alg,
            created_at: k.created_at,
            retired_at: k.retired_at,
            publish_until: k.publish_until,
        })
        .collect())
}

pub async fn rotate(ctx: &Ctx, actor: &Actor, meta: &RequestMeta) -> Result<Vec<String>, AppError> {
    let publish_for = ctx.config.max_jwt_ttl() + PUBLISH_MARGIN;
    let kids = ctx.keys.rotate(ctx.now(), publish_for).await.map_err(|e| AppError::Internal(e.to_string()))?;
    record(ctx, actor, meta, "signing_keys_rotated", Subject::none(), None, Some(json!({ "new_kids": kids, "previous_published_for": publish_for }))).await;
    Ok(kids)
}

/// Stops publishing a key that no longer signs.
pub async fn retire(ctx: &Ctx, kid: &str, actor: &Actor, meta: &RequestMeta) -> Result<(), AppError> {
    let now = ctx.now();
    let key = ctx.store.all_signing_keys().await?.into_iter().find(|k| k.kid == kid).ok_or_else(|| AppError::NotFound(format!("no signing key {kid:?}")))?;
    if key.retired_at.is_none() {
        return Err(AppError::Conflict("this key signs new tokens; rotate the keys first, then retire it".into()));
    }
    ctx.store.unpublish_signing_key(kid, now).await?;
    ctx.keys.refresh(now).await.map_err(|e| AppError::Internal(e.to_string()))?;
    record(ctx, actor, meta, "signing_key_retired", Subject::none(), Some(json!({ "kid": kid, "publish_until": key.publish_until })), Some(json!({ "kid": kid, "publish_until": now }))).await;
    Ok(())
}
