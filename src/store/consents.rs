//! Remembered consent: the scopes a user has granted a client (OIDC Core §3.1.2.4).

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, EntityTrait};

use super::entities::consents::{self, Column, Entity};
use super::{ConsentRecord, Store, StoreResult};
use crate::clock::UnixTime;

impl Store {
    pub async fn consent(&self, user_id: &str, client_id: &str) -> StoreResult<Option<ConsentRecord>> {
        Ok(Entity::find_by_id((user_id.to_string(), client_id.to_string())).one(&self.read).await?)
    }

    /// Records `scope` (space-separated, already merged with earlier consent).
    pub async fn save_consent(&self, user_id: &str, client_id: &str, scope: &str, now: UnixTime) -> StoreResult<()> {
        let model = consents::ActiveModel {
            user_id: Set(user_id.to_string()),
            client_id: Set(client_id.to_string()),
            scope: Set(scope.to_string()),
            created_at: Set(now),
            updated_at: Set(now),
        };
        Entity::insert(model)
            .on_conflict(OnConflict::columns([Column::UserId, Column::ClientId]).update_columns([Column::Scope, Column::UpdatedAt]).to_owned())
            .exec_without_returning(&self.write)
            .await?;
        Ok(())
    }
}
