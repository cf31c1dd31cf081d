//! User accounts from the administrator's side: search, view, create, disable and
//! enable, unlock, send a password reset, end sessions, delete, and the admin role.
//! Disabling and deleting end every session and revoke every grant of the user.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::RequestMeta;
use crate::auth::login::normalize_email;
use crate::auth::password::HashError;
use crate::auth::password_policy;
use crate::auth::session;
use crate::error::AppError;
use crate::state::Ctx;
use crate::store::{StoreError, User};

use super::{Actor, ListPage, Paging, Subject, record};


/// An account created by an administrator: active, its email taken as verified.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    /// 8 to 256 characters; never stored, never logged.
    pub password: String,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
    /// A BCP 47 language tag such as `de`.
    #[serde(default)]
    pub locale: Option<String>,
}

/// An account as administrators see it (never a credential).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub email_verified: bool,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub phone_number: Option<String>,
    pub phone_number_verified: bool,
    pub locale: Option<String>,
    pub country: Option<String>,
    pub disabled: bool,
    pub admin: bool,
    pub has_password: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.clone(),
            email: u.email.clone(),
            email_verified: u.email_verified,
            given_name: u.given_name.clone(),
            family_name: u.family_name.clone(),
            phone_number: u.phone_number.clone(),
            phone_number_verified: u.phone_number_verified,
            locale: u.locale.clone(),
            country: u.country.clone(),
            disabled: u.disabled,
            admin: u.admin,
            has_password: u.password_hash.is_some(),
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// An account with its sign-in methods, lock state and sessions.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDetail {
    pub user: UserView,
    /// The profile picture's URL, if there is one.
    pub picture: Option<String>,
    pub totp: bool,
    pub email_otp: bool,
    pub passkeys: usize,
    /// Wrong passwords counted since the last success (on browsers not known to the account).
    pub failed_attempts: i32,
    pub sessions: Vec<SessionView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub sid: String,
    pub auth_time: i64,
    pub expires_at: i64,
    pub acr: String,
    pub amr: Vec<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
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

pub async fn search(ctx: &Ctx, q: Option<&str>, paging: Paging) -> Result<ListPage<UserView>, AppError> {
    let paging = paging.clamped();
    let (users, total) = ctx.store.search_users(q, paging.per_page, paging.offset()).await?;
    Ok(ListPage { items: users.iter().map(UserView::from).collect(), total, page: paging.page, per_page: paging.per_page })
}

pub async fn find(ctx: &Ctx, id: &str) -> Result<User, AppError> {
    ctx.store.user_by_id(id).await?.ok_or_else(|| AppError::NotFound(format!("no account with id {id:?}")))
}

/// The account with this email address (the CLI names accounts by email).
pub async fn find_by_email(ctx: &Ctx, email: &str) -> Result<User, AppError> {
    ctx.store.user_by_email(&normalize_email(email)).await?.ok_or_else(|| AppError::NotFound(format!("no account for {email}")))
}

pub async fn detail(ctx: &Ctx, id: &str) -> Result<UserDetail, AppError> {
    let user = find(ctx, id).await?;
    let now = ctx.now();
    let sessions = ctx.store.sessions_of(&user.id, now).await?;
    Ok(UserDetail {
        picture: user.picture.as_deref().map(|id| crate::account::picture::url(ctx.config.issuer(), id)),
        totp: ctx.store.totp(&user.id).await?.is_some_and(|t| t.confirmed),
        email_otp: user.email_otp_enabled,
        passkeys: ctx.store.passkeys_of(&user.id).await?.len(),
        failed_attempts: ctx.store.attempt_failures(&format!("user:{}", user.id), now).await?,
        sessions: sessions
            .into_iter()
            .map(|s| SessionView {
                amr: session::amr_list(&s),
                sid: s.sid,
                auth_time: s.auth_time,
                expires_at: s.expires_at,
                acr: s.acr,
                ip: s.ip,
                user_agent: s.user_agent,
            })
            .collect(),
        user: UserView::from(&user),
    })
}

/// Creates an active account with a verified email (an administrator vouches for it).
pub async fn create(ctx: &Ctx, new: NewUser, actor: &Actor, meta: &RequestMeta) -> Result<User, AppError> {
    let email = normalize_email(&new.email);
    let mut problems = Vec::new();
    if !valid_email(&email) {
        problems.push(format!("email: {:?} is not an email address", new.email));
    }
    // The policy's length; the strength rules are for passwords people choose themselves
    // (an initial password is for handing over and changing).
    let min = ctx.policy().accounts.password_min_length;
    let max = password_policy::PASSWORD_MAX;
    if !(min..=max).contains(&new.password.chars().count()) {
        problems.push(format!("password: must be {min} to {max} characters"));
    }
    if !problems.is_empty() {
        return Err(AppError::BadRequest(problems));
    }
    let hash = ctx.hasher.hash(new.password).await.map_err(|e| match e {
        HashError::Busy => AppError::Internal("password hashing is busy".into()),
        HashError::Failed(e) => AppError::Internal(e),
    })?;
    let now = ctx.now();
    let text = |value: Option<String>| value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        email,
        email_verified: true,
        password_hash: Some(hash),
        given_name: text(new.given_name),
        family_name: text(new.family_name),
        locale: text(new.locale),
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
        admin: false,
        login_code_channel: "email".into(),
        picture: None,
    };
    match ctx.store.insert_user(&user).await {
        Ok(()) => {}
        Err(StoreError::Conflict { .. }) => return Err(AppError::Conflict(format!("an account for {} already exists", user.email))),
        Err(e) => return Err(e.into()),
    }
    record(ctx, actor, meta, "user_created", Subject::user(&user.id), None, Some(audit_view(&user))).await;
    Ok(user)
}

