//! Signing key rows: private keys arrive here already encrypted.

use sea_orm::sea_query::Condition;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entities::signing_keys::{self, Column, Entity};
use super::{SigningKeyRecord, Store, StoreResult};
use crate::clock::UnixTime;

impl Store {
    /// Keys that sign or that still verify tokens: active, or retired but published.
    pub async fn signing_keys_published(&self, now: UnixTime) -> StoreResult<Vec<SigningKeyRecord>> {
        Ok(Entity::find()
            .filter(Condition::any().add(Column::PublishUntil.is_null()).add(Column::PublishUntil.gt(now)))
            .order_by_desc(Column::CreatedAt)
            .all(&self.read)
            .await?)
    }

    pub async fn all_signing_keys(&self) -> StoreResult<Vec<SigningKeyRecord>> {
        Ok(Entity::find().order_by_desc(Column::CreatedAt).all(&self.read).await?)
    }

    pub async fn insert_signing_key(&self, key: &SigningKeyRecord) -> StoreResult<()> {
        let model: signing_keys::ActiveModel = key.clone().into();
        Entity::insert(model).exec_without_returning(&self.write).await?;
        Ok(())
    }

    /// Adds `key` and retires the active keys of its algorithm, which stay published
    /// until `publish_until`.
    pub async fn rotate_signing_key(&self, key: &SigningKeyRecord, now: UnixTime, publish_until: UnixTime) -> StoreResult<()> {
        let txn = self.write.begin().await?;
        Entity::update_many()
            .filter(Column::Alg.eq(&key.alg))
            .filter(Column::RetiredAt.is_null())
            .set(signing_keys::ActiveModel {
                retired_at: Set(Some(now)),
                publish_until: Set(Some(publish_until)),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
        let model: signing_keys::ActiveModel = key.clone().into();
        Entity::insert(model).exec_without_returning(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Stops publishing a retired key now; returns whether one was retired.
    pub async fn unpublish_signing_key(&self, kid: &str, now: UnixTime) -> StoreResult<bool> {
        let result = Entity::update_many()
            .filter(Column::Kid.eq(kid))
            .filter(Column::RetiredAt.is_not_null())
            .set(signing_keys::ActiveModel { publish_until: Set(Some(now)), ..Default::default() })
            .exec(&self.write)
            .await?;
        Ok(result.rows_affected == 1)
    }
}
