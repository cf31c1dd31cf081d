//! Login failure counters. The count goes up *before* a password is checked, in one
//! conditional statement, so that however many guesses arrive at once, no more than the
//! threshold are ever checked.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::entities::login_throttles::{self, Column, Entity};
use super::{Store, StoreResult};
use crate::clock::UnixTime;

/// The outcome of asking to check one more password for a subject.
#[derive(Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Go ahead; this attempt counts as failure number `failures` until it succeeds.
    Allowed { failures: i32 },
    /// Locked until then (or at the threshold with attempts still being checked).
    Locked { until: Option<UnixTime> },
    /// Enough failures that this attempt must bring a solved proof of work; not counted.
    ProofOfWorkRequired,
}

impl Store {
    /// Counts one attempt, unless the subject is locked, `threshold` attempts are already
    /// counted, or `pow_after` are and the attempt brings no proof of work (`None`: it
    /// needs none). An expired lock starts a fresh count.
    pub async fn begin_attempt(&self, subject: &str, threshold: i32, pow_after: Option<i32>, now: UnixTime) -> StoreResult<Attempt> {
        // Asked of every attempt: a first one would insert the count unconditionally.
        if pow_after.is_some_and(|n| n <= 0) {
            return Ok(Attempt::ProofOfWorkRequired);
        }
        let first = login_throttles::ActiveModel {
            subject: Set(subject.to_string()),
            failures: Set(1),
            lockouts: Set(0),
            locked_until: Set(None),
            updated_at: Set(now),
        };
        // One statement: a first attempt inserts the row, a later one counts in it
        // (unless held off, when nothing is returned).
        let expired = Column::LockedUntil.lte(now);
        let open = Condition::all().add(Column::LockedUntil.is_null()).add(Column::Failures.lt(threshold)).add_option(pow_after.map(|n| Column::Failures.lt(n)));
        let count = OnConflict::column(Column::Subject)
            .value(Column::Failures, Expr::case(expired.clone(), Expr::val(1)).finally(Expr::col((Entity, Column::Failures)).add(1)))
            .value(Column::LockedUntil, Expr::case(expired.clone(), Expr::value(Option::<i64>::None)).finally(Expr::col((Entity, Column::LockedUntil))))
            .value(Column::UpdatedAt, Expr::val(now))
            .action_and_where(Expr::from(Condition::any().add(open).add(expired)))
            .to_owned();
        match Entity::insert(first).on_conflict(count).exec_with_returning(&self.transient).await {
            Ok(row) => Ok(Attempt::Allowed { failures: row.failures }),
            // No row back: the update's condition held it off (SQLite says "not found").
            Err(sea_orm::DbErr::RecordNotInserted | sea_orm::DbErr::RecordNotFound(_)) => {
                Ok(match Entity::find_by_id(subject).one(&self.transient).await? {
                    Some(row) if row.locked_until.is_none() && row.failures < threshold => Attempt::ProofOfWorkRequired,
                    row => Attempt::Locked { until: row.and_then(|r| r.locked_until) },
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The attempt failed. At the threshold the subject locks for `lock_for(lockouts)`
    /// seconds, `lockouts` counting earlier locks in a row; returns the new lock's end.
    pub async fn fail_attempt(&self, subject: &str, failures: i32, threshold: i32, lock_for: impl Fn(i32) -> i64, now: UnixTime) -> StoreResult<Option<UnixTime>> {
        if failures < threshold {
            return Ok(None);
        }
        let Some(row) = Entity::find_by_id(subject).one(&self.transient).await? else { return Ok(None) };
        let until = now + lock_for(row.lockouts);
        let locked = Entity::update_many()
            .col_expr(Column::LockedUntil, Expr::val(until))
            .col_expr(Column::Lockouts, Expr::col(Column::Lockouts).add(1))
            .col_expr(Column::UpdatedAt, Expr::val(now))
            .filter(Column::Subject.eq(subject))
            .filter(Column::LockedUntil.is_null())
            .exec(&self.transient)
            .await?;
        Ok((locked.rows_affected == 1).then_some(until))
    }

    /// The attempt succeeded: the count and the growth start over.
    pub async fn clear_attempts(&self, subject: &str) -> StoreResult<()> {
        Entity::delete_by_id(subject).exec(&self.transient).await?;
        Ok(())
    }

    /// Lifts every lock on the user's account and known devices.
    pub async fn clear_user_attempts(&self, account_subject: &str, device_prefix: &str) -> StoreResult<u64> {
        let cleared = Entity::delete_many()
            .filter(Condition::any().add(Column::Subject.eq(account_subject)).add(Column::Subject.starts_with(device_prefix)))
            .exec(&self.transient)
            .await?;
        Ok(cleared.rows_affected)
    }

    /// Failures counted so far for the subject, if it is not locked.
    pub async fn attempt_failures(&self, subject: &str, now: UnixTime) -> StoreResult<i32> {
        let row = Entity::find_by_id(subject).one(&self.read).await?;
        Ok(row.map_or(0, |r| if r.locked_until.is_some_and(|until| until <= now) { 0 } else { r.failures }))
    }
}
