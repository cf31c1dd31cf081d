//! User rows.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::users::{self, Column, Entity};
use super::{Store, StoreResult, User};
use crate::clock::UnixTime;

impl Store {
    pub async fn insert_user(&self, user: &User) -> StoreResult<()> {
        let model: users::ActiveModel = user.clone().into();
        Entity::insert(model).exec_without_returning(&self.write).await?;
        Ok(())
    }

    pub async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>> {
        Ok(Entity::find_by_id(id).one(&self.read).await?)
    }

    /// `email` must already be normalised (lower case, trimmed).
    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        Ok(Entity::find().filter(Column::Email.eq(email)).one(&self.read).await?)
    }

    pub async fn list_users(&self, limit: u64, offset: u64) -> StoreResult<Vec<User>> {
        Ok(Entity::find().order_by_asc(Column::Email).limit(limit).offset(offset).all(&self.read).await?)
    }

    pub async fn count_users(&self) -> StoreResult<u64> {
        Ok(Entity::find().count(&self.read).await?)
    }

    /// Returns whether the user exists.
    pub async fn set_user_disabled(&self, id: &str, disabled: bool, now: UnixTime) -> StoreResult<bool> {
        let result = Entity::update_many()
            .filter(Column::Id.eq(id))
            .set(users::ActiveModel { disabled: Set(disabled), updated_at: Set(now), ..Default::default() })
            .exec(&self.write)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Replaces a password hash, for example with one made with newer parameters.
    pub async fn set_password_hash(&self, id: &str, hash: &str, now: UnixTime) -> StoreResult<()> {
        Entity::update_many()
            .filter(Column::Id.eq(id))
            .set(users::ActiveModel { password_hash: Set(Some(hash.to_string())), updated_at: Set(now), ..Default::default() })
            .exec(&self.write)
            .await?;
        Ok(())
    }
}
