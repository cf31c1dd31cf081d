//! Registering, changing and removing clients, and rotating their secrets. Secrets are
//! generated here (256 random bits), returned once and stored only as a hash. Clients
//! declared in the config file are changed there and refused here.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::audit::RequestMeta;
use crate::config::ClientConfig;
use crate::crypto;
use crate::error::AppError;
use crate::protocol::client_metadata::{self, MANAGED_BY_CONFIG, MANAGED_BY_DATABASE};
use crate::state::Ctx;
use crate::store::{ClientRecord, StoreError};

use super::{Actor, ListPage, Paging, Subject, record, snapshot};

/// Whether the definition authenticates with a secret.
fn uses_secret(spec: &ClientConfig) -> bool {
    matches!(spec.token_endpoint_auth_method.as_deref(), Some("client_secret_basic" | "client_secret_post"))
}

/// Secrets come from oneid (256 random bits), never from the administrator.
fn no_secret_given(spec: &ClientConfig) -> Result<(), AppError> {
    match spec.secret {
        Some(_) => Err(AppError::bad_request("secret: oneid generates client secrets; leave it out (and name token_endpoint_auth_method)")),
        None => Ok(()),
    }
}

/// A registered client as administrators see it: everything but its secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClientView {
    pub id: String,
    pub name: String,
    pub token_endpoint_auth_method: String,
    /// Whether the client has a secret (its value is never shown again).
    pub has_secret: bool,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    pub grant_types: Vec<String>,
    pub brand: String,
    pub id_token_signed_response_alg: String,
    pub skip_consent: bool,
    #[schema(value_type = Option<Object>)]
    pub jwks: Option<Value>,
    pub jwks_uri: Option<String>,
    pub backchannel_logout_uri: Option<String>,
    pub backchannel_logout_session_required: bool,
    pub require_pushed_authorization_requests: bool,
    pub dpop_bound_access_tokens: bool,
    pub access_token_ttl: Option<i64>,
    pub refresh_token_ttl: Option<i64>,
    /// `config` (declared in the config file, read-only here) or `database`.
    pub managed_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<&ClientRecord> for ClientView {
    fn from(c: &ClientRecord) -> Self {
        let list = |json: &str| serde_json::from_str::<Vec<String>>(json).unwrap_or_default();
        ClientView {
            id: c.id.clone(),
            name: c.name.clone(),
            token_endpoint_auth_method: c.auth_method.clone(),
            has_secret: c.secret_hash.is_some(),
            redirect_uris: list(&c.redirect_uris),
            post_logout_redirect_uris: list(&c.post_logout_redirect_uris),
            scopes: c.scopes.split_whitespace().map(str::to_string).collect(),
            grant_types: c.grant_types.split_whitespace().map(str::to_string).collect(),
            brand: c.brand.clone(),
            id_token_signed_response_alg: c.id_token_alg.clone(),
            skip_consent: c.skip_consent,
            jwks: c.jwks.as_deref().and_then(|j| serde_json::from_str(j).ok()),
            jwks_uri: c.jwks_uri.clone(),
            backchannel_logout_uri: c.backchannel_logout_uri.clone(),
            backchannel_logout_session_required: c.backchannel_logout_session_required,
            require_pushed_authorization_requests: c.require_pushed_authorization_requests,
            dpop_bound_access_tokens: c.dpop_bound_access_tokens,
            access_token_ttl: c.access_token_ttl,
            refresh_token_ttl: c.refresh_token_ttl,
            managed_by: c.managed_by.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

impl ClientView {
    /// The definition that registers this client again, for an edit form.
    pub fn spec(&self) -> ClientConfig {
        ClientConfig {
            id: self.id.clone(),
            secret: None,
            name: Some(self.name.clone()),
            token_endpoint_auth_method: Some(self.token_endpoint_auth_method.clone()),
            redirect_uris: self.redirect_uris.clone(),
            post_logout_redirect_uris: self.post_logout_redirect_uris.clone(),
            scopes: Some(self.scopes.clone()),
            grant_types: Some(self.grant_types.clone()),
            brand: Some(self.brand.clone()),
            id_token_signed_response_alg: Some(self.id_token_signed_response_alg.clone()),
            skip_consent: self.skip_consent,
            jwks: self.jwks.clone(),
            jwks_uri: self.jwks_uri.clone(),
            backchannel_logout_uri: self.backchannel_logout_uri.clone(),
            backchannel_logout_session_required: self.backchannel_logout_session_required,
            require_pushed_authorization_requests: self.require_pushed_authorization_requests,
            dpop_bound_access_tokens: self.dpop_bound_access_tokens,
            access_token_ttl: self.access_token_ttl,
            refresh_token_ttl: self.refresh_token_ttl,
        }
    }
}

/// A client and, when one was just generated, its secret (shown once, never stored).
#[derive(Debug, Serialize, ToSchema)]
pub struct WithSecret {
    pub client: ClientView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

/// Clients whose id or name contains `q` (any case).
pub async fn list(ctx: &Ctx, q: Option<&str>, paging: Paging) -> Result<ListPage<ClientView>, AppError> {
    let q = q.map(str::trim).filter(|q| !q.is_empty()).map(str::to_lowercase);
    let all = ctx.store.all_clients().await?;
    let matching = all
        .iter()
        .filter(|c| q.as_ref().is_none_or(|q| c.id.to_lowercase().contains(q) || c.name.to_lowercase().contains(q)))
        .map(ClientView::from)
        .collect();
    Ok(paging.slice(matching))
}

pub async fn get(ctx: &Ctx, id: &str) -> Result<ClientView, AppError> {
    Ok(ClientView::from(&find(ctx, id).await?))
}

async fn find(ctx: &Ctx, id: &str) -> Result<ClientRecord, AppError> {
    ctx.store.client_by_id(id).await?.ok_or_else(|| AppError::NotFound(format!("no client with id {id:?}")))
}

async fn editable(ctx: &Ctx, id: &str) -> Result<ClientRecord, AppError> {
    let client = find(ctx, id).await?;
    if client.managed_by == MANAGED_BY_CONFIG {
        return Err(AppError::Forbidden(format!("client {id:?} is declared in the config file; change it there")));
    }
    if client.managed_by != MANAGED_BY_DATABASE {
        return Err(AppError::Forbidden(format!("client {id:?} is built into oneid and cannot be changed")));
    }
    Ok(client)
}

fn check_brand(ctx: &Ctx, spec: &ClientConfig) -> Result<(), AppError> {
    match &spec.brand {
        Some(brand) if !ctx.brands.exists(brand) => Err(AppError::BadRequest(vec![format!("brand: there is no brand {brand:?}")])),
        _ => Ok(()),
    }
}

/// Registers a client; a client authenticating with a secret gets a generated one.
pub async fn create(ctx: &Ctx, mut spec: ClientConfig, actor: &Actor, meta: &RequestMeta) -> Result<WithSecret, AppError> {
    no_secret_given(&spec)?;
    check_brand(ctx, &spec)?;
    if spec.id.is_empty() {
        spec.id = uuid::Uuid::new_v4().to_string();
    }
    let secret = uses_secret(&spec).then(client_metadata::generate_secret);
    spec.secret = secret.clone();
    let client = client_metadata::validate(&spec, &ctx.policy(), MANAGED_BY_DATABASE, ctx.now()).map_err(AppError::BadRequest)?;
    match ctx.store.insert_client(&client).await {
        Ok(()) => {}
        Err(StoreError::Conflict { .. }) => return Err(AppError::Conflict(format!("a client with id {:?} already exists", client.id))),
        Err(e) => return Err(e.into()),
    }
    let view = ClientView::from(&client);
    record(ctx, actor, meta, "client_created", Subject::client(&client.id), None, snapshot(&view)).await;
    ctx.clients.reload().await?;
    Ok(WithSecret { client: view, client_secret: secret })
}

/// Replaces a client's registration (an empty id in `spec` means this one). A client
/// that keeps authenticating with a secret keeps its secret; one that starts to gets a
/// generated one.
pub async fn update(ctx: &Ctx, id: &str, mut spec: ClientConfig, actor: &Actor, meta: &RequestMeta) -> Result<WithSecret, AppError> {
    if !spec.id.is_empty() && spec.id != id {
        return Err(AppError::bad_request("id: a client's id cannot change; create a new client instead"));
    }
    no_secret_given(&spec)?;
    check_brand(ctx, &spec)?;
    let existing = editable(ctx, id).await?;
    let keeps_secret = uses_secret(&spec) && existing.secret_hash.is_some();
    let generated = uses_secret(&spec).then(client_metadata::generate_secret);
    spec.id = id.to_string();
    spec.secret = generated.clone();
    let mut client = client_metadata::validate(&spec, &ctx.policy(), MANAGED_BY_DATABASE, ctx.now()).map_err(AppError::BadRequest)?;
    client.created_at = existing.created_at;
    let new_secret = if keeps_secret {
        client.secret_hash = existing.secret_hash.clone();
        None
    } else {
        generated
    };
    ctx.store.upsert_client(&client).await?;
    let view = ClientView::from(&client);
    record(ctx, actor, meta, "client_updated", Subject::client(id), snapshot(&ClientView::from(&existing)), snapshot(&view)).await;
    ctx.clients.reload().await?;
    Ok(WithSecret { client: view, client_secret: new_secret })
}

/// Removes a client with everything issued to it.
pub async fn remove(ctx: &Ctx, id: &str, actor: &Actor, meta: &RequestMeta) -> Result<(), AppError> {
    let existing = editable(ctx, id).await?;
    ctx.store.delete_client(id).await?;
    record(ctx, actor, meta, "client_removed", Subject::client(id), snapshot(&ClientView::from(&existing)), None).await;
    ctx.clients.reload().await?;
    Ok(())
}

/// Replaces a confidential client's secret and returns the new one (shown once).
pub async fn rotate_secret(ctx: &Ctx, id: &str, actor: &Actor, meta: &RequestMeta) -> Result<String, AppError> {
    let client = editable(ctx, id).await?;
    if client.secret_hash.is_none() {
        return Err(AppError::bad_request(format!("client {id:?} does not authenticate with a secret")));
    }
    let secret = client_metadata::generate_secret();
    ctx.store.set_client_secret_hash(id, &crypto::token_hash(&secret), ctx.now()).await?;
    record(ctx, actor, meta, "client_secret_rotated", Subject::client(id), None, None).await;
    ctx.clients.reload().await?;
    Ok(secret)
}
