//! The account API's rules (F12 for apps): who may call it (an access token of the
//! user's own sign-in with the `account` scope), which changes need a recent sign-in
//! (RFC 9470 step-up), and the account as the API shows it. The changes themselves are
//! the account pages' services, with the same checks, audit events and emails.

use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::RequestMeta;
use crate::auth::session::RECENT;
use crate::protocol::access_token::AccessClaims;
use crate::state::Ctx;
use crate::store::{StoreError, User};

use super::{AccountError, fields};

/// The scope an access token needs for the account API.
pub const SCOPE: &str = "account";

/// Why a token cannot use the account API.
#[derive(Debug)]
pub enum Refused {
    /// The token lacks the `account` scope (RFC 6750 `insufficient_scope`).
    Scope,
    /// A client's own token (client credentials): there is no account.
    NoUser,
    /// The account is gone or disabled.
    Inactive,
    Store(StoreError),
}

/// The account of a token that may use the API.
pub async fn caller(ctx: &Ctx, claims: &AccessClaims) -> Result<User, Refused> {
    if !claims.scope.split(' ').any(|s| s == SCOPE) {
        return Err(Refused::Scope);
    }
    if claims.gid.is_none() {
        return Err(Refused::NoUser);
    }
    match ctx.store.user_by_id(&claims.sub).await.map_err(Refused::Store)? {
        Some(user) if !user.disabled => Ok(user),
        _ => Err(Refused::Inactive),
    }
}

/// Whether the token's sign-in is recent enough for deleting the account or changing
/// the password; otherwise the app signs in again with `max_age` (see [`RECENT`]).
pub fn recent(ctx: &Ctx, claims: &AccessClaims) -> bool {
    claims.auth_time.is_some_and(|at| ctx.now() - at <= RECENT)
}

/// The personal data fields, as the profile form names them.
pub const PROFILE_FIELDS: &[&str] = &["salutation", "given_name", "family_name", "country", "locale", "phone_number", "street_address", "postal_code", "locality"];

/// Changes the personal data fields named in `changes` (`None` clears one) and keeps the
/// others, by the account page's rules (`profile::update`). Names that are not
/// [`PROFILE_FIELDS`] are the caller's to refuse.
pub async fn change_profile(ctx: &Ctx, user: &User, changes: &[(&str, Option<String>)], meta: &RequestMeta) -> Result<User, AccountError> {
    let mut values = profile_values(user);
    for (name, value) in changes {
        if let Some(slot) = values.iter_mut().find(|(n, _)| n == name) {
            slot.1 = value.clone();
        }
    }
    let field = |name: &str| values.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v.as_deref());
    super::profile::update(ctx, user, &field, meta).await
}

/// The account's personal data as form values, for changes that name only some fields.
fn profile_values(user: &User) -> Vec<(&'static str, Option<String>)> {
    let (street, postal_code, locality) = fields::address_parts(user.address.as_deref());
    let some = |v: String| Some(v).filter(|v| !v.is_empty());
    vec![
        ("salutation", user.salutation.clone()),
        ("given_name", user.given_name.clone()),
        ("family_name", user.family_name.clone()),
        ("country", user.country.clone()),
        ("locale", user.locale.clone()),
        ("phone_number", user.phone_number.clone()),
        ("street_address", some(street)),
        ("postal_code", some(postal_code)),
        ("locality", some(locality)),
    ]
}

/// The account as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub sub: String,
    pub email: String,
    pub email_verified: bool,
    pub salutation: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub country: Option<String>,
    pub locale: Option<String>,
    pub phone_number: Option<String>,
    pub phone_number_verified: bool,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub locality: Option<String>,
    /// The profile picture's URL, if there is one.
    pub picture: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub second_factor: SecondFactor,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SecondFactor {
    /// A code by email or text is asked at every sign-in.
    pub sign_in_codes: bool,
    /// `email` or `sms` (to the verified mobile number).
    pub login_code_channel: String,
    pub authenticator_app: bool,
    pub passkeys: usize,
}

pub async fn me(ctx: &Ctx, user: &User) -> Result<Me, StoreError> {
    let values = profile_values(user);
    let value = |name: &str| values.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v.clone());
    Ok(Me {
        street_address: value("street_address"),
        postal_code: value("postal_code"),
        locality: value("locality"),
        sub: user.id.clone(),
        email: user.email.clone(),
        email_verified: user.email_verified,
        salutation: user.salutation.clone(),
        given_name: user.given_name.clone(),
        family_name: user.family_name.clone(),
        country: user.country.clone(),
        locale: user.locale.clone(),
        phone_number: user.phone_number.clone(),
        phone_number_verified: user.phone_number_verified,
        picture: user.picture.as_deref().map(|id| super::picture::url(ctx.config.issuer(), id)),
        created_at: user.created_at,
        updated_at: user.updated_at,
        second_factor: SecondFactor {
            sign_in_codes: user.email_otp_enabled,
            login_code_channel: user.login_code_channel.clone(),
            authenticator_app: ctx.store.totp(&user.id).await?.is_some_and(|t| t.confirmed),
            passkeys: ctx.store.passkeys_of(&user.id).await?.len(),
        },
    })
}
