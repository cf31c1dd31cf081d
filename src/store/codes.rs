//! Authorization codes (RFC 6749 §4.1.2): stored by hash, redeemed at most once. The
//! redemption claims the code and records the grant it starts in one transaction, so a
//! replay always finds the grant to revoke.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entities::{authorization_codes, grants, refresh_tokens};
use super::{CodeRecord, GrantRecord, RefreshTokenRecord, Store, StoreResult};
use crate::clock::UnixTime;
use authorization_codes::{Column, Entity};

pub enum Redemption {
    Redeemed,
    /// The code had been redeemed before; `grant_id` is what that redemption started.
    Replayed { grant_id: Option<String> },
}

impl Store {
    pub async fn insert_code(&self, code: &CodeRecord) -> StoreResult<()> {
        let model: authorization_codes::ActiveModel = code.clone().into();
        Entity::insert(model).exec_without_returning(&self.transient).await?;
        Ok(())
    }

    pub async fn code_by_hash(&self, code_hash: &str) -> StoreResult<Option<CodeRecord>> {
        Ok(Entity::find_by_id(code_hash).one(&self.read).await?)
    }

    /// Marks the code redeemed and stores the grant (and its first refresh token) it
    /// starts, or reports that it was redeemed already.
    pub async fn redeem_code(
        &self,
        code_hash: &str,
        now: UnixTime,
        grant: &GrantRecord,
        refresh: Option<&RefreshTokenRecord>,
    ) -> StoreResult<Redemption> {
        let txn = self.write.begin().await?;
        let claimed = Entity::update_many()
            .filter(Column::CodeHash.eq(code_hash))
            .filter(Column::RedeemedAt.is_null())
            .set(authorization_codes::ActiveModel {
                redeemed_at: Set(Some(now)),
                grant_id: Set(Some(grant.id.clone())),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 0 {
            let earlier = Entity::find_by_id(code_hash).one(&txn).await?;
            txn.rollback().await?;
            return Ok(Redemption::Replayed { grant_id: earlier.and_then(|c| c.grant_id) });
        }
        let model: grants::ActiveModel = grant.clone().into();
        grants::Entity::insert(model).exec_without_returning(&txn).await?;
        if let Some(token) = refresh {
            let model: refresh_tokens::ActiveModel = token.clone().into();
            refresh_tokens::Entity::insert(model).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        Ok(Redemption::Redeemed)
    }
}
