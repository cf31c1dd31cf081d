//! Removal of expired rows, in bounded batches so that no statement holds the write
//! lock for long. Safe to run from several instances at once: each delete is idempotent.

use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::entities::{
    authorization_codes, authorization_requests, browser_sessions, ceremonies, device_codes, grants, login_throttles, logout_deliveries, one_time_tokens, otp_codes, pending_logins, refresh_tokens, request_counts, revoked_access_tokens, spent_challenges, trusted_devices,
};
use super::{Store, StoreResult};
use crate::clock::UnixTime;

const BATCH: u64 = 1000;

impl Store {
    /// Deletes rows that expired before `now`; `code_grace` keeps redeemed codes a while
    /// longer so a late replay still finds (and revokes) its grant. Returns rows deleted.
    pub async fn delete_expired(&self, now: UnixTime, code_grace: i64) -> StoreResult<u64> {
        let mut total = 0;
        total += self.delete_batches(authorization_requests::Entity, authorization_requests::Column::IdHash, authorization_requests::Column::ExpiresAt, now).await?;
        total += self.delete_batches(authorization_codes::Entity, authorization_codes::Column::CodeHash, authorization_codes::Column::ExpiresAt, now - code_grace).await?;
        total += self.delete_batches(browser_sessions::Entity, browser_sessions::Column::IdHash, browser_sessions::Column::ExpiresAt, now).await?;
        total += self.delete_batches(refresh_tokens::Entity, refresh_tokens::Column::TokenHash, refresh_tokens::Column::ExpiresAt, now).await?;
        total += self.delete_batches(grants::Entity, grants::Column::Id, grants::Column::ExpiresAt, now).await?;
        total += self.delete_batches(revoked_access_tokens::Entity, revoked_access_tokens::Column::Jti, revoked_access_tokens::Column::ExpiresAt, now).await?;
        total += self.delete_batches(one_time_tokens::Entity, one_time_tokens::Column::TokenHash, one_time_tokens::Column::ExpiresAt, now).await?;
        // A counter untouched for a day has nothing left to say.
        total += self.delete_batches(login_throttles::Entity, login_throttles::Column::Subject, login_throttles::Column::UpdatedAt, now - 86_400).await?;
        total += self.delete_batches(device_codes::Entity, device_codes::Column::DeviceCodeHash, device_codes::Column::ExpiresAt, now).await?;
        total += self.delete_batches(ceremonies::Entity, ceremonies::Column::IdHash, ceremonies::Column::ExpiresAt, now).await?;
        total += self.delete_batches(trusted_devices::Entity, trusted_devices::Column::Id, trusted_devices::Column::ExpiresAt, now).await?;
        total += self.delete_batches(pending_logins::Entity, pending_logins::Column::IdHash, pending_logins::Column::ExpiresAt, now).await?;
        total += self.delete_batches(logout_deliveries::Entity, logout_deliveries::Column::Id, logout_deliveries::Column::ExpiresAt, now).await?;
        total += self.delete_batches(request_counts::Entity, request_counts::Column::Id, request_counts::Column::ExpiresAt, now).await?;
        total += self.delete_batches(spent_challenges::Entity, spent_challenges::Column::Id, spent_challenges::Column::ExpiresAt, now).await?;
        let codes = otp_codes::Entity::delete_many().filter(otp_codes::Column::ExpiresAt.lt(now)).exec(&self.write).await?;
        total += codes.rows_affected;
        Ok(total)
    }

    async fn delete_batches<E, C>(&self, entity: E, key: C, expires_at: C, before: UnixTime) -> StoreResult<u64>
    where
        E: EntityTrait,
        C: ColumnTrait,
    {
        let mut total = 0;
        loop {
            let expired = Query::select().column(key).from(entity).and_where(expires_at.lt(before)).limit(BATCH).take();
            let result = E::delete_many().filter(key.in_subquery(expired)).exec(&self.write).await?;
            total += result.rows_affected;
            if result.rows_affected < BATCH {
                return Ok(total);
            }
        }
    }
}
