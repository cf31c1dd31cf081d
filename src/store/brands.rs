//! Brand rows: the config file's brands (synced at start) and those an administrator adds.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, Iterable, PaginatorTrait, QueryFilter, QueryOrder};

use super::entities::brands::{self, Column, Entity};
use super::entities::clients;
use super::{BrandRecord, Store, StoreResult};

impl Store {
    pub async fn all_brands(&self) -> StoreResult<Vec<BrandRecord>> {
        Ok(Entity::find().order_by_asc(Column::Id).all(&self.read).await?)
    }

    pub async fn insert_brand(&self, brand: &BrandRecord) -> StoreResult<()> {
        let model: brands::ActiveModel = brand.clone().into();
        Entity::insert(model).exec_without_returning(&self.write).await?;
        Ok(())
    }

    /// Creates the brand or replaces every column.
    pub async fn upsert_brand(&self, brand: &BrandRecord) -> StoreResult<()> {
        let model: brands::ActiveModel = brand.clone().into();
        let columns = Column::iter().filter(|c| !matches!(c, Column::Id));
        Entity::insert(model).on_conflict(OnConflict::column(Column::Id).update_columns(columns).to_owned()).exec_without_returning(&self.write).await?;
        Ok(())
    }

    pub async fn delete_brand(&self, id: &str) -> StoreResult<bool> {
        Ok(Entity::delete_by_id(id).exec(&self.write).await?.rows_affected == 1)
    }

    /// How many clients wear the brand.
    pub async fn clients_with_brand(&self, id: &str) -> StoreResult<u64> {
        Ok(clients::Entity::find().filter(clients::Column::Brand.eq(id)).count(&self.read).await?)
    }
}
