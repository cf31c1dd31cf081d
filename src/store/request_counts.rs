//! Request counters shared by all instances (see `auth::rate_limit`).

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, EntityTrait};

use super::entities::request_counts::{ActiveModel, Column, Entity};
use super::{Store, StoreResult};
use crate::clock::UnixTime;

impl Store {
    /// Counts one more request under `id` (kept until `expires_at`) and returns the
    /// count, in one statement so that concurrent requests on any instance each get
    /// their own number.
    pub async fn count_request(&self, id: &str, expires_at: UnixTime) -> StoreResult<i64> {
        let first = ActiveModel { id: Set(id.to_string()), count: Set(1), expires_at: Set(expires_at) };
        let counted = Entity::insert(first)
            .on_conflict(OnConflict::column(Column::Id).value(Column::Count, Expr::col((Entity, Column::Count)).add(1)).to_owned())
            .exec_with_returning(&self.write)
            .await?;
        Ok(counted.count)
    }
}
