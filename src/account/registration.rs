//! Registration and activation (F10). A new account waits for its owner to open the
//! activation link; until then it cannot sign in. Registering an address that already
//! has an account shows the same page and takes the same time, and the address's owner
//! gets an email about it instead (no user enumeration). An address whose account was
//! never activated is nobody's yet: registering it again replaces the waiting data and
//! the old links, so whoever registered first cannot keep a claim on somebody else's
//! address.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::auth::login::normalize_email;
use crate::auth::password_policy;
use crate::paths;
use crate::state::Ctx;
use crate::store::{StoreError, User};

use super::fields::{self, FieldErrors};
use super::links::{self, Purpose};
use super::{AccountError, Origin, greeting_name, send};

/// The submitted registration form.
pub struct Form<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub terms_accepted: bool,
    pub field: &'a (dyn Fn(&str) -> Option<&'a str> + Sync),
}

/// Checks the form and registers the account, or tells an existing owner. Either way
/// the person is told to check their email.
pub async fn register(ctx: &Ctx, form: Form<'_>, origin: Origin<'_>, meta: &RequestMeta) -> Result<(), AccountError> {
    if !ctx.policy().accounts.registration {
        return Err(AccountError::Internal("registration is turned off".into()));
    }
    let mut errors = FieldErrors::new();
    let email = normalize_email(form.email);
    if email.is_empty() {
        errors.insert("email", "field-required");
    } else if !crate::admin::users::valid_email(&email) {
        errors.insert("email", "email-invalid");
    }
    let profile = fields::profile(form.field, &mut errors);
    if !form.terms_accepted {
        errors.insert("terms", "terms-required");
    }
    let personal = [email.as_str(), profile.given_name.as_str(), profile.family_name.as_str()];
    if let Err(problem) = password_policy::check(form.password, ctx.policy().accounts.password_min_length, &personal) {
        errors.insert("password", problem.message());
    }
    if !errors.is_empty() {
        return Err(AccountError::Fields(errors));
    }
    // Hash before looking: every outcome costs the same argon2 run.
    let hash = ctx.hasher.hash(form.password.to_string()).await?;
    let now = ctx.now();
    let existing = ctx.store.user_by_email(&email).await?;
    if let Some(user) = existing.as_ref().filter(|u| u.email_verified) {
        let detail = origin.detail();
        let link = links::url(ctx, paths::PASSWORD_FORGOT, None, &detail);
        send(ctx, &user.email, &detail, "already_registered", greeting_name(user), Some(link), &[]);
        ctx.audit("registration_for_existing_account", meta, Some(&user.id), None, json!({})).await;
        return Ok(());
    }
    let user = User {
        id: existing.as_ref().map_or_else(|| uuid::Uuid::new_v4().to_string(), |u| u.id.clone()),
        email,
        email_verified: false,
        password_hash: Some(hash),
        given_name: Some(profile.given_name),
        family_name: Some(profile.family_name),
        locale: Some(profile.locale),
        phone_number: profile.phone_number,
        phone_number_verified: false,
        address: profile.address,
        disabled: false,
        created_at: existing.as_ref().map_or(now, |u| u.created_at),
        updated_at: now,
        salutation: profile.salutation,
        country: Some(profile.country),
        terms_accepted_at: Some(now),
        email_otp_enabled: false,
        security_question: None,
        security_answer_hash: None,
        passkey_handle: None,
        admin: false,
        login_code_channel: "email".into(),
        picture: None,
    };
    match &existing {
        Some(_) => {
            ctx.store.replace_unverified_user(&user).await?;
            links::revoke_all(ctx, &user.id, Purpose::Activation).await?;
        }
        None => match ctx.store.insert_user(&user).await {
            Ok(()) => {}
            // Registered a moment ago by a concurrent request: that one sends the mail.
            Err(StoreError::Conflict { .. }) => return Ok(()),
            Err(e) => return Err(e.into()),
        },
    }
    send_activation(ctx, &user, origin).await?;
    ctx.audit("user_registered", meta, Some(&user.id), None, json!({ "replaced_unverified": existing.is_some() })).await;
    Ok(())
}

async fn send_activation(ctx: &Ctx, user: &User, origin: Origin<'_>) -> Result<(), AccountError> {
    let detail = origin.detail();
    let token = links::issue(ctx, &user.id, Purpose::Activation, &detail, ctx.policy().accounts.activation_ttl).await?;
    let link = links::url(ctx, paths::ACTIVATE, Some(&token), &detail);
    send(ctx, &user.email, &detail, "activation", greeting_name(user), Some(link), &[]);
    Ok(())
}

/// "Send a new activation email": only for an account that waits for activation, and
/// not more often than the cooldown allows. The answer is the same in every case.
pub async fn resend(ctx: &Ctx, email: &str, origin: Origin<'_>, meta: &RequestMeta) -> Result<(), AccountError> {
    let Some(user) = ctx.store.user_by_email(&normalize_email(email)).await? else { return Ok(()) };
    if user.email_verified || user.disabled {
        return Ok(());
    }
    let recent = links::last_sent(ctx, &user.id, Purpose::Activation).await?;
    if recent.is_some_and(|at| ctx.now() - at < ctx.policy().accounts.resend_cooldown) {
        return Ok(());
    }
    send_activation(ctx, &user, origin).await?;
    ctx.audit("activation_resent", meta, Some(&user.id), None, json!({})).await;
    Ok(())
}

/// An activated account, and the sign-in to continue if the link carried one.
pub struct Activated {
    pub user: User,
    pub request: Option<String>,
}

/// Uses an activation link. `None` when the link is unknown, expired or used.
pub async fn activate(ctx: &Ctx, token: &str, meta: &RequestMeta) -> Result<Option<Activated>, AccountError> {
    let Some(link) = links::take(ctx, token, Purpose::Activation).await? else { return Ok(None) };
    if !ctx.store.verify_email(&link.user_id, ctx.now()).await? {
        return Ok(None);
    }
    links::revoke_all(ctx, &link.user_id, Purpose::Activation).await?;
    let Some(user) = ctx.store.user_by_id(&link.user_id).await?.filter(|u| !u.disabled) else { return Ok(None) };
    ctx.audit("account_activated", meta, Some(&user.id), None, json!({})).await;
    Ok(Some(Activated { user, request: link.detail.request }))
}

/// A usable activation link (for the page that asks to confirm it): `Some` with the
/// sign-in it continues, if any.
pub async fn activation_pending(ctx: &Ctx, token: &str) -> Result<Option<Option<String>>, AccountError> {
    Ok(links::peek(ctx, token, Purpose::Activation).await?.map(|link| link.detail.request))
}
