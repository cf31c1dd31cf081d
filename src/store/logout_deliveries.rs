//! Back-channel logout deliveries: who is owed a logout token, and the outcome of each
//! delivery. Workers on any instance take due rows by moving their due time forward in
//! a conditional update (a lease), so one delivery is sent by one worker at a time.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::grants;
use super::entities::logout_deliveries::{self, Column, Entity};
use super::{LogoutDeliveryRecord, Store, StoreResult};
use crate::clock::UnixTime;

impl Store {
    /// The (client, user, session) of every grant made in browser session `sid`.
    pub async fn clients_of_session(&self, sid: &str) -> StoreResult<Vec<(String, String, Option<String>)>> {
        self.grant_parties(grants::Column::Sid.eq(sid)).await
    }

    /// The (client, user, session) of every grant of the user not yet expired,
    /// except those of browser session `keep_sid`.
    pub async fn clients_of_user(&self, user_id: &str, keep_sid: Option<&str>, now: UnixTime) -> StoreResult<Vec<(String, String, Option<String>)>> {
        let mut which = sea_orm::Condition::all().add(grants::Column::UserId.eq(user_id)).add(grants::Column::ExpiresAt.gt(now));
        if let Some(keep) = keep_sid {
            which = which.add(sea_orm::Condition::any().add(grants::Column::Sid.ne(keep)).add(grants::Column::Sid.is_null()));
        }
        self.grant_parties(which).await
    }

    async fn grant_parties(&self, which: impl sea_orm::sea_query::IntoCondition) -> StoreResult<Vec<(String, String, Option<String>)>> {
        Ok(grants::Entity::find()
            .select_only()
            .column(grants::Column::ClientId)
            .column(grants::Column::UserId)
            .column(grants::Column::Sid)
            .filter(which)
            .distinct()
            .into_tuple()
            .all(&self.read)
            .await?)
    }

    pub async fn enqueue_logouts(&self, deliveries: &[LogoutDeliveryRecord]) -> StoreResult<()> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let models = deliveries.iter().cloned().map(logout_deliveries::ActiveModel::from);
        Entity::insert_many(models).exec_without_returning(&self.write).await?;
        Ok(())
    }

    /// Deliveries due by `now`, oldest first.
    pub async fn due_logouts(&self, now: UnixTime, limit: u64) -> StoreResult<Vec<LogoutDeliveryRecord>> {
        Ok(Entity::find()
            .filter(Column::DeliveredAt.is_null())
            .filter(Column::FailedAt.is_null())
            .filter(Column::NextAttemptAt.lte(now))
            .order_by_asc(Column::NextAttemptAt)
            .limit(limit)
            .all(&self.read)
            .await?)
    }

    /// Takes a due delivery for this worker until `lease_until`; false when another
    /// worker took it first.
    pub async fn claim_logout(&self, delivery: &LogoutDeliveryRecord, lease_until: UnixTime) -> StoreResult<bool> {
        let claimed = Entity::update_many()
            .col_expr(Column::NextAttemptAt, Expr::val(lease_until))
            .filter(Column::Id.eq(&delivery.id))
            .filter(Column::NextAttemptAt.eq(delivery.next_attempt_at))
            .filter(Column::DeliveredAt.is_null())
            .exec(&self.write)
            .await?;
        Ok(claimed.rows_affected == 1)
    }

    /// Records an attempt: delivered, to be retried at `retry_at`, or given up (neither).
    pub async fn logout_attempted(&self, id: &str, attempts: i32, outcome: Result<(), String>, retry_at: Option<UnixTime>, now: UnixTime) -> StoreResult<()> {
        let mut update = Entity::update_many().col_expr(Column::Attempts, Expr::val(attempts)).filter(Column::Id.eq(id));
        update = match (&outcome, retry_at) {
            (Ok(()), _) => update.col_expr(Column::DeliveredAt, Expr::val(now)).col_expr(Column::LastError, Expr::value(Option::<String>::None)),
            (Err(e), Some(at)) => update.col_expr(Column::NextAttemptAt, Expr::val(at)).col_expr(Column::LastError, Expr::val(e.clone())),
            (Err(e), None) => update.col_expr(Column::FailedAt, Expr::val(now)).col_expr(Column::LastError, Expr::val(e.clone())),
        };
        update.exec(&self.write).await?;
        Ok(())
    }

    /// The deliveries owed to a client, newest first (for operators and tests).
    pub async fn logout_deliveries_of(&self, client_id: &str) -> StoreResult<Vec<LogoutDeliveryRecord>> {
        Ok(Entity::find().filter(Column::ClientId.eq(client_id)).order_by_desc(Column::CreatedAt).all(&self.read).await?)
    }
}
