//! User rows.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::totp_credentials;
use super::entities::users::{self, Column, Entity};
use super::{Store, StoreResult, User};
use crate::clock::UnixTime;

/// How a person names their account at sign-in.
pub enum SignInName<'a> {
    /// Normalised (lower case, trimmed).
    Email(&'a str),
    /// A verified mobile number (E.164).
    Phone(&'a str),
}

impl Store {
    pub async fn insert_user(&self, user: &User) -> StoreResult<()> {
        let model: users::ActiveModel = user.clone().into();
        Entity::insert(model).exec_without_returning(&self.write).await?;
        Ok(())
    }

    /// On the path of every UserInfo request: the statement is built once per database
    /// kind, not for every call.
    pub async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>> {
        use sea_orm::{FromQueryResult, QueryTrait};
        static SQL: super::BuiltOnce = [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
        let row = self.one_by_key(&SQL, |backend| Entity::find_by_id("").build(backend).sql, id).await?;
        Ok(row.map(|row| User::from_query_result(&row, "")).transpose()?)
    }

    /// `email` must already be normalised (lower case, trimmed).
    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        Ok(Entity::find().filter(Column::Email.eq(email)).one(&self.read).await?)
    }

    /// The account a sign-in names, and whether it has a confirmed authenticator app
    /// (which decides the second factor), in one round trip: this is on the path of
    /// every sign-in.
    pub async fn user_signing_in(&self, name: SignInName<'_>) -> StoreResult<Option<(User, bool)>> {
        use sea_orm::FromQueryResult;
        static BY_EMAIL: super::BuiltOnce = [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
        static BY_PHONE: super::BuiltOnce = [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
        let (slots, key, by_phone) = match name {
            SignInName::Email(email) => (&BY_EMAIL, email, false),
            SignInName::Phone(number) => (&BY_PHONE, number, true),
        };
        let Some(row) = self.one_by_key(slots, |backend| backend.build(&signing_in_query(by_phone)).sql, key).await? else { return Ok(None) };
        let totp: Option<bool> = row.try_get("", "totp_confirmed")?;
        Ok(Some((User::from_query_result(&row, "u_")?, totp == Some(true))))
    }

    /// The account whose verified mobile number is `number` (E.164).
    pub async fn user_by_verified_phone(&self, number: &str) -> StoreResult<Option<User>> {
        Ok(Entity::find().filter(Column::PhoneNumber.eq(number)).filter(Column::PhoneNumberVerified.eq(true)).one(&self.read).await?)
    }

    /// Marks `number` verified for the user, if it is still the user's number.
    pub async fn verify_phone(&self, id: &str, number: &str, now: UnixTime) -> StoreResult<bool> {
        let result = Entity::update_many()
            .filter(Column::Id.eq(id))
            .filter(Column::PhoneNumber.eq(number))
            .set(users::ActiveModel { phone_number_verified: Set(true), updated_at: Set(now), ..Default::default() })
            .exec(&self.write)
            .await?;
        Ok(result.rows_affected == 1)
    }

    pub async fn list_users(&self, limit: u64, offset: u64) -> StoreResult<Vec<User>> {
        Ok(Entity::find().order_by_asc(Column::Email).limit(limit).offset(offset).all(&self.read).await?)
    }

    /// Users whose email, name or phone number contains `q` (any case), by email; and
    /// how many match in all.
    pub async fn search_users(&self, q: Option<&str>, limit: u64, offset: u64) -> StoreResult<(Vec<User>, u64)> {
        use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr};
        let mut query = Entity::find();
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            let escaped: String = q.to_lowercase().chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
            let pattern = format!("%{escaped}%");
            let like = |column: Column| Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(pattern.clone()).escape('\\'));
            query = query.filter(
                Condition::any()
                    .add(like(Column::Email))
                    .add(like(Column::GivenName))
                    .add(like(Column::FamilyName))
                    .add(like(Column::PhoneNumber))
                    .add(Column::Id.eq(q)),
            );
        }
        let total = query.clone().count(&self.read).await?;
        let users = query.order_by_asc(Column::Email).limit(limit).offset(offset).all(&self.read).await?;
        Ok((users, total))
    }

    pub async fn set_user_admin(&self, id: &str, admin: bool, now: UnixTime) -> StoreResult<bool> {
        let result = Entity::update_many()
            .filter(Column::Id.eq(id))
            .set(users::ActiveModel { admin: Set(admin), updated_at: Set(now), ..Default::default() })
            .exec(&self.write)
            .await?;
        Ok(result.rows_affected == 1)
    }

    pub async fn set_login_code_channel(&self, id: &str, channel: &str, now: UnixTime) -> StoreResult<()> {
        Entity::update_many()
            .filter(Column::Id.eq(id))
            .set(users::ActiveModel { login_code_channel: Set(channel.to_string()), updated_at: Set(now), ..Default::default() })
            .exec(&self.write)
            .await?;
        Ok(())
    }

    pub async fn count_admins(&self) -> StoreResult<u64> {
        Ok(Entity::find().filter(Column::Admin.eq(true)).filter(Column::Disabled.eq(false)).count(&self.read).await?)
    }

    pub async fn count_users(&self) -> StoreResult<u64> {
        Ok(Entity::find().count(&self.read).await?)
    }

    /// Returns whether the user exists.
    pub async fn set_user_disabled(&self, id: &str, disabled: bool, now: UnixTime) -> StoreResult<bool> {
        let result = Entity::update_many()
            .filter(Column::Id.eq(id))
            .set(users::ActiveModel { disabled: Set(disabled), updated_at: Set(now), ..Default::default() })
            .exec(&self.write)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Writes the profile fields of `user` (names, language, phone, address, country,
    /// salutation); the email address and credentials change through their own paths.
    pub async fn update_profile(&self, user: &User, now: UnixTime) -> StoreResult<()> {
        Entity::update_many()
            .filter(Column::Id.eq(&user.id))
            .set(users::ActiveModel {
                salutation: Set(user.salutation.clone()),
                given_name: Set(user.given_name.clone()),
                family_name: Set(user.family_name.clone()),
                locale: Set(user.locale.clone()),
                country: Set(user.country.clone()),
                phone_number: Set(user.phone_number.clone()),
                phone_number_verified: Set(user.phone_number_verified),
                address: Set(user.address.clone()),
                updated_at: Set(now),
                ..Default::default()
            })
            .exec(&self.write)
            .await?;
        Ok(())
    }

    /// Overwrites an account that was never activated with a new registration.
    pub async fn replace_unverified_user(&self, user: &User) -> StoreResult<()> {
        use sea_orm::{ActiveModelTrait, IntoActiveModel};
        let model = user.clone().into_active_model().reset_all();
        Entity::update_many().set(model).filter(Column::Id.eq(&user.id)).filter(Column::EmailVerified.eq(false)).exec(&self.write).await?;
        Ok(())
    }

    pub async fn set_security_question(&self, id: &str, question: &str, answer_hash: &str, now: UnixTime) -> StoreResult<()> {
        Entity::update_many()
            .filter(Column::Id.eq(id))
            .set(users::ActiveModel {
                security_question: Set(Some(question.to_string())),
                security_answer_hash: Set(Some(answer_hash.to_string())),
                updated_at: Set(now),
                ..Default::default()
            })
            .exec(&self.write)
            .await?;
        Ok(())
    }

    /// Marks the address verified (activation). Returns whether the user exists.
    pub async fn verify_email(&self, id: &str, now: UnixTime) -> StoreResult<bool> {
        let result = Entity::update_many()
            .filter(Column::Id.eq(id))
            .set(users::ActiveModel { email_verified: Set(true), updated_at: Set(now), ..Default::default() })
            .exec(&self.write)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Moves the account to a new, verified address; `Conflict` when it is taken.
    pub async fn set_email(&self, id: &str, email: &str, now: UnixTime) -> StoreResult<()> {
        Entity::update_many()
            .filter(Column::Id.eq(id))
            .set(users::ActiveModel { email: Set(email.to_string()), email_verified: Set(true), updated_at: Set(now), ..Default::default() })
            .exec(&self.write)
            .await?;
        Ok(())
    }

    /// Deletes the account; its sessions, grants, tokens, consents and links go with it
    /// (foreign keys cascade), and its audit events keep only the pseudonymous id.
    pub async fn delete_user(&self, id: &str) -> StoreResult<bool> {
        use super::entities::audit_events;
        audit_events::Entity::update_many()
            .filter(audit_events::Column::UserId.eq(id))
            .set(audit_events::ActiveModel { ip: Set(None), ..Default::default() })
            .exec(&self.write)
            .await?;
        let result = Entity::delete_by_id(id).exec(&self.write).await?;
        Ok(result.rows_affected == 1)
    }

    /// Replaces a password hash, for example with one made with newer parameters.
    pub async fn set_password_hash(&self, id: &str, hash: &str, now: UnixTime) -> StoreResult<()> {
        Entity::update_many()
            .filter(Column::Id.eq(id))
            .set(users::ActiveModel { password_hash: Set(Some(hash.to_string())), updated_at: Set(now), ..Default::default() })
            .exec(&self.write)
            .await?;
        Ok(())
    }
}

/// The query behind [`Store::user_signing_in`], with one parameter: the email address,
/// or the mobile number (then only a verified one matches).
fn signing_in_query(by_phone: bool) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
    let mut query = Query::select();
    super::select_prefixed::<Entity>(&mut query, "u");
    query
        .expr_as(Expr::col(("t", totp_credentials::Column::Confirmed)), Alias::new("totp_confirmed"))
        .from_as(Entity, "u")
        .join_as(JoinType::LeftJoin, totp_credentials::Entity, "t", Expr::col(("t", totp_credentials::Column::UserId)).equals(("u", Column::Id)));
    if by_phone {
        query.and_where(Expr::col(("u", Column::PhoneNumber)).eq("")).and_where(Expr::col(("u", Column::PhoneNumberVerified)));
    } else {
        query.and_where(Expr::col(("u", Column::Email)).eq(""));
    }
    query
}
