//! One-time links (activation, password reset, email change): stored by the SHA-256 of
//! the token, consumed by a single delete-and-return so that a link works once even
//! when it is opened twice at the same moment.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entities::one_time_tokens::{self, Column, Entity};
use super::{OneTimeTokenRecord, Store, StoreResult};
use crate::clock::UnixTime;

impl Store {
    pub async fn insert_one_time_token(&self, token: &OneTimeTokenRecord) -> StoreResult<()> {
        let model: one_time_tokens::ActiveModel = token.clone().into();
        Entity::insert(model).exec_without_returning(&self.write).await?;
        Ok(())
    }

    /// The live token, without using it up (to show the form it leads to).
    pub async fn one_time_token(&self, token_hash: &str, purpose: &str, now: UnixTime) -> StoreResult<Option<OneTimeTokenRecord>> {
        Ok(Entity::find_by_id(token_hash).filter(Column::Purpose.eq(purpose)).filter(Column::ExpiresAt.gt(now)).one(&self.read).await?)
    }

    /// Uses the token up: of concurrent takers exactly one gets it.
    pub async fn take_one_time_token(&self, token_hash: &str, purpose: &str, now: UnixTime) -> StoreResult<Option<OneTimeTokenRecord>> {
        let mut taken = Entity::delete_many()
            .filter(Column::TokenHash.eq(token_hash))
            .filter(Column::Purpose.eq(purpose))
            .filter(Column::ExpiresAt.gt(now))
            .exec_with_returning(&self.write)
            .await?;
        Ok(taken.pop())
    }

    /// When the newest live token of this purpose was made for the user.
    pub async fn newest_one_time_token(&self, user_id: &str, purpose: &str, now: UnixTime) -> StoreResult<Option<UnixTime>> {
        let newest = Entity::find()
            .filter(Column::UserId.eq(user_id))
            .filter(Column::Purpose.eq(purpose))
            .filter(Column::ExpiresAt.gt(now))
            .order_by_desc(Column::CreatedAt)
            .one(&self.read)
            .await?;
        Ok(newest.map(|t| t.created_at))
    }

    /// Ends every other link of this purpose, for instance all reset links once one was used.
    pub async fn delete_one_time_tokens(&self, user_id: &str, purpose: &str) -> StoreResult<()> {
        Entity::delete_many().filter(Column::UserId.eq(user_id)).filter(Column::Purpose.eq(purpose)).exec(&self.write).await?;
        Ok(())
    }

    /// Records a proof-of-work challenge as spent; false when it already was.
    pub async fn spend_challenge(&self, id: &str, expires_at: UnixTime) -> StoreResult<bool> {
        use super::entities::spent_challenges;
        let model = spent_challenges::ActiveModel { id: sea_orm::ActiveValue::Set(id.to_string()), expires_at: sea_orm::ActiveValue::Set(expires_at) };
        let inserted = spent_challenges::Entity::insert(model)
            .on_conflict_do_nothing_on([spent_challenges::Column::Id])
            .exec_without_returning(&self.write)
            .await?;
        Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(1)))
    }
}
