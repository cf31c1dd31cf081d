//! Passkeys, user handles, and ceremony state (stored until used, used once).

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entities::{ceremonies, passkeys, users};
use super::{CeremonyRecord, PasskeyRecord, Store, StoreResult, User};
use crate::clock::UnixTime;

impl Store {
    /// Gives the user a passkey handle if they have none; returns the handle.
    pub async fn ensure_passkey_handle(&self, user: &User, fresh: &str) -> StoreResult<String> {
        if let Some(handle) = &user.passkey_handle {
            return Ok(handle.clone());
        }
        users::Entity::update_many()
            .set(users::ActiveModel { passkey_handle: Set(Some(fresh.to_string())), ..Default::default() })
            .filter(users::Column::Id.eq(&user.id))
            .filter(users::Column::PasskeyHandle.is_null())
            .exec(&self.write)
            .await?;
        let stored = users::Entity::find_by_id(&user.id).one(&self.write).await?.and_then(|u| u.passkey_handle);
        Ok(stored.unwrap_or_else(|| fresh.to_string()))
    }

    pub async fn user_by_passkey_handle(&self, handle: &str) -> StoreResult<Option<User>> {
        Ok(users::Entity::find().filter(users::Column::PasskeyHandle.eq(handle)).one(&self.read).await?)
    }

    pub async fn insert_passkey(&self, passkey: &PasskeyRecord) -> StoreResult<()> {
        let model: passkeys::ActiveModel = passkey.clone().into();
        passkeys::Entity::insert(model).exec_without_returning(&self.write).await?;
        Ok(())
    }

    pub async fn passkey(&self, id: &str) -> StoreResult<Option<PasskeyRecord>> {
        Ok(passkeys::Entity::find_by_id(id).one(&self.read).await?)
    }

    pub async fn passkeys_of(&self, user_id: &str) -> StoreResult<Vec<PasskeyRecord>> {
        Ok(passkeys::Entity::find().filter(passkeys::Column::UserId.eq(user_id)).order_by_asc(passkeys::Column::CreatedAt).all(&self.read).await?)
    }

    /// After a sign-in: the credential's new counter and flags, and when it was used.
    pub async fn passkey_used(&self, id: &str, credential: &str, now: UnixTime) -> StoreResult<()> {
        passkeys::Entity::update_many()
            .set(passkeys::ActiveModel { credential: Set(credential.to_string()), last_used_at: Set(Some(now)), ..Default::default() })
            .filter(passkeys::Column::Id.eq(id))
            .exec(&self.write)
            .await?;
        Ok(())
    }

    pub async fn delete_passkey(&self, user_id: &str, id: &str) -> StoreResult<bool> {
        let deleted = passkeys::Entity::delete_many().filter(passkeys::Column::UserId.eq(user_id)).filter(passkeys::Column::Id.eq(id)).exec(&self.write).await?;
        Ok(deleted.rows_affected == 1)
    }

    pub async fn put_ceremony(&self, ceremony: &CeremonyRecord) -> StoreResult<()> {
        let model: ceremonies::ActiveModel = ceremony.clone().into();
        ceremonies::Entity::insert(model).exec_without_returning(&self.write).await?;
        Ok(())
    }

    /// Delete-and-return in one statement: a ceremony finishes once.
    pub async fn take_ceremony(&self, id_hash: &str, kind: &str, now: UnixTime) -> StoreResult<Option<CeremonyRecord>> {
        let mut taken = ceremonies::Entity::delete_many()
            .filter(ceremonies::Column::IdHash.eq(id_hash))
            .filter(ceremonies::Column::Kind.eq(kind))
            .filter(ceremonies::Column::ExpiresAt.gt(now))
            .exec_with_returning(&self.write)
            .await?;
        Ok(taken.pop())
    }

    /// Renames one of the user's passkeys; false when it is not theirs.
    pub async fn rename_passkey(&self, user_id: &str, id: &str, name: &str) -> StoreResult<bool> {
        let result = passkeys::Entity::update_many()
            .filter(passkeys::Column::Id.eq(id))
            .filter(passkeys::Column::UserId.eq(user_id))
            .set(passkeys::ActiveModel { name: Set(name.to_string()), ..Default::default() })
            .exec(&self.write)
            .await?;
        Ok(result.rows_affected == 1)
    }
}
