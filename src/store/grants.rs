//! Grants (one per code redemption) and their refresh-token families. Every refresh
//! token ever issued stays stored (by hash) until it expires, so that presenting a
//! rotated one is recognised as reuse (RFC 9700 §4.14.2) and revokes the family.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entities::grants::{self, Column, Entity};
use super::entities::refresh_tokens;
use super::{GrantRecord, RefreshTokenRecord, Store, StoreResult};
use crate::clock::UnixTime;

pub struct RefreshLookup {
    pub token: RefreshTokenRecord,
    pub grant: GrantRecord,
}

pub enum Rotation {
    Rotated,
    /// An already rotated token outside the grace window: the family is now revoked.
    Reused,
    /// The token vanished in the meantime (its grant was deleted).
    Revoked,
}

impl Store {
    pub async fn grant_by_id(&self, id: &str) -> StoreResult<Option<GrantRecord>> {
        Ok(Entity::find_by_id(id).one(&self.read).await?)
    }

    pub async fn refresh_token_with_grant(&self, token_hash: &str) -> StoreResult<Option<RefreshLookup>> {
        let found = refresh_tokens::Entity::find_by_id(token_hash)
            .find_also_related(Entity)
            .one(&self.read)
            .await?;
        Ok(found.and_then(|(token, grant)| Some(RefreshLookup { token, grant: grant? })))
    }

    /// Replaces `old_hash` by `new` in its family. A token rotated at or after
    /// `grace_since` may be rotated again (a concurrent duplicate request); one rotated
    /// earlier revokes the whole family.
    ///
    /// Two single-statement writes and no transaction: claiming the old token is atomic
    /// (of concurrent rotations exactly one finds it unrotated), and a new token that
    /// lands in a family revoked meanwhile is dead on arrival, because every use checks
    /// the grant. The newest token's `created_at` is when the grant was last used.
    pub async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new: &RefreshTokenRecord,
        now: UnixTime,
        grace_since: UnixTime,
    ) -> StoreResult<Rotation> {
        use refresh_tokens::Column as T;
        let claimed = refresh_tokens::Entity::update_many()
            .filter(T::TokenHash.eq(old_hash))
            .filter(T::RotatedAt.is_null())
            .set(refresh_tokens::ActiveModel { rotated_at: Set(Some(now)), ..Default::default() })
            .exec(&self.write)
            .await?;
        if claimed.rows_affected == 0 {
            let Some(old) = refresh_tokens::Entity::find_by_id(old_hash).one(&self.write).await? else {
                return Ok(Rotation::Revoked);
            };
            if old.rotated_at.is_some_and(|at| at < grace_since) {
                revoke(&self.write, &old.grant_id, "refresh_token_reuse", now).await?;
                return Ok(Rotation::Reused);
            }
        }
        let model: refresh_tokens::ActiveModel = new.clone().into();
        refresh_tokens::Entity::insert(model).exec_without_returning(&self.write).await?;
        Ok(Rotation::Rotated)
    }

    /// Returns whether the grant was live until now.
    pub async fn revoke_grant(&self, id: &str, reason: &str, now: UnixTime) -> StoreResult<bool> {
        revoke(&self.write, id, reason, now).await
    }

    /// Revokes the grants that live only as long as browser session `sid` (those
    /// without `offline_access`).
    pub async fn revoke_session_grants(&self, sid: &str, reason: &str, now: UnixTime) -> StoreResult<u64> {
        let result = Entity::update_many()
            .filter(Column::Sid.eq(sid))
            .filter(Column::Offline.eq(false))
            .filter(Column::RevokedAt.is_null())
            .set(revocation(reason, now))
            .exec(&self.write)
            .await?;
        Ok(result.rows_affected)
    }

    pub async fn revoke_user_grants(&self, user_id: &str, reason: &str, now: UnixTime) -> StoreResult<u64> {
        let result = Entity::update_many()
            .filter(Column::UserId.eq(user_id))
            .filter(Column::RevokedAt.is_null())
            .set(revocation(reason, now))
            .exec(&self.write)
            .await?;
        Ok(result.rows_affected)
    }
}

fn revocation(reason: &str, now: UnixTime) -> grants::ActiveModel {
    grants::ActiveModel { revoked_at: Set(Some(now)), revoked_reason: Set(Some(reason.to_string())), ..Default::default() }
}

async fn revoke(db: &impl sea_orm::ConnectionTrait, id: &str, reason: &str, now: UnixTime) -> StoreResult<bool> {
    let result = Entity::update_many()
        .filter(Column::Id.eq(id))
        .filter(Column::RevokedAt.is_null())
        .set(revocation(reason, now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
