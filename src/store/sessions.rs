//! Browser session rows, looked up by the SHA-256 of the cookie value.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::entities::browser_sessions::{self, Column, Entity};
use super::{SessionRecord, Store, StoreResult};
use crate::clock::UnixTime;

impl Store {
    pub async fn insert_session(&self, session: &SessionRecord) -> StoreResult<()> {
        let model: browser_sessions::ActiveModel = session.clone().into();
        Entity::insert(model).exec_without_returning(&self.transient).await?;
        Ok(())
    }

    /// The session if it exists and has not expired.
    pub async fn session_by_hash(&self, id_hash: &str, now: UnixTime) -> StoreResult<Option<SessionRecord>> {
        Ok(Entity::find_by_id(id_hash).filter(Column::ExpiresAt.gt(now)).one(&self.read).await?)
    }

    pub async fn session_by_sid(&self, sid: &str, now: UnixTime) -> StoreResult<Option<SessionRecord>> {
        Ok(Entity::find().filter(Column::Sid.eq(sid)).filter(Column::ExpiresAt.gt(now)).one(&self.read).await?)
    }

    /// Gives session `old_hash` a new cookie hash and the facts of a new sign-in,
    /// keeping its `sid`; false if it no longer exists.
    pub async fn renew_session(&self, old_hash: &str, renewed: &SessionRecord) -> StoreResult<bool> {
        use sea_orm::sea_query::Expr;
        let result = Entity::update_many()
            .col_expr(Column::IdHash, Expr::value(renewed.id_hash.clone()))
            .col_expr(Column::AuthTime, Expr::value(renewed.auth_time))
            .col_expr(Column::Acr, Expr::value(renewed.acr.clone()))
            .col_expr(Column::Amr, Expr::value(renewed.amr.clone()))
            .col_expr(Column::Ip, Expr::value(renewed.ip.clone()))
            .col_expr(Column::UserAgent, Expr::value(renewed.user_agent.clone()))
            .col_expr(Column::LastSeenAt, Expr::value(renewed.last_seen_at))
            .col_expr(Column::ExpiresAt, Expr::value(renewed.expires_at))
            .filter(Column::IdHash.eq(old_hash))
            .exec(&self.write)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Deletes the session and returns it, if it existed.
    pub async fn delete_session(&self, sid: &str) -> StoreResult<Option<SessionRecord>> {
        let mut deleted = Entity::delete_many().filter(Column::Sid.eq(sid)).exec_with_returning(&self.write).await?;
        Ok(deleted.pop())
    }

    /// Deletes every session of a user and returns their `sid`s.
    pub async fn delete_user_sessions(&self, user_id: &str) -> StoreResult<Vec<String>> {
        let deleted = Entity::delete_many().filter(Column::UserId.eq(user_id)).exec_with_returning(&self.write).await?;
        Ok(deleted.into_iter().map(|s| s.sid).collect())
    }

    pub async fn delete_user_sessions_except(&self, user_id: &str, keep_sid: &str) -> StoreResult<()> {
        Entity::delete_many().filter(Column::UserId.eq(user_id)).filter(Column::Sid.ne(keep_sid)).exec(&self.write).await?;
        Ok(())
    }

    /// The user's live browser sessions, newest first.
    pub async fn sessions_of(&self, user_id: &str, now: UnixTime) -> StoreResult<Vec<SessionRecord>> {
        use sea_orm::QueryOrder;
        Ok(Entity::find()
            .filter(Column::UserId.eq(user_id))
            .filter(Column::ExpiresAt.gt(now))
            .order_by_desc(Column::AuthTime)
            .all(&self.read)
            .await?)
    }
}
