//! Grants (one per code redemption) and their refresh-token families. Every refresh
//! token ever issued stays stored (by hash) until it expires, so that presenting a
//! rotated one is recognised as reuse (RFC 9700 §4.14.2) and revokes the family.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QuerySelect, FromQueryResult, QueryFilter};

use super::entities::grants::{self, Column, Entity};
use super::entities::{app_pins, refresh_tokens, users};
use super::{GrantRecord, RefreshTokenRecord, Store, StoreError, StoreResult, User};
use crate::clock::UnixTime;

/// A refresh token with everything a request needs to judge it.
pub struct RefreshLookup {
    pub token: RefreshTokenRecord,
    pub grant: GrantRecord,
    /// The account (grants are removed with it).
    pub user: User,
    /// When the token was exchanged for a successor, if it was.
    pub rotated_at: Option<UnixTime>,
    /// When the family has a PIN: until when it refreshes without it.
    pub pin_unlocked_until: Option<UnixTime>,
}

pub enum Rotation {
    Rotated,
    /// An already rotated token outside the grace window: the family is now revoked.
    Reused,
}

impl Store {
    pub async fn grant_by_id(&self, id: &str) -> StoreResult<Option<GrantRecord>> {
        Ok(Entity::find_by_id(id).one(&self.read).await?)
    }

