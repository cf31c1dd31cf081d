//! Everything stored about one user, for "download my data" (GDPR Art. 15, 20).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entities::{audit_events, browser_sessions, consents};
use super::{AuditRecord, ConsentRecord, SessionRecord, Store, StoreResult};

pub struct UserData {
    pub consents: Vec<ConsentRecord>,
    pub sessions: Vec<SessionRecord>,
    pub events: Vec<AuditRecord>,
}

impl Store {
    pub async fn user_data(&self, user_id: &str) -> StoreResult<UserData> {
        self.flush_audit().await;
        let consents = consents::Entity::find().filter(consents::Column::UserId.eq(user_id)).all(&self.read).await?;
        let sessions = browser_sessions::Entity::find()
            .filter(browser_sessions::Column::UserId.eq(user_id))
            .order_by_desc(browser_sessions::Column::CreatedAt)
            .all(&self.read)
            .await?;
        let events = audit_events::Entity::find()
            .filter(audit_events::Column::UserId.eq(user_id))
            .order_by_desc(audit_events::Column::Id)
            .all(&self.read)
            .await?;
        Ok(UserData { consents, sessions, events })
    }
}
