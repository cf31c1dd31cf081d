//! Accounts (F10–F15): registration and activation, forgotten passwords, the profile,
//! email changes, export and deletion. Each operation checks its input field by field,
//! stores what it must, and sends its emails through the background mailer, so a mail
//! problem never undoes or loses what the person entered.

pub mod api;
pub mod deletion;
pub mod fields;
pub mod intrusion;
pub mod links;
pub mod picture;
pub mod profile;
pub mod question;
pub mod recovery;
pub mod registration;
pub mod security;

use minijinja::Value;

use crate::auth::password::HashError;
use crate::mail::Mail;
use crate::state::Ctx;
use crate::store::{StoreError, User};

use fields::FieldErrors;
use links::Detail;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Problems to show next to the fields.
    #[error("the form has problems: {0:?}")]
    Fields(FieldErrors),
    #[error("too many password checks in progress")]
    Busy,
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        AccountError::Internal(e.to_string())
    }
}

impl From<HashError> for AccountError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => AccountError::Busy,
            HashError::Failed(e) => AccountError::Internal(e),
        }
    }
}

impl AccountError {
    pub fn field(name: &'static str, message: &'static str) -> AccountError {
        AccountError::Fields(FieldErrors::from([(name, message)]))
    }
}

/// Where the person is coming from: the brand and language of their pages, and the
/// sign-in they started, to continue after an emailed link.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub brand: &'a str,
    pub lang: &'a str,
    pub request: Option<&'a str>,
}

impl Origin<'_> {
    fn detail(&self) -> Detail {
        Detail { brand: self.brand.to_string(), lang: self.lang.to_string(), request: self.request.map(str::to_string), ..Default::default() }
    }
}

/// The name an email greets the user with.
fn greeting_name(user: &User) -> Option<String> {
    user.given_name.clone()
}

/// Queues `template` for `to`; a failure to queue is logged, not returned: the change
/// that caused the mail is already stored, and the person can ask for it again.
fn send(ctx: &Ctx, to: &str, detail: &Detail, template: &'static str, name: Option<String>, link: Option<String>, extra: &[(&'static str, &str)]) {
    let brand = ctx.brands.get(Some(&detail.brand));
    let mut values = vec![("name", Value::from(name)), ("link", Value::from(link.clone()))];
    values.extend(extra.iter().map(|(k, v)| (*k, Value::from(*v))));
    let mail = Mail { to, brand: &brand, lang: &detail.lang, template, values, link };
    if let Err(e) = ctx.mailer.send(mail) {
        tracing::error!(template, error = %e, "mail not queued");
    }
}

/// The user's own language for mail that is not a reply to a page (notifications).
fn user_detail(ctx: &Ctx, user: &User, brand: &str) -> Detail {
    let lang = crate::i18n::choose(None, None, user.locale.as_deref(), None);
    let brand = if ctx.brands.exists(brand) { brand } else { crate::brands::DEFAULT_BRAND };
    Detail { brand: brand.to_string(), lang: lang.to_string(), ..Default::default() }
}

/// Tells the owner their account was locked, with a way to reset the password.
pub fn notify_locked(ctx: &Ctx, user: &User, until: crate::clock::UnixTime) {
    let detail = user_detail(ctx, user, crate::brands::DEFAULT_BRAND);
    let link = links::url(ctx, crate::paths::PASSWORD_FORGOT, None, &detail);
    let minutes = ((until - ctx.now()) as f64 / 60.0).ceil().max(1.0).to_string();
    send(ctx, &user.email, &detail, "account_locked", greeting_name(user), Some(link), &[("minutes", &minutes)]);
}

/// Tells the owner an app was signed out after too many wrong PINs.
pub fn notify_pin_locked(ctx: &Ctx, user: &User, app: &str, attempts: i32) {
    let detail = user_detail(ctx, user, crate::brands::DEFAULT_BRAND);
    let link = links::url(ctx, crate::paths::PASSWORD_FORGOT, None, &detail);
    send(ctx, &user.email, &detail, "app_pin_locked", greeting_name(user), Some(link), &[("app", app), ("attempts", &attempts.to_string())]);
}

/// Sends a one-time code (sign-in or turning on two-factor sign-in).
pub fn send_code(ctx: &Ctx, user: &User, brand: &str, lang: &str, code: &str) {
    let detail = Detail { brand: brand.to_string(), lang: lang.to_string(), ..Default::default() };
    send(ctx, &user.email, &detail, "code", greeting_name(user), None, &[("code", code)]);
}

/// Tells the owner a passkey was added to their account.
pub fn notify_passkey_added(ctx: &Ctx, user: &User, name: &str) {
    let detail = user_detail(ctx, user, crate::brands::DEFAULT_BRAND);
    send(ctx, &user.email, &detail, "passkey_added", greeting_name(user), None, &[("passkey", name)]);
}
