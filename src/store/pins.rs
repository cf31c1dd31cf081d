//! App PINs, one per grant. Like passwords, a PIN attempt is counted *before* the PIN
//! is checked, in one conditional statement, so that parallel guesses can never check
//! more than the allowed number.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::entities::app_pins::{self, Column, Entity};
use super::entities::grants;
use super::{Store, StoreResult};
use crate::clock::UnixTime;

#[derive(Debug, PartialEq, Eq)]
pub enum PinAttempt {
    /// Check the PIN against this hash; the attempt counts as failure `failures`
    /// until it succeeds.
    Allowed { pin_hash: String, failures: i32 },
    /// `max_attempts` attempts are counted already (being checked, or all wrong).
    Exhausted,
    /// The grant has no PIN.
    NoPin,
}

impl Store {
    /// Sets (or replaces) the grant's PIN, with a clean count.
    pub async fn set_pin(&self, grant_id: &str, pin_hash: &str, unlocked_until: UnixTime, now: UnixTime) -> StoreResult<()> {
        let row = app_pins::ActiveModel {
            grant_id: Set(grant_id.to_string()),
            pin_hash: Set(pin_hash.to_string()),
            failures: Set(0),
            unlocked_until: Set(unlocked_until),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let replace = OnConflict::column(Column::GrantId).update_columns([Column::PinHash, Column::Failures, Column::UnlockedUntil, Column::UpdatedAt]).to_owned();
        Entity::insert(row).on_conflict(replace).exec_without_returning(&self.write).await?;
        Ok(())
    }

    pub async fn has_pin(&self, grant_id: &str) -> StoreResult<bool> {
        Ok(Entity::find_by_id(grant_id).one(&self.read).await?.is_some())
    }

    /// Counts one attempt unless `max_attempts` are counted already.
    pub async fn begin_pin_attempt(&self, grant_id: &str, max_attempts: i32, now: UnixTime) -> StoreResult<PinAttempt> {
        let counted = Entity::update_many()
            .col_expr(Column::Failures, Expr::col(Column::Failures).add(1))
            .col_expr(Column::UpdatedAt, Expr::val(now))
            .filter(Column::GrantId.eq(grant_id))
            .filter(Column::Failures.lt(max_attempts))
            .exec_with_returning(&self.write)
            .await?;
        Ok(match counted.into_iter().next() {
            Some(row) => PinAttempt::Allowed { pin_hash: row.pin_hash, failures: row.failures },
            None if self.has_pin(grant_id).await? => PinAttempt::Exhausted,
            None => PinAttempt::NoPin,
        })
    }

    /// The right PIN: the count starts over and the family may refresh until `unlocked_until`.
    pub async fn pin_succeeded(&self, grant_id: &str, unlocked_until: UnixTime, now: UnixTime) -> StoreResult<()> {
        Entity::update_many()
            .col_expr(Column::Failures, Expr::val(0))
            .col_expr(Column::UnlockedUntil, Expr::val(unlocked_until))
            .col_expr(Column::UpdatedAt, Expr::val(now))
            .filter(Column::GrantId.eq(grant_id))
            .exec(&self.write)
            .await?;
        Ok(())
    }

    /// Revokes every grant of the user that has a PIN, and forgets the PINs: after a
    /// password change or reset, apps sign in again with the new password.
    pub async fn revoke_pinned_grants(&self, user_id: &str, reason: &str, now: UnixTime) -> StoreResult<u64> {
        let pinned = Query::select().column(Column::GrantId).from(Entity).take();
        let which = Condition::all().add(grants::Column::UserId.eq(user_id)).add(grants::Column::Id.in_subquery(pinned));
        let revoked = self.revoke_where(which, reason, now).await?;
        let of_user = Query::select().column(grants::Column::Id).from(grants::Entity).and_where(grants::Column::UserId.eq(user_id)).take();
        Entity::delete_many().filter(Column::GrantId.in_subquery(of_user)).exec(&self.write).await?;
        Ok(revoked)
    }
}
