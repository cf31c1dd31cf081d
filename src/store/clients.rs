//! Client rows. Lists of URIs are stored as JSON arrays, scopes and grant types as
//! space-separated strings; `protocol` turns them into its own types.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, Iterable, QueryFilter, QueryOrder};

use super::entities::clients::{self, Column, Entity};
use super::{ClientRecord, Store, StoreResult};
use crate::clock::UnixTime;

impl Store {
    pub async fn all_clients(&self) -> StoreResult<Vec<ClientRecord>> {
        Ok(Entity::find().order_by_asc(Column::Id).all(&self.read).await?)
    }

    pub async fn client_by_id(&self, id: &str) -> StoreResult<Option<ClientRecord>> {
        Ok(Entity::find_by_id(id).one(&self.read).await?)
    }

    pub async fn insert_client(&self, client: &ClientRecord) -> StoreResult<()> {
        let model: clients::ActiveModel = client.clone().into();
        Entity::insert(model).exec_without_returning(&self.write).await?;
        Ok(())
    }

    /// Creates the client or replaces every column but its creation time.
    pub async fn upsert_client(&self, client: &ClientRecord) -> StoreResult<()> {
        let model: clients::ActiveModel = client.clone().into();
        let columns = Column::iter().filter(|c| !matches!(c, Column::Id | Column::CreatedAt));
        Entity::insert(model)
            .on_conflict(OnConflict::column(Column::Id).update_columns(columns).to_owned())
            .exec_without_returning(&self.write)
            .await?;
        Ok(())
    }

    /// Removes a client with its codes, grants, refresh tokens and consents.
    pub async fn delete_client(&self, id: &str) -> StoreResult<bool> {
        Ok(Entity::delete_by_id(id).exec(&self.write).await?.rows_affected == 1)
    }

    pub async fn set_client_secret_hash(&self, id: &str, secret_hash: &str, now: UnixTime) -> StoreResult<bool> {
        let result = Entity::update_many()
            .filter(Column::Id.eq(id))
            .set(clients::ActiveModel {
                secret_hash: Set(Some(secret_hash.to_string())),
                updated_at: Set(now),
                ..Default::default()
            })
            .exec(&self.write)
            .await?;
        Ok(result.rows_affected == 1)
    }
}
