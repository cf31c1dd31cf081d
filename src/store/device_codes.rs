//! Device authorization requests (RFC 8628). The decision is a conditional update of a
//! pending, live request; the token exchange takes an approved request and stores the
//! grant it starts in one transaction, so a device code yields tokens once.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entities::device_codes::{self, Column, Entity};
use super::entities::{grants, refresh_tokens};
use super::{DeviceCodeRecord, GrantRecord, RefreshTokenRecord, Store, StoreResult};
use crate::clock::UnixTime;

/// The browser session that approved a request.
pub struct Approval<'a> {
    pub user_id: &'a str,
    pub sid: &'a str,
    pub auth_time: UnixTime,
    pub acr: &'a str,
    pub amr: &'a str,
}

impl Store {
    pub async fn insert_device_code(&self, code: &DeviceCodeRecord) -> StoreResult<()> {
        let model: device_codes::ActiveModel = code.clone().into();
        Entity::insert(model).exec_without_returning(&self.write).await?;
        Ok(())
    }

    /// The live, pending request with this user code.
    pub async fn pending_device_code(&self, user_code: &str, now: UnixTime) -> StoreResult<Option<DeviceCodeRecord>> {
        Ok(Entity::find()
            .filter(Column::UserCode.eq(user_code))
            .filter(Column::Status.eq("pending"))
            .filter(Column::ExpiresAt.gt(now))
            .one(&self.read)
            .await?)
    }

    /// Approves (with the session) or denies (without) a live, pending request.
    pub async fn decide_device_code(&self, user_code: &str, approval: Option<Approval<'_>>, now: UnixTime) -> StoreResult<bool> {
        let decision = match approval {
            Some(a) => device_codes::ActiveModel {
                status: Set("approved".into()),
                user_id: Set(Some(a.user_id.into())),
                sid: Set(Some(a.sid.into())),
                auth_time: Set(Some(a.auth_time)),
                acr: Set(Some(a.acr.into())),
                amr: Set(Some(a.amr.into())),
                ..Default::default()
            },
            None => device_codes::ActiveModel { status: Set("denied".into()), ..Default::default() },
        };
        let decided = Entity::update_many()
            .set(decision)
            .filter(Column::UserCode.eq(user_code))
            .filter(Column::Status.eq("pending"))
            .filter(Column::ExpiresAt.gt(now))
            .exec(&self.write)
            .await?;
        Ok(decided.rows_affected == 1)
    }

    /// Records a poll and returns the request as it was before it (with the previous
    /// poll's time, to tell a device that polls too fast).
    pub async fn poll_device_code(&self, device_code_hash: &str, now: UnixTime) -> StoreResult<Option<DeviceCodeRecord>> {
        let Some(before) = Entity::find_by_id(device_code_hash).one(&self.write).await? else { return Ok(None) };
        Entity::update_many()
            .col_expr(Column::LastPolledAt, Expr::val(now))
            .filter(Column::DeviceCodeHash.eq(device_code_hash))
            .exec(&self.write)
            .await?;
        Ok(Some(before))
    }

    /// RFC 8628 §3.5 slow_down: the device waits `extra` seconds longer from now on.
    pub async fn slow_device_down(&self, device_code_hash: &str, extra: i64) -> StoreResult<()> {
        Entity::update_many()
            .col_expr(Column::Interval, Expr::col(Column::Interval).add(extra))
            .filter(Column::DeviceCodeHash.eq(device_code_hash))
            .exec(&self.write)
            .await?;
        Ok(())
    }

    /// Uses an approved request up and stores the grant it starts; false when it was
    /// not (or no longer) approved.
    pub async fn redeem_device_code(&self, device_code_hash: &str, grant: &GrantRecord, refresh: Option<&RefreshTokenRecord>) -> StoreResult<bool> {
        let txn = self.write.begin().await?;
        let taken = Entity::delete_many()
            .filter(Column::DeviceCodeHash.eq(device_code_hash))
            .filter(Column::Status.eq("approved"))
            .exec(&txn)
            .await?;
        if taken.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        let model: grants::ActiveModel = grant.clone().into();
        grants::Entity::insert(model).exec_without_returning(&txn).await?;
        if let Some(token) = refresh {
            let model: refresh_tokens::ActiveModel = token.clone().into();
            refresh_tokens::Entity::insert(model).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        Ok(true)
    }
}
