//! The access-token deny-list. Access tokens are self-contained JWTs; revoking one
//! records its `jti` until the token would have expired anyway.

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait};

use super::entities::{grants, revoked_access_tokens};
use super::{Store, StoreError, StoreResult};
use crate::clock::UnixTime;

impl Store {
    pub async fn deny_access_token(&self, jti: &str, expires_at: UnixTime) -> StoreResult<()> {
        let model = revoked_access_tokens::ActiveModel {
            jti: sea_orm::ActiveValue::Set(jti.to_string()),
            expires_at: sea_orm::ActiveValue::Set(expires_at),
        };
        revoked_access_tokens::Entity::insert(model)
            .on_conflict_do_nothing_on([revoked_access_tokens::Column::Jti])
            .exec(&self.write)
            .await?;
        Ok(())
    }

    /// An access token is live when its `jti` is not denied and, if it belongs to a
    /// grant, that grant still exists, unrevoked and unexpired. One round trip.
    pub async fn access_token_live(&self, jti: &str, grant_id: Option<&str>, now: UnixTime) -> StoreResult<bool> {
        let denied = Query::select()
            .expr(Expr::val(1))
            .from(revoked_access_tokens::Entity)
            .and_where(revoked_access_tokens::Column::Jti.eq(jti))
            .take();
        let mut query = Query::select();
        query.expr_as(Expr::exists(denied), "denied");
        if let Some(grant_id) = grant_id {
            let live = Query::select()
                .expr(Expr::val(1))
                .from(grants::Entity)
                .and_where(grants::Column::Id.eq(grant_id))
                .and_where(grants::Column::RevokedAt.is_null())
                .and_where(grants::Column::ExpiresAt.gt(now))
                .take();
            query.expr_as(Expr::exists(live), "grant_live");
        }
        let statement = self.read.get_database_backend().build(&query);
        let row = self.read.query_one_raw(statement).await?.ok_or(StoreError::NotFound)?;
        let denied: bool = row.try_get("", "denied")?;
        let grant_live: bool = if grant_id.is_some() { row.try_get("", "grant_live")? } else { true };
        Ok(!denied && grant_live)
    }
}
