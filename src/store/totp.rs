//! Authenticator-app secrets and recovery codes.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entities::{recovery_codes, totp_credentials};
use super::{RecoveryCodeRecord, Store, StoreResult, TotpRecord};
use crate::clock::UnixTime;

impl Store {
    pub async fn totp(&self, user_id: &str) -> StoreResult<Option<TotpRecord>> {
        Ok(totp_credentials::Entity::find_by_id(user_id).one(&self.read).await?)
    }

    /// Starts (or restarts) an enrolment with a new, unconfirmed secret.
    pub async fn put_unconfirmed_totp(&self, user_id: &str, sealed_secret: &str, now: UnixTime) -> StoreResult<()> {
        use totp_credentials::Column as C;
        let model = totp_credentials::ActiveModel {
            user_id: Set(user_id.to_string()),
            secret: Set(sealed_secret.to_string()),
            confirmed: Set(false),
            last_step: Set(0),
            created_at: Set(now),
        };
        totp_credentials::Entity::insert(model)
            .on_conflict(OnConflict::column(C::UserId).update_columns([C::Secret, C::Confirmed, C::LastStep, C::CreatedAt]).to_owned())
            .exec_without_returning(&self.write)
            .await?;
        Ok(())
    }

    /// Accepts time step `step` (and confirms the enrolment) unless it, or a later one,
    /// was accepted before: one statement, so a code works once even under races.
    pub async fn accept_totp_step(&self, user_id: &str, step: i64) -> StoreResult<bool> {
        use totp_credentials::Column as C;
        let accepted = totp_credentials::Entity::update_many()
            .set(totp_credentials::ActiveModel { last_step: Set(step), confirmed: Set(true), ..Default::default() })
            .filter(C::UserId.eq(user_id))
            .filter(C::LastStep.lt(step))
            .exec(&self.write)
            .await?;
        Ok(accepted.rows_affected == 1)
    }

    /// Removes the authenticator app and its recovery codes.
    pub async fn delete_totp(&self, user_id: &str) -> StoreResult<()> {
        totp_credentials::Entity::delete_by_id(user_id).exec(&self.write).await?;
        recovery_codes::Entity::delete_many().filter(recovery_codes::Column::UserId.eq(user_id)).exec(&self.write).await?;
        Ok(())
    }

    /// Replaces every recovery code of the user.
    pub async fn replace_recovery_codes(&self, user_id: &str, codes: Vec<RecoveryCodeRecord>) -> StoreResult<()> {
        recovery_codes::Entity::delete_many().filter(recovery_codes::Column::UserId.eq(user_id)).exec(&self.write).await?;
        let models: Vec<recovery_codes::ActiveModel> = codes.into_iter().map(Into::into).collect();
        recovery_codes::Entity::insert_many(models).exec_without_returning(&self.write).await?;
        Ok(())
    }

    /// Unused recovery codes of the user that start with `lookup`.
    pub async fn recovery_codes_for(&self, user_id: &str, lookup: &str) -> StoreResult<Vec<RecoveryCodeRecord>> {
        Ok(recovery_codes::Entity::find()
            .filter(recovery_codes::Column::UserId.eq(user_id))
            .filter(recovery_codes::Column::Lookup.eq(lookup))
            .filter(recovery_codes::Column::UsedAt.is_null())
            .all(&self.read)
            .await?)
    }

    /// Uses a recovery code up; false when another request used it first.
    pub async fn use_recovery_code(&self, id: &str, now: UnixTime) -> StoreResult<bool> {
        let used = recovery_codes::Entity::update_many()
            .set(recovery_codes::ActiveModel { used_at: Set(Some(now)), ..Default::default() })
            .filter(recovery_codes::Column::Id.eq(id))
            .filter(recovery_codes::Column::UsedAt.is_null())
            .exec(&self.write)
            .await?;
        Ok(used.rows_affected == 1)
    }

    pub async fn unused_recovery_codes(&self, user_id: &str) -> StoreResult<u64> {
        use sea_orm::PaginatorTrait;
        Ok(recovery_codes::Entity::find()
            .filter(recovery_codes::Column::UserId.eq(user_id))
            .filter(recovery_codes::Column::UsedAt.is_null())
            .count(&self.read)
            .await?)
    }
}
