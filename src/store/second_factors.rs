//! Emailed one-time codes and sign-ins waiting for their second factor. A code is
//! checked by one conditional statement that also counts the attempt, so that parallel
//! guesses cannot exceed the attempt limit.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entities::{otp_codes, pending_logins};
use super::{PendingLoginRecord, Store, StoreResult};
use crate::clock::UnixTime;

/// A code being checked: its stored hash, if the attempt was allowed.
pub enum CodeAttempt {
    Check { code_hash: String },
    /// No live code, or its attempts are used up.
    Unusable,
}

impl Store {
    /// Stores a new code for `purpose`, replacing an earlier one.
    pub async fn put_otp_code(&self, user_id: &str, purpose: &str, code_hash: &str, now: UnixTime, expires_at: UnixTime) -> StoreResult<()> {
        let model = otp_codes::ActiveModel {
            user_id: Set(user_id.to_string()),
            purpose: Set(purpose.to_string()),
            code_hash: Set(code_hash.to_string()),
            attempts: Set(0),
            created_at: Set(now),
            expires_at: Set(expires_at),
        };
        otp_codes::Entity::insert(model)
            .on_conflict(
                OnConflict::columns([otp_codes::Column::UserId, otp_codes::Column::Purpose])
                    .update_columns([otp_codes::Column::CodeHash, otp_codes::Column::Attempts, otp_codes::Column::CreatedAt, otp_codes::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec_without_returning(&self.write)
            .await?;
        Ok(())
    }

    /// When the live code for `purpose` was sent.
    pub async fn otp_code_sent_at(&self, user_id: &str, purpose: &str, now: UnixTime) -> StoreResult<Option<UnixTime>> {
        let code = otp_codes::Entity::find_by_id((user_id.to_string(), purpose.to_string())).one(&self.read).await?;
        Ok(code.filter(|c| c.expires_at > now).map(|c| c.created_at))
    }

    /// Counts one attempt at the live code, if it has attempts left.
    pub async fn attempt_otp_code(&self, user_id: &str, purpose: &str, max_attempts: i32, now: UnixTime) -> StoreResult<CodeAttempt> {
        use otp_codes::Column as C;
        let counted = otp_codes::Entity::update_many()
            .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
            .filter(C::UserId.eq(user_id))
            .filter(C::Purpose.eq(purpose))
            .filter(C::Attempts.lt(max_attempts))
            .filter(C::ExpiresAt.gt(now))
            .exec_with_returning(&self.write)
            .await?;
        Ok(match counted.into_iter().next() {
            Some(code) => CodeAttempt::Check { code_hash: code.code_hash },
            None => CodeAttempt::Unusable,
        })
    }

    /// Uses the code up. Returns whether it was still there (single use under races).
    pub async fn consume_otp_code(&self, user_id: &str, purpose: &str) -> StoreResult<bool> {
        let deleted = otp_codes::Entity::delete_many()
            .filter(otp_codes::Column::UserId.eq(user_id))
            .filter(otp_codes::Column::Purpose.eq(purpose))
            .exec(&self.write)
            .await?;
        Ok(deleted.rows_affected == 1)
    }

    pub async fn insert_pending_login(&self, pending: &PendingLoginRecord) -> StoreResult<()> {
        let model: pending_logins::ActiveModel = pending.clone().into();
        pending_logins::Entity::insert(model).exec_without_returning(&self.write).await?;
        Ok(())
    }

    pub async fn pending_login(&self, id_hash: &str, now: UnixTime) -> StoreResult<Option<PendingLoginRecord>> {
        Ok(pending_logins::Entity::find_by_id(id_hash).filter(pending_logins::Column::ExpiresAt.gt(now)).one(&self.read).await?)
    }

    /// Finishes a pending sign-in: of concurrent finishers exactly one gets it.
    pub async fn take_pending_login(&self, id_hash: &str, now: UnixTime) -> StoreResult<Option<PendingLoginRecord>> {
        let mut taken = pending_logins::Entity::delete_many()
            .filter(pending_logins::Column::IdHash.eq(id_hash))
            .filter(pending_logins::Column::ExpiresAt.gt(now))
            .exec_with_returning(&self.write)
            .await?;
        Ok(taken.pop())
    }

    pub async fn set_email_otp(&self, user_id: &str, enabled: bool, now: UnixTime) -> StoreResult<()> {
        use super::entities::users;
        users::Entity::update_many()
            .filter(users::Column::Id.eq(user_id))
            .set(users::ActiveModel { email_otp_enabled: Set(enabled), updated_at: Set(now), ..Default::default() })
            .exec(&self.write)
            .await?;
        Ok(())
    }
}