pub async fn set_disabled(ctx: &Ctx, id: &str, disabled: bool, actor: &Actor, meta: &RequestMeta) -> Result<User, AppError> {
    let user = find(ctx, id).await?;
    if disabled && is_self(actor, &user) {
        return Err(AppError::Forbidden("you cannot disable your own account; ask another administrator".into()));
    }
    ctx.store.set_user_disabled(&user.id, disabled, ctx.now()).await?;
    if disabled {
        session::end_all(ctx, &user.id, "account_disabled").await?;
    }
    let event = if disabled { "user_disabled" } else { "user_enabled" };
    let after = User { disabled, ..user.clone() };
    record(ctx, actor, meta, event, Subject::user(&user.id), Some(serde_json::json!({ "disabled": user.disabled })), Some(serde_json::json!({ "disabled": disabled }))).await;
    Ok(after)
}

/// Gives or takes the admin role. The last active administrator keeps it, so that
/// somebody can still run the console.
pub async fn set_admin(ctx: &Ctx, id: &str, admin: bool, actor: &Actor, meta: &RequestMeta) -> Result<User, AppError> {
    // A leaked automation secret must not turn into a person's lasting admin access.
    if let Actor::Client { .. } = actor {
        return Err(AppError::Forbidden("the admin role is given and taken by administrators (or `oneid users grant-admin`), not by automation clients".into()));
    }
    let user = find(ctx, id).await?;
    if !admin && user.admin && !user.disabled && ctx.store.count_admins().await? <= 1 {
        return Err(AppError::Conflict("this is the last administrator; make somebody else an administrator first".into()));
    }
    ctx.store.set_user_admin(&user.id, admin, ctx.now()).await?;
    let event = if admin { "admin_granted" } else { "admin_revoked" };
    record(ctx, actor, meta, event, Subject::user(&user.id), Some(serde_json::json!({ "admin": user.admin })), Some(serde_json::json!({ "admin": admin }))).await;
    Ok(User { admin, ..user })
}

/// Lifts a lockout (on the account and on each of its known browsers).
pub async fn unlock(ctx: &Ctx, id: &str, actor: &Actor, meta: &RequestMeta) -> Result<u64, AppError> {
    let user = find(ctx, id).await?;
    let cleared = crate::auth::lockout::unlock(ctx, &user.id).await?;
    record(ctx, actor, meta, "user_unlocked", Subject::user(&user.id), None, Some(serde_json::json!({ "locks_cleared": cleared }))).await;
    Ok(cleared)
}

/// Emails the owner a password reset link (in their language, from the default brand).
pub async fn send_password_reset(ctx: &Ctx, id: &str, actor: &Actor, meta: &RequestMeta) -> Result<(), AppError> {
    let user = find(ctx, id).await?;
    if user.disabled {
        return Err(AppError::Conflict("the account is disabled; enable it first".into()));
    }
    crate::account::recovery::send_reset(ctx, &user).await.map_err(|e| AppError::Internal(e.to_string()))?;
    record(ctx, actor, meta, "password_reset_sent", Subject::user(&user.id), None, None).await;
    Ok(())
}

/// Ends every session of the user and revokes every grant (apps and devices sign in again).
pub async fn revoke_sessions(ctx: &Ctx, id: &str, actor: &Actor, meta: &RequestMeta) -> Result<usize, AppError> {
    let user = find(ctx, id).await?;
    let sessions = ctx.store.sessions_of(&user.id, ctx.now()).await?.len();
    session::end_all(ctx, &user.id, "revoked_by_administrator").await?;
    record(ctx, actor, meta, "user_sessions_revoked", Subject::user(&user.id), Some(serde_json::json!({ "sessions": sessions })), Some(serde_json::json!({ "sessions": 0 }))).await;
    Ok(sessions)
}

/// Deletes the account and everything that belongs to it.
pub async fn delete(ctx: &Ctx, id: &str, actor: &Actor, meta: &RequestMeta) -> Result<(), AppError> {
    let user = find(ctx, id).await?;
    if is_self(actor, &user) {
        return Err(AppError::Forbidden("you cannot delete your own account here; use the account page".into()));
    }
    if user.admin && !user.disabled && ctx.store.count_admins().await? <= 1 {
        return Err(AppError::Conflict("this is the last administrator; make somebody else an administrator first".into()));
    }
    session::end_all(ctx, &user.id, "account_deleted").await?;
    record(ctx, actor, meta, "user_deleted", Subject::user(&user.id), Some(audit_view(&user)), None).await;
    // Events still queued must be stored before the account's rows go.
    ctx.store.flush_audit().await;
    ctx.store.delete_user(&user.id).await?;
    Ok(())
}

/// What the audit log keeps of an account: its pseudonymous id and flags, no personal
/// data, so that erasing the account (deletion) leaves nothing personal behind.
fn audit_view(user: &User) -> serde_json::Value {
    serde_json::json!({ "id": user.id, "email_verified": user.email_verified, "disabled": user.disabled, "admin": user.admin })
}

fn is_self(actor: &Actor, user: &User) -> bool {
    matches!(actor, Actor::User { id, .. } if *id == user.id)
}

/// Whether `answer` matches the account's security question (support-line check).
pub async fn check_answer(ctx: &Ctx, email: &str, answer: &str, meta: &RequestMeta) -> Result<Option<bool>, AppError> {
    let user = find_by_email(ctx, email).await?;
    crate::account::question::check(ctx, &user, answer, meta).await.map_err(|e| AppError::Internal(e.to_string()))
}
