//! Profile image rows: one per account at a time, replaced whole.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entities::{pictures, users};
use super::{PictureRecord, Store, StoreResult};
use crate::clock::UnixTime;

impl Store {
    /// Makes `picture` the account's image, removing the one before.
    pub async fn replace_picture(&self, picture: &PictureRecord, now: UnixTime) -> StoreResult<()> {
        let txn = self.write.begin().await?;
        pictures::Entity::delete_many().filter(pictures::Column::UserId.eq(&picture.user_id)).exec(&txn).await?;
        let model: pictures::ActiveModel = picture.clone().into();
        pictures::Entity::insert(model).exec_without_returning(&txn).await?;
        users::Entity::update_many()
            .filter(users::Column::Id.eq(&picture.user_id))
            .set(users::ActiveModel { picture: Set(Some(picture.id.clone())), updated_at: Set(now), ..Default::default() })
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Removes the account's image; returns whether it had one.
    pub async fn remove_picture(&self, user_id: &str, now: UnixTime) -> StoreResult<bool> {
        let txn = self.write.begin().await?;
        let removed = pictures::Entity::delete_many().filter(pictures::Column::UserId.eq(user_id)).exec(&txn).await?.rows_affected > 0;
        users::Entity::update_many()
            .filter(users::Column::Id.eq(user_id))
            .set(users::ActiveModel { picture: Set(None), updated_at: Set(now), ..Default::default() })
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(removed)
    }

    pub async fn picture(&self, id: &str) -> StoreResult<Option<PictureRecord>> {
        Ok(pictures::Entity::find_by_id(id).one(&self.read).await?)
    }
}