    /// The token, its grant, its user and its successor, in one round trip: this is on
    /// the path of every refresh. The statement (some 60 columns) is built once per
    /// database kind, not for every refresh.
    pub async fn refresh_token_with_grant(&self, token_hash: &str) -> StoreResult<Option<RefreshLookup>> {
        static SQL: super::BuiltOnce = [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
        let Some(row) = self.one_by_key(&SQL, |backend| backend.build(&refresh_lookup_query()).sql, token_hash).await? else { return Ok(None) };
        Ok(Some(RefreshLookup {
            token: RefreshTokenRecord::from_query_result(&row, "t_")?,
            grant: GrantRecord::from_query_result(&row, "g_")?,
            user: User::from_query_result(&row, "u_")?,
            rotated_at: row.try_get("", "rotated_at")?,
            pin_unlocked_until: row.try_get("", "pin_unlocked_until")?,
        }))
    }

    /// Replaces the token `new.parent_hash` names by `new`. Claiming the old token and
    /// storing the new one is a single insert (grouped with concurrent rotations, see
    /// `rotations`): the unique `parent_hash` lets exactly one of concurrent rotations
    /// of a token succeed. A token rotated at or after `grace_since` may be presented
    /// again (a client's concurrent duplicate) and gets a successor of its own; one
    /// rotated earlier revokes the whole family (RFC 9700 §4.14.2).
    ///
    /// The grant was checked by the caller. A token added to a family that was revoked
    /// in the meantime is dead on arrival, because every use checks the grant.
    pub async fn rotate_refresh_token(&self, new: &RefreshTokenRecord, now: UnixTime, grace_since: UnixTime) -> StoreResult<Rotation> {
        use refresh_tokens::Column as T;
        let parent = new.parent_hash.as_deref().ok_or_else(|| StoreError::Db("a rotated token names its parent".into()))?;
        if self.rotations.insert(new.clone()).await? {
            return Ok(Rotation::Rotated);
        }
        let successor = refresh_tokens::Entity::find().filter(T::ParentHash.eq(parent)).one(&self.write).await?;
        match successor {
            Some(s) if s.created_at >= grace_since => {
                let sibling = refresh_tokens::ActiveModel { parent_hash: Set(None), ..new.clone().into() };
                refresh_tokens::Entity::insert(sibling).exec_without_returning(&self.write).await?;
                Ok(Rotation::Rotated)
            }
            _ => {
                self.revoke_grant(&new.grant_id, "refresh_token_reuse", now).await?;
                Ok(Rotation::Reused)
            }
        }
    }

    /// The user's live grants with when each was last used (its newest refresh token,
    /// or its start), newest first.
    pub async fn grants_of(&self, user_id: &str, now: UnixTime) -> StoreResult<Vec<(GrantRecord, UnixTime)>> {
        use sea_orm::QueryOrder;
        let live = Entity::find()
            .filter(Column::UserId.eq(user_id))
            .filter(Column::RevokedAt.is_null())
            .filter(Column::ExpiresAt.gt(now))
            .order_by_desc(Column::CreatedAt)
            .all(&self.read)
            .await?;
        let ids: Vec<String> = live.iter().map(|g| g.id.clone()).collect();
        let used: Vec<(String, Option<i64>)> = refresh_tokens::Entity::find()
            .select_only()
            .column(refresh_tokens::Column::GrantId)
            .column_as(refresh_tokens::Column::CreatedAt.max(), "last_used")
            .filter(refresh_tokens::Column::GrantId.is_in(ids))
            .group_by(refresh_tokens::Column::GrantId)
            .into_tuple()
            .all(&self.read)
            .await?;
        Ok(live
            .into_iter()
            .map(|g| {
                let last = used.iter().find(|(id, _)| *id == g.id).and_then(|(_, at)| *at).unwrap_or(g.created_at);
                (g, last)
            })
            .collect())
    }

    /// Revokes one grant of the user (false when it is not theirs or already over).
    pub async fn revoke_user_grant(&self, user_id: &str, id: &str, reason: &str, now: UnixTime) -> StoreResult<bool> {
        Ok(self.revoke_where(Condition::all().add(Column::Id.eq(id)).add(Column::UserId.eq(user_id)), reason, now).await? == 1)
    }

    /// Returns whether the grant was live until now.
    pub async fn revoke_grant(&self, id: &str, reason: &str, now: UnixTime) -> StoreResult<bool> {
        Ok(self.revoke_where(Condition::all().add(Column::Id.eq(id)), reason, now).await? == 1)
    }

    /// Revokes the grants that live only as long as browser session `sid` (those
    /// without `offline_access`).
    pub async fn revoke_session_grants(&self, sid: &str, reason: &str, now: UnixTime) -> StoreResult<u64> {
        self.revoke_where(Condition::all().add(Column::Sid.eq(sid)).add(Column::Offline.eq(false)), reason, now).await
    }

    pub async fn revoke_user_grants(&self, user_id: &str, reason: &str, now: UnixTime) -> StoreResult<u64> {
        self.revoke_where(Condition::all().add(Column::UserId.eq(user_id)), reason, now).await
    }

    pub async fn revoke_user_grants_except_session(&self, user_id: &str, keep_sid: &str, reason: &str, now: UnixTime) -> StoreResult<u64> {
        let other = Condition::any().add(Column::Sid.ne(keep_sid)).add(Column::Sid.is_null());
        self.revoke_where(Condition::all().add(Column::UserId.eq(user_id)).add(other), reason, now).await
    }

    /// Revokes the live grants matching `which`, and tells the revocation mirror which
    /// ones they were, so that their access tokens die at once.
    pub(super) async fn revoke_where(&self, which: Condition, reason: &str, now: UnixTime) -> StoreResult<u64> {
        let revoked = Entity::update_many()
            .filter(which)
            .filter(Column::RevokedAt.is_null())
            .set(grants::ActiveModel { revoked_at: Set(Some(now)), revoked_reason: Set(Some(reason.to_string())), ..Default::default() })
            .exec_with_returning(&self.write)
            .await?;
        for grant in &revoked {
            self.mirror_grant_revoked(&grant.id, now);
        }
        Ok(revoked.len() as u64)
    }
}

/// The query behind [`Store::refresh_token_with_grant`], with one parameter: the token's hash.
fn refresh_lookup_query() -> SelectStatement {
    use refresh_tokens::Column as T;
    let mut query = Query::select();
    super::select_prefixed::<refresh_tokens::Entity>(&mut query, "t");
    super::select_prefixed::<Entity>(&mut query, "g");
    super::select_prefixed::<users::Entity>(&mut query, "u");
    query
        .expr_as(Expr::col(("s", T::CreatedAt)), Alias::new("rotated_at"))
        .expr_as(Expr::col(("p", app_pins::Column::UnlockedUntil)), Alias::new("pin_unlocked_until"))
        .from_as(refresh_tokens::Entity, "t")
        .join_as(JoinType::InnerJoin, Entity, "g", Expr::col(("g", Column::Id)).equals(("t", T::GrantId)))
        .join_as(JoinType::InnerJoin, users::Entity, "u", Expr::col(("u", users::Column::Id)).equals(("g", Column::UserId)))
        .join_as(JoinType::LeftJoin, refresh_tokens::Entity, "s", Expr::col(("s", T::ParentHash)).equals(("t", T::TokenHash)))
        .join_as(JoinType::LeftJoin, app_pins::Entity, "p", Expr::col(("p", app_pins::Column::GrantId)).equals(("g", Column::Id)))
        .and_where(Expr::col(("t", T::TokenHash)).eq(""));
    query
}
