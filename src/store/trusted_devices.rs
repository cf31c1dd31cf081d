//! Trusted devices of users.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entities::trusted_devices::{self, Column, Entity};
use super::{Store, StoreResult, TrustedDeviceRecord};
use crate::clock::UnixTime;

impl Store {
    pub async fn insert_trusted_device(&self, device: &TrustedDeviceRecord) -> StoreResult<()> {
        let model: trusted_devices::ActiveModel = device.clone().into();
        Entity::insert(model).exec_without_returning(&self.write).await?;
        Ok(())
    }

    pub async fn trusted_device(&self, id: &str, now: UnixTime) -> StoreResult<Option<TrustedDeviceRecord>> {
        Ok(Entity::find_by_id(id).filter(Column::ExpiresAt.gt(now)).one(&self.read).await?)
    }

    pub async fn touch_trusted_device(&self, id: &str, now: UnixTime) -> StoreResult<()> {
        Entity::update_many().set(trusted_devices::ActiveModel { last_used_at: Set(now), ..Default::default() }).filter(Column::Id.eq(id)).exec(&self.write).await?;
        Ok(())
    }

    pub async fn trusted_devices_of(&self, user_id: &str, now: UnixTime) -> StoreResult<Vec<TrustedDeviceRecord>> {
        Ok(Entity::find()
            .filter(Column::UserId.eq(user_id))
            .filter(Column::ExpiresAt.gt(now))
            .order_by_desc(Column::LastUsedAt)
            .all(&self.read)
            .await?)
    }

    /// Revokes one device of the user; false when it is not theirs or gone.
    pub async fn delete_trusted_device(&self, user_id: &str, id: &str) -> StoreResult<bool> {
        let deleted = Entity::delete_many().filter(Column::UserId.eq(user_id)).filter(Column::Id.eq(id)).exec(&self.write).await?;
        Ok(deleted.rows_affected == 1)
    }

    pub async fn delete_trusted_devices_of(&self, user_id: &str) -> StoreResult<u64> {
        Ok(Entity::delete_many().filter(Column::UserId.eq(user_id)).exec(&self.write).await?.rows_affected)
    }
}
