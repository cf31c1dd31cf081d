//! Audit events go through one writer task that commits them in batches: they are
//! append-only and must not cost a commit each inside a request. A flush waits until
//! everything sent before it is stored (shutdown, CLI exit, the audit views, tests).

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::EntityTrait;
use tokio::sync::{mpsc, oneshot};

use super::db::Db;
use super::entities::audit_events;
use super::{AuditRecord, Store, StoreResult};
use crate::clock::UnixTime;

const BATCH: usize = 256;

/// How long the writer gathers events after the first before it commits them. Under a
/// stream of sign-ins that is one commit, and one disk flush, for several events
/// rather than one each; the events of the window are what a crash of the process
/// loses. A flush commits at once.
const GATHER: std::time::Duration = std::time::Duration::from_millis(50);

#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub at: UnixTime,
    pub event: &'static str,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    /// Event-specific facts; never a secret.
    pub detail: serde_json::Value,
    /// Who made an administrative change (`user:ID`, `client:ID`, `cli`).
    pub actor: Option<String>,
}

/// What to look for in the audit log; every field narrows the search.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub event: Option<String>,
    pub actor: Option<String>,
    pub since: Option<UnixTime>,
    pub until: Option<UnixTime>,
}

enum Message {
    Event(Box<AuditEvent>),
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub(super) struct AuditWriter(mpsc::Sender<Message>);

impl AuditWriter {
    pub(super) fn start(db: Db) -> AuditWriter {
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(write_batches(db, rx));
        AuditWriter(tx)
    }
}

async fn write_batches(db: Db, mut rx: mpsc::Receiver<Message>) {
    while let Some(first) = rx.recv().await {
        let deadline = tokio::time::Instant::now() + GATHER;
        let mut events = Vec::new();
        let mut flushes = Vec::new();
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Event(e) => events.push(*e),
                Message::Flush(ack) => flushes.push(ack),
            }
            next = if events.len() >= BATCH {
                None
            } else if flushes.is_empty() {
                tokio::time::timeout_at(deadline, rx.recv()).await.ok().flatten()
            } else {
                rx.try_recv().ok()
            };
        }
        if !events.is_empty() {
            store_batch(&db, events).await;
        }
        for ack in flushes {
            let _ = ack.send(());
        }
    }
}

async fn store_batch(db: &Db, events: Vec<AuditEvent>) {
    let count = events.len();
    let rows: Vec<audit_events::ActiveModel> = events
        .into_iter()
        .map(|e| audit_events::ActiveModel {
            id: NotSet,
            at: Set(e.at),
            event: Set(e.event.to_string()),
            user_id: Set(e.user_id),
            client_id: Set(e.client_id),
            ip: Set(e.ip),
            request_id: Set(e.request_id),
            detail: Set(e.detail.to_string()),
            actor: Set(e.actor),
        })
        .collect();
    for attempt in 1..=3u64 {
        // One statement, so all or nothing without a transaction around it (which cost
        // two more round trips per batch, and batches are mostly of one event).
        match audit_events::Entity::insert_many(rows.clone()).exec_without_returning(db).await {
            Ok(_) => return,
            Err(e) if attempt < 3 => {
                tracing::warn!(error = %e, attempt, "audit batch not stored yet; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
            }
            Err(e) => tracing::error!(error = %e, count, "audit batch lost"),
        }
    }
}

impl Store {
    /// Queues an audit event; waits only when the queue is full.
    pub async fn audit(&self, event: AuditEvent) {
        if self.audit.0.send(Message::Event(Box::new(event))).await.is_err() {
            tracing::error!("audit writer has stopped; event lost");
        }
    }

    /// Returns once every event queued before the call is stored.
    pub async fn flush_audit(&self) {
        let (ack, done) = oneshot::channel();
        if self.audit.0.send(Message::Flush(ack)).await.is_ok() {
            let _ = done.await;
        }
    }

    /// Events matching `filter`, newest first, and how many match in all.
    pub async fn audit_events(&self, filter: &AuditFilter, limit: u64, offset: u64) -> StoreResult<(Vec<AuditRecord>, u64)> {
        use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
        use audit_events::Column;
        let mut query = audit_events::Entity::find();
        for (column, value) in [(Column::UserId, &filter.user_id), (Column::ClientId, &filter.client_id), (Column::Event, &filter.event), (Column::Actor, &filter.actor)] {
            if let Some(value) = value {
                query = query.filter(column.eq(value.as_str()));
            }
        }
        if let Some(since) = filter.since {
            query = query.filter(Column::At.gte(since));
        }
        if let Some(until) = filter.until {
            query = query.filter(Column::At.lt(until));
        }
        let total = query.clone().count(&self.read).await?;
        let events = query.order_by_desc(Column::Id).limit(limit).offset(offset).all(&self.read).await?;
        Ok((events, total))
    }

    /// The newest events first.
    pub async fn recent_audit_events(&self, limit: u64) -> StoreResult<Vec<AuditRecord>> {
        use sea_orm::{QueryOrder, QuerySelect};
        Ok(audit_events::Entity::find().order_by_desc(audit_events::Column::Id).limit(limit).all(&self.read).await?)
    }
}
