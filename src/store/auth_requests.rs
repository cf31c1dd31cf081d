//! Pending authorization requests: what a client asked for while the user logs in and
//! consents. Keyed by the hash of a random handle; taken (deleted) exactly once.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::entities::authorization_requests::{self, Column, Entity};
use super::{AuthRequestRecord, Store, StoreResult};
use crate::clock::UnixTime;

impl Store {
    pub async fn insert_auth_request(&self, request: &AuthRequestRecord) -> StoreResult<()> {
        let model: authorization_requests::ActiveModel = request.clone().into();
        Entity::insert(model).exec_without_returning(&self.transient).await?;
        Ok(())
    }

    pub async fn auth_request(&self, id_hash: &str, now: UnixTime) -> StoreResult<Option<AuthRequestRecord>> {
        Ok(Entity::find_by_id(id_hash).filter(Column::ExpiresAt.gt(now)).one(&self.read).await?)
    }

    /// Deletes and returns the request in one statement, so that two concurrent
    /// completions cannot both get it.
    pub async fn take_auth_request(&self, id_hash: &str, now: UnixTime) -> StoreResult<Option<AuthRequestRecord>> {
        let mut taken = Entity::delete_many().filter(Column::IdHash.eq(id_hash)).exec_with_returning(&self.transient).await?;
        Ok(taken.pop().filter(|r| r.expires_at > now))
    }
}
