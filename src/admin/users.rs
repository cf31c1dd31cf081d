//! Creating, listing, disabling and enabling user accounts from the administrator's
//! side. Disabling ends every session and revokes every grant of the user.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::auth::login::normalize_email;
use crate::auth::password::HashError;
use crate::auth::session;
use crate::error::AppError;
use crate::state::Ctx;
use crate::store::{StoreError, User};

pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_PASSWORD_LEN: usize = crate::auth::password_policy::PASSWORD_MAX;

pub struct NewUser {
    pub email: String,
    pub password: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub locale: Option<String>,
}

pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else { return false };
    email.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Creates an active account with a verified email (an administrator vouches for it).
pub async fn create(ctx: &Ctx, new: NewUser, meta: &RequestMeta) -> Result<User, AppError> {
    let email = normalize_email(&new.email);
    let mut problems = Vec::new();
    if !valid_email(&email) {
        problems.push(format!("email: {:?} is not an email address", new.email));
    }
    let length = new.password.chars().count();
    if !(MIN_PASSWORD_LEN..=MAX_PASSWORD_LEN).contains(&length) {
        problems.push(format!("password: must be {MIN_PASSWORD_LEN} to {MAX_PASSWORD_LEN} characters"));
    }
    if !problems.is_empty() {
        return Err(AppError::BadRequest(problems));
    }
    let hash = ctx.hasher.hash(new.password).await.map_err(|e| match e {
        HashError::Busy => AppError::Internal("password hashing is busy".into()),
        HashError::Failed(e) => AppError::Internal(e),
    })?;
    let now = ctx.now();
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        email,
        email_verified: true,
        password_hash: Some(hash),
        given_name: new.given_name.filter(|n| !n.trim().is_empty()),
        family_name: new.family_name.filter(|n| !n.trim().is_empty()),
        locale: new.locale.filter(|n| !n.trim().is_empty()),
        phone_number: None,
        phone_number_verified: false,
        address: None,
        disabled: false,
        created_at: now,
        updated_at: now,
        salutation: None,
        country: None,
        terms_accepted_at: None,
        email_otp_enabled: false,
        security_question: None,
        security_answer_hash: None,
        passkey_handle: None,
    };
    match ctx.store.insert_user(&user).await {
        Ok(()) => {}
        Err(StoreError::Conflict { .. }) => return Err(AppError::Conflict(format!("an account for {} already exists", user.email))),
        Err(e) => return Err(e.into()),
    }
    ctx.audit("user_created", meta, Some(&user.id), None, json!({ "by": "administrator" })).await;
    Ok(user)
}

pub async fn list(ctx: &Ctx, limit: u64, offset: u64) -> Result<Vec<User>, AppError> {
    Ok(ctx.store.list_users(limit, offset).await?)
}

pub async fn set_disabled(ctx: &Ctx, email: &str, disabled: bool, meta: &RequestMeta) -> Result<User, AppError> {
    let user = ctx
        .store
        .user_by_email(&normalize_email(email))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no account for {email}")))?;
    ctx.store.set_user_disabled(&user.id, disabled, ctx.now()).await?;
    if disabled {
        session::end_all(ctx, &user.id, "account_disabled").await?;
    }
    let event = if disabled { "user_disabled" } else { "user_enabled" };
    ctx.audit(event, meta, Some(&user.id), None, json!({ "by": "administrator" })).await;
    Ok(User { disabled, ..user })
}

/// Lifts a lockout (on the account and on each of its known browsers).
pub async fn unlock(ctx: &Ctx, email: &str, meta: &RequestMeta) -> Result<u64, AppError> {
    let user = ctx
        .store
        .user_by_email(&normalize_email(email))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no account for {email}")))?;
    let cleared = crate::auth::lockout::unlock(ctx, &user.id).await?;
    ctx.audit("user_unlocked", meta, Some(&user.id), None, json!({ "by": "administrator" })).await;
    Ok(cleared)
}

/// Whether `answer` matches the account's security question (support-line check).
pub async fn check_answer(ctx: &Ctx, email: &str, answer: &str, meta: &RequestMeta) -> Result<Option<bool>, AppError> {
    let user = ctx
        .store
        .user_by_email(&normalize_email(email))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no account for {email}")))?;
    crate::account::question::check(ctx, &user, answer, meta).await.map_err(|e| AppError::Internal(e.to_string()))
}
