//! Listing and rotating signing keys. A rotation adds a key per algorithm and keeps the
//! previous ones published until every token they signed has expired.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::error::AppError;
use crate::state::Ctx;
use crate::store::SigningKeyRecord;

/// Extra time a retired key stays published beyond the longest token lifetime, for
/// clock skew and caches.
const PUBLISH_MARGIN: i64 = 300;

pub async fn list(ctx: &Ctx) -> Result<Vec<SigningKeyRecord>, AppError> {
    Ok(ctx.store.all_signing_keys().await?)
}

pub async fn rotate(ctx: &Ctx, meta: &RequestMeta) -> Result<Vec<String>, AppError> {
    let publish_for = ctx.config.max_jwt_ttl() + PUBLISH_MARGIN;
    let kids = ctx.keys.rotate(ctx.now(), publish_for).await.map_err(|e| AppError::Internal(e.to_string()))?;
    ctx.audit("signing_keys_rotated", meta, None, None, json!({ "new_kids": kids, "previous_published_for": publish_for })).await;
    Ok(kids)
}
