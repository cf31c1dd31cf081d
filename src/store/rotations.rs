//! Refresh token rotations go through one writer task that stores every rotation
//! queued meanwhile with a single statement (group commit). On SQLite all writes share
//! one connection, and with a statement per rotation that connection became the limit
//! under load: between two rotations it sat idle while the next request's task waited
//! to be polled. The unique parent hash still decides each rotation on its own: the
//! statement skips every row whose parent already has a successor, and returns the
//! rows it stored.

use std::collections::HashSet;

use sea_orm::{EntityTrait, TryInsertResult};
use tokio::sync::{mpsc, oneshot};

use super::db::Db;
use super::entities::refresh_tokens::{self, Column};
use super::{RefreshTokenRecord, StoreError, StoreResult};

/// Rotations per statement: 5 values each, well under every database's limit.
const BATCH: usize = 256;

struct Queued {
    token: RefreshTokenRecord,
    stored: oneshot::Sender<StoreResult<bool>>,
}

#[derive(Clone)]
pub(super) struct RotationWriter(mpsc::Sender<Queued>);

impl RotationWriter {
    pub(super) fn start(db: Db) -> RotationWriter {
        let (tx, rx) = mpsc::channel(4 * BATCH);
        tokio::spawn(write_batches(db, rx));
        RotationWriter(tx)
    }

    /// Stores `token` unless its parent already has a successor; returns whether it did.
    pub(super) async fn insert(&self, token: RefreshTokenRecord) -> StoreResult<bool> {
        let stopped = || StoreError::Db("the refresh token writer has stopped".into());
        let (stored, answer) = oneshot::channel();
        self.0.send(Queued { token, stored }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn write_batches(db: Db, mut rx: mpsc::Receiver<Queued>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let outcomes = store_batch(&db, &batch).await;
        for (queued, outcome) in batch.drain(..).zip(outcomes) {
            let _ = queued.stored.send(outcome);
        }
    }
}

/// Whether each queued token was stored, in queue order.
async fn store_batch(db: &Db, batch: &[Queued]) -> Vec<StoreResult<bool>> {
    match insert_unless_succeeded(db, batch.iter().map(|q| &q.token)).await {
        Ok(stored) => batch.iter().map(|q| Ok(stored.contains(&q.token.token_hash))).collect(),
        // One bad row (say its grant was deleted meanwhile) fails the statement: then
        // each token alone, so that it fails no other.
        Err(_) if batch.len() > 1 => {
            let mut outcomes = Vec::with_capacity(batch.len());
            for queued in batch {
                outcomes.push(insert_unless_succeeded(db, [&queued.token]).await.map(|stored| !stored.is_empty()));
            }
            outcomes
        }
        Err(e) => vec![Err(e)],
    }
}

/// Inserts the tokens whose parent has no successor yet; returns the hashes stored.
async fn insert_unless_succeeded<'a>(db: &Db, tokens: impl IntoIterator<Item = &'a RefreshTokenRecord>) -> StoreResult<HashSet<String>> {
    let rows = tokens.into_iter().map(|t| refresh_tokens::ActiveModel::from(t.clone()));
    match refresh_tokens::Entity::insert_many(rows).on_conflict_do_nothing_on([Column::ParentHash]).exec_with_returning_keys(db).await? {
        TryInsertResult::Inserted(stored) => Ok(stored.into_iter().collect()),
        TryInsertResult::Conflicted | TryInsertResult::Empty => Ok(HashSet::new()),
    }
}
