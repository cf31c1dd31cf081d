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

    pub async fn put_setting(&self, name: &str, value: &str, now: UnixTime) -> StoreResult<()> {
        let model = settings::ActiveModel { name: Set(name.into()), value: Set(value.into()), updated_at: Set(now) };
        Entity::insert(model)
            .on_conflict(OnConflict::column(Column::Name).update_columns([Column::Value, Column::UpdatedAt]).to_owned())
            .exec_without_returning(&self.write)
            .await?;
        Ok(())
    }
}
