//! What makes a self-contained access token dead before its `exp`: its `jti` on the
//! deny-list, or its grant revoked. Both are rows in the database, and the store keeps
//! a mirror of the recent ones in memory so that introspection and UserInfo read no
//! row. Only revocations younger than the longest access-token lifetime matter (older
//! tokens have expired anyway), so the mirror stays small.
//!
//! The mirror learns this process's revocations as they are written, and everybody
//! else's (the CLI, other instances) by [`Store::sync_revocations`], which the server
//! runs every second. A sync re-reads a window reaching `SYNC_OVERLAP` seconds back, so
//! a revocation committed late or stamped by a slightly slow clock is still seen.

use std::collections::HashMap;
use std::sync::RwLock;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entities::{grants, revoked_access_tokens};
use super::{Store, StoreResult};
use crate::clock::UnixTime;

/// How far back each sync looks beyond the previous one.
const SYNC_OVERLAP: i64 = 30;

#[derive(Default)]
pub(super) struct Mirror {
    state: RwLock<MirrorState>,
}

#[derive(Default)]
struct MirrorState {
    /// Denied `jti` → when the token expires (then the entry can go).
    denied: HashMap<String, UnixTime>,
    /// Revoked grant → when it was revoked.
    revoked_grants: HashMap<String, UnixTime>,
    /// The `now` of the last sync; `None` before the first.
    synced_at: Option<UnixTime>,
}

impl Mirror {
    fn deny(&self, jti: &str, expires_at: UnixTime) {
        self.write().denied.insert(jti.to_string(), expires_at);
    }

    fn revoke_grant(&self, id: &str, at: UnixTime) {
        self.write().revoked_grants.entry(id.to_string()).or_insert(at);
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, MirrorState> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }
}

impl Store {
    /// Puts `jti` on the deny-list until `expires_at`.
    pub async fn deny_access_token(&self, jti: &str, expires_at: UnixTime, now: UnixTime) -> StoreResult<()> {
        let model = revoked_access_tokens::ActiveModel {
            jti: sea_orm::ActiveValue::Set(jti.to_string()),
            expires_at: sea_orm::ActiveValue::Set(expires_at),
            revoked_at: sea_orm::ActiveValue::Set(now),
        };
        revoked_access_tokens::Entity::insert(model)
            .on_conflict_do_nothing_on([revoked_access_tokens::Column::Jti])
            .exec_without_returning(&self.write)
            .await?;
        self.revocations.deny(jti, expires_at);
        Ok(())
    }

    /// Whether an unexpired access token with this `jti` and grant was revoked. Reads
    /// only memory.
    pub fn access_token_revoked(&self, jti: &str, grant_id: Option<&str>) -> bool {
        let state = self.revocations.state.read().unwrap_or_else(|p| p.into_inner());
        state.denied.contains_key(jti) || grant_id.is_some_and(|g| state.revoked_grants.contains_key(g))
    }

    /// Brings the mirror up to date with the database and forgets what no live token
    /// can need any more. `max_token_ttl` is the longest access-token lifetime.
    pub async fn sync_revocations(&self, now: UnixTime, max_token_ttl: i64) -> StoreResult<()> {
        // A revoked grant is remembered as long as a token minted just before (or while)
        // it was revoked may live.
        let keep_grants_for = max_token_ttl + SYNC_OVERLAP;
        let since = {
            let state = self.revocations.state.read().unwrap_or_else(|p| p.into_inner());
            state.synced_at.map_or(now - keep_grants_for, |at| at.min(now)) - SYNC_OVERLAP
        };
        let denied: Vec<(String, UnixTime)> = revoked_access_tokens::Entity::find()
            .select_only()
            .columns([revoked_access_tokens::Column::Jti, revoked_access_tokens::Column::ExpiresAt])
            .filter(revoked_access_tokens::Column::RevokedAt.gte(since))
            .filter(revoked_access_tokens::Column::ExpiresAt.gt(now))
            .into_tuple()
            .all(&self.read)
            .await?;
        let revoked: Vec<(String, Option<UnixTime>)> = grants::Entity::find()
            .select_only()
            .columns([grants::Column::Id, grants::Column::RevokedAt])
            .filter(grants::Column::RevokedAt.gte(since))
            .into_tuple()
            .all(&self.read)
            .await?;
        let mut state = self.revocations.write();
        state.denied.extend(denied);
        for (id, at) in revoked {
            state.revoked_grants.entry(id).or_insert(at.unwrap_or(now));
        }
        state.denied.retain(|_, expires_at| *expires_at > now);
        state.revoked_grants.retain(|_, at| *at > now - keep_grants_for);
        state.synced_at = Some(now);
        Ok(())
    }

    pub(super) fn mirror_grant_revoked(&self, id: &str, at: UnixTime) {
        self.revocations.revoke_grant(id, at);
    }
}
