//! Administration (F50–F52): clients, users, brands, policies, signing keys and the
//! audit log. The CLI, the admin API and the settings console call these same
//! functions; each change is recorded with who made it and the values before and
//! after (never a secret).

pub mod audit;
pub mod brands;
pub mod clients;
pub mod console;
pub mod keys;
pub mod policy;
pub mod users;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::audit::RequestMeta;
use crate::state::Ctx;

/// Who makes an administrative change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// An administrator, through the console or with an admin-scoped token.
    User { id: String, email: String },
    /// An automation client with its own token (client credentials).
    Client { id: String },
    /// The `oneid` command on the server.
    Cli,
}

impl Actor {
    /// How the audit log names the actor.
    pub fn label(&self) -> String {
        match self {
            Actor::User { id, .. } => format!("user:{id}"),
            Actor::Client { id } => format!("client:{id}"),
            Actor::Cli => "cli".into(),
        }
    }
}

/// A page of a list: 1-based `page`, at most `MAX_PER_PAGE` items.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// The page, from 1.
    #[serde(default = "first_page")]
    pub page: u64,
    /// Items per page, 1 to 100.
    #[serde(default = "default_per_page")]
    pub per_page: u64,
}

pub const MAX_PER_PAGE: u64 = 100;
/// Far beyond any list; keeps offsets from overflowing.
const MAX_PAGE: u64 = 1_000_000;

fn first_page() -> u64 {
    1
}

fn default_per_page() -> u64 {
    20
}

impl Default for Paging {
    fn default() -> Self {
        Paging { page: 1, per_page: default_per_page() }
    }
}

impl Paging {
    /// Out-of-range values are clamped, not refused: a list is still a list.
    pub fn clamped(self) -> Paging {
        Paging { page: self.page.clamp(1, MAX_PAGE), per_page: self.per_page.clamp(1, MAX_PER_PAGE) }
    }

    pub fn offset(self) -> u64 {
        self.page.saturating_sub(1).saturating_mul(self.per_page)
    }

    /// One page of items already in memory.
    pub fn slice<T>(self, all: Vec<T>) -> ListPage<T> {
        let paging = self.clamped();
        let total = all.len() as u64;
        let items = all.into_iter().skip(paging.offset() as usize).take(paging.per_page as usize).collect();
        ListPage { items, total, page: paging.page, per_page: paging.per_page }
    }
}

/// One page of a list and where it is in the whole.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    /// Items in the whole list (with the same filters).
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> ListPage<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page).max(1)
    }
}

/// Records an administrative change: who, what, and the values before and after.
pub async fn record(ctx: &Ctx, actor: &Actor, meta: &RequestMeta, event: &'static str, subject: Subject<'_>, before: Option<Value>, after: Option<Value>) {
    let detail = json!({ "before": before, "after": after });
    ctx.audit_as(Some(actor.label()), event, meta, subject.user_id, subject.client_id, detail).await;
}

/// What an audited change is about.
#[derive(Default, Clone, Copy)]
pub struct Subject<'a> {
    pub user_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
}

impl<'a> Subject<'a> {
    pub fn user(id: &'a str) -> Self {
        Subject { user_id: Some(id), client_id: None }
    }

    pub fn client(id: &'a str) -> Self {
        Subject { user_id: None, client_id: Some(id) }
    }

    pub fn none() -> Self {
        Subject::default()
    }
}

/// A value as JSON for the audit log.
pub fn snapshot(value: &impl Serialize) -> Option<Value> {
    serde_json::to_value(value).ok()
}

/// Who may call the admin API with this access token: an administrator's token with the
/// `oneid:admin` scope from a strong sign-in (see [`strong_sign_in`]), checked against
/// the account now rather than when the token was made; or the own token of a client
/// that is still registered for `oneid:admin:automation` and client credentials.
pub async fn caller(ctx: &Ctx, claims: &crate::protocol::access_token::AccessClaims) -> Result<Actor, crate::error::AppError> {
    use crate::error::AppError;
    use crate::protocol::clients::GrantType;
    use crate::protocol::scopes::{ADMIN, ADMIN_AUTOMATION};
    let has = |scope: &str| claims.scope.split(' ').any(|s| s == scope);
    if claims.gid.is_none() {
        let client = ctx.clients.get(&claims.client_id).await?;
        let still_allowed = client.is_some_and(|c| c.scopes.contains(ADMIN_AUTOMATION) && c.allows(GrantType::ClientCredentials));
        return if has(ADMIN_AUTOMATION) && still_allowed {
            Ok(Actor::Client { id: claims.client_id.clone() })
        } else {
            Err(AppError::Forbidden(format!("this client token lacks the {ADMIN_AUTOMATION} scope")))
        };
    }
    if !has(ADMIN) {
        return Err(AppError::Forbidden(format!("this access token lacks the {ADMIN} scope")));
    }
    let user = match ctx.store.user_by_id(&claims.sub).await? {
        Some(user) if user.admin && !user.disabled => user,
        _ => return Err(AppError::Forbidden("this account is not an administrator".into())),
    };
    let amr = claims.amr.clone().unwrap_or_default();
    if !strong_sign_in(ctx, &user, claims.acr.as_deref().unwrap_or(""), &amr).await? {
        return Err(AppError::Forbidden("administration needs a sign-in with a passkey or an authenticator app".into()));
    }
    Ok(Actor::User { id: user.id, email: user.email })
}

/// Whether a sign-in is strong enough to administer oneid: with a passkey (the
/// phishing-resistant `acr`), or with the authenticator app, which is the `otp` second
/// factor of every account that has one (such accounts cannot use an emailed code).
pub async fn strong_sign_in(ctx: &Ctx, user: &crate::store::User, acr: &str, amr: &[String]) -> Result<bool, crate::store::StoreError> {
    use crate::auth::acr::{AMR_MFA, AMR_OTP, PHISHING_RESISTANT};
    if acr == PHISHING_RESISTANT {
        return Ok(true);
    }
    let otp = amr.iter().any(|m| m == AMR_OTP) && amr.iter().any(|m| m == AMR_MFA);
    Ok(otp && ctx.store.totp(&user.id).await?.is_some_and(|t| t.confirmed))
}

/// The numbers on the console's first page.
#[derive(Debug, Serialize)]
pub struct Overview {
    pub users: u64,
    pub clients: usize,
    pub brands: usize,
    /// Keys that sign or still verify tokens.
    pub keys: usize,
}

pub async fn overview(ctx: &Ctx) -> Result<Overview, crate::error::AppError> {
    Ok(Overview {
        users: ctx.store.count_users().await?,
        clients: ctx.store.all_clients().await?.len(),
        brands: ctx.brands.all().len(),
        keys: ctx.store.signing_keys_published(ctx.now()).await?.len(),
    })
}
