//! Named JSON documents of settings changed at run time (the administrator's policy).

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, EntityTrait};

use super::entities::settings::{self, Column, Entity};
use super::{Store, StoreResult};
use crate::clock::UnixTime;

impl Store {
    pub async fn setting(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(Entity::find_by_id(name).one(&self.read).await?.map(|s| s.value))
    }

    /// Writes `value` only if the stored value is still `expected` (`None`: no row yet);
    /// returns whether it was written. Concurrent writers then cannot undo each other.
    pub async fn replace_setting(&self, name: &str, expected: Option<&str>, value: &str, now: UnixTime) -> StoreResult<bool> {
        use sea_orm::{ColumnTrait, QueryFilter};
        match expected {
            None => {
                let model = settings::ActiveModel { name: Set(name.into()), value: Set(value.into()), updated_at: Set(now) };
                let inserted = Entity::insert(model).on_conflict(OnConflict::column(Column::Name).do_nothing().to_owned()).exec_without_returning(&self.write).await;
                match inserted {
                    Ok(rows) => Ok(rows == 1),
                    Err(sea_orm::DbErr::RecordNotInserted) => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }
            Some(expected) => {
                let result = Entity::update_many()
                    .filter(Column::Name.eq(name))
                    .filter(Column::Value.eq(expected))
                    .set(settings::ActiveModel { value: Set(value.into()), updated_at: Set(now), ..Default::default() })
                    .exec(&self.write)
                    .await?;
                Ok(result.rows_affected == 1)
            }
        }
    }
}
