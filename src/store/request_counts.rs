//! Request counters shared by all instances (see `auth::rate_limit`).

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, EntityTrait};

use super::entities::request_counts::{ActiveModel, Column, Entity};
use super::{Store, StoreResult};
use crate::clock::UnixTime;

impl Store {
    /// Adds `added` requests to the count under `id` (kept until `expires_at`) and
    /// returns the total, in one statement so that instances adding at the same time
    /// each see every addition made before theirs.
    pub async fn count_requests(&self, id: &str, added: i64, expires_at: UnixTime) -> StoreResult<i64> {
        let first = ActiveModel { id: Set(id.to_string()), count: Set(added), expires_at: Set(expires_at) };
        let counted = Entity::insert(first)
            .on_conflict(OnConflict::column(Column::Id).value(Column::Count, Expr::col((Entity, Column::Count)).add(added)).to_owned())
            .exec_with_returning(&self.transient)
            .await?;
        Ok(counted.count)
    }
}
