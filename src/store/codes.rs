//! Authorization codes (RFC 6749 §4.1.2): stored by hash, redeemed at most once. The
//! redemption claims the code and records the grant it starts in one transaction, so a
//! replay always finds the grant to revoke.

use sea_orm::sea_query::{CommonTableExpression, Expr, ExprTrait, InsertStatement, JoinType, Query, SelectStatement, UpdateStatement, WithClause};
use sea_orm::{ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, Iterable};

use super::entities::{authorization_codes, authorization_requests, grants, refresh_tokens, users};
use super::{CodeRecord, GrantRecord, RefreshTokenRecord, Store, StoreResult, User};
use crate::clock::UnixTime;
use authorization_codes::{Column, Entity};

pub enum Redemption {
    Redeemed,
    /// The code had been redeemed before; `grant_id` is what that redemption started.
    Replayed { grant_id: Option<String> },
}

impl Store {
    /// Stores a new code. With `answering` (the hash of a pending authorization request's
    /// handle) the code is stored only by taking that request, which can be answered
    /// once; false when it was taken before or has expired.
    pub async fn insert_code(&self, code: &CodeRecord, answering: Option<&str>, now: UnixTime) -> StoreResult<bool> {
        let model: authorization_codes::ActiveModel = code.clone().into();
        match answering {
            None => {
                Entity::insert(model).exec_without_returning(&self.transient).await?;
                Ok(true)
            }
            // PostgreSQL: one statement, the code inserted once for the request it deleted.
            Some(request) if self.transient.get_database_backend() == DbBackend::Postgres => {
                let take = Query::delete()
                    .from_table(authorization_requests::Entity)
                    .and_where(authorization_requests::Column::IdHash.eq(request))
                    .and_where(authorization_requests::Column::ExpiresAt.gt(now))
                    .returning_col(authorization_requests::Column::IdHash)
                    .to_owned();
                let mut with = WithClause::new();
                with.cte(CommonTableExpression::new().query(take).table_name("taken").to_owned());
                let statement = insert_for_each_row_of(model, "taken")?.with_cte(with).to_owned();
                let done = self.transient.execute_raw(DbBackend::Postgres.build(&statement)).await?;
                Ok(done.rows_affected() == 1)
            }
            // SQLite (no data-modifying CTEs): the request first, then the code. A failure
            // in between leaves the user to start again at the client, as when it expires.
            Some(request) => {
                if self.take_auth_request(request, now).await?.is_none() {
                    return Ok(false);
                }
                Entity::insert(model).exec_without_returning(&self.transient).await?;
                Ok(true)
            }
        }
    }

    /// The code and its user in one round trip: this is on the path of every sign-in.
    /// (Codes are removed with their user.)
    pub async fn code_with_user(&self, code_hash: &str) -> StoreResult<Option<(CodeRecord, User)>> {
        static SQL: super::BuiltOnce = [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
        let Some(row) = self.one_by_key(&SQL, |backend| backend.build(&code_lookup_query()).sql, code_hash).await? else { return Ok(None) };
        Ok(Some((CodeRecord::from_query_result(&row, "c_")?, User::from_query_result(&row, "u_")?)))
    }

    /// Marks the code redeemed and stores the grant (and its first refresh token) it
    /// starts, all or nothing; or reports that it was redeemed already.
    pub async fn redeem_code(
        &self,
        code_hash: &str,
        now: UnixTime,
        grant: &GrantRecord,
        refresh: Option<&RefreshTokenRecord>,
    ) -> StoreResult<Redemption> {
        let claim = Query::update()
            .table(Entity)
            .values([(Column::RedeemedAt, now.into()), (Column::GrantId, grant.id.clone().into())])
            .and_where(Column::CodeHash.eq(code_hash))
            .and_where(Column::RedeemedAt.is_null())
            .to_owned();
        let grant: grants::ActiveModel = grant.clone().into();
        let refresh: Option<refresh_tokens::ActiveModel> = refresh.cloned().map(Into::into);
        let redeemed = match self.write.get_database_backend() {
            DbBackend::Postgres => self.redeem_in_one_statement(claim, grant, refresh).await?,
            _ => self.redeem_in_transaction(claim, grant, refresh).await?,
        };
        if redeemed {
            return Ok(Redemption::Redeemed);
        }
        let earlier = Entity::find_by_id(code_hash).one(&self.write).await?;
        Ok(Redemption::Replayed { grant_id: earlier.and_then(|c| c.grant_id) })
    }

    /// PostgreSQL: one statement whose data-modifying parts claim the code and, only if
    /// that found it unredeemed, insert the grant and the refresh token. One round trip
    /// where a transaction takes five; a statement is all or nothing by itself.
    async fn redeem_in_one_statement(&self, mut claim: UpdateStatement, grant: grants::ActiveModel, refresh: Option<refresh_tokens::ActiveModel>) -> StoreResult<bool> {
        claim.returning_col(Column::CodeHash);
        let claimed = CommonTableExpression::new().query(claim).table_name("claimed").to_owned();
        let mut with = WithClause::new();
        with.cte(claimed);
        let mut statement = match refresh {
            Some(token) => {
                let granted = insert_for_each_row_of(grant, "claimed")?.returning_col(grants::Column::Id).to_owned();
                with.cte(CommonTableExpression::new().query(granted).table_name("granted").to_owned());
                insert_for_each_row_of(token, "granted")?
            }
            None => insert_for_each_row_of(grant, "claimed")?,
        };
        let statement = statement.with_cte(with).to_owned();
        let done = self.write.execute_raw(DbBackend::Postgres.build(&statement)).await?;
        Ok(done.rows_affected() == 1)
    }

    /// SQLite (no data-modifying CTEs): a transaction that claims the code first and
    /// inserts the rest only if the claim found it unredeemed.
    async fn redeem_in_transaction(&self, claim: UpdateStatement, grant: grants::ActiveModel, refresh: Option<refresh_tokens::ActiveModel>) -> StoreResult<bool> {
        let txn = self.write.begin().await?;
        let claimed = txn.execute_raw(txn.get_database_backend().build(&claim)).await?;
        if claimed.rows_affected() == 0 {
            txn.rollback().await?;
            return Ok(false);
        }
        grants::Entity::insert(grant).exec_without_returning(&txn).await?;
        if let Some(token) = refresh {
            refresh_tokens::Entity::insert(token).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        Ok(true)
    }
}

/// `INSERT INTO <the model's table> (<its set columns>) SELECT <their values> FROM <from>`:
/// the row, once for each row of `from`.
fn insert_for_each_row_of<A: ActiveModelTrait>(model: A, from: &'static str) -> StoreResult<InsertStatement> {
    let (mut columns, mut values) = (Vec::new(), Vec::new());
    for column in <A::Entity as EntityTrait>::Column::iter() {
        if let ActiveValue::Set(value) | ActiveValue::Unchanged(value) = model.get(column) {
            columns.push(column);
            values.push(Expr::val(value));
        }
    }
    let select = Query::select().exprs(values).from(from).to_owned();
    let mut insert = Query::insert();
    insert.into_table(A::Entity::default()).columns(columns).select_from(select).map_err(|e| super::StoreError::Db(e.to_string()))?;
    Ok(insert)
}

/// The query behind [`Store::code_with_user`], with one parameter: the code's hash.
fn code_lookup_query() -> SelectStatement {
    let mut query = Query::select();
    super::select_prefixed::<Entity>(&mut query, "c");
    super::select_prefixed::<users::Entity>(&mut query, "u");
    query
        .from_as(Entity, "c")
        .join_as(JoinType::InnerJoin, users::Entity, "u", Expr::col(("u", users::Column::Id)).equals(("c", Column::UserId)))
        .and_where(Expr::col(("c", Column::CodeHash)).eq(""));
    query
}
