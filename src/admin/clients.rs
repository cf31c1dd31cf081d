//! Creating, listing, removing clients and rotating their secrets. Clients declared in
//! the config file are managed there and refused here.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::config::ClientConfig;
use crate::crypto;
use crate::error::AppError;
use crate::protocol::client_metadata::{self, MANAGED_BY_CONFIG, MANAGED_BY_DATABASE};
use crate::state::Ctx;
use crate::store::{ClientRecord, StoreError};

pub struct Created {
    pub client: ClientRecord,
    /// The generated secret of a confidential client; shown once, never stored.
    pub secret: Option<String>,
}

/// Registers a client. A client authenticating with a secret but registered without
/// one gets a generated one.
pub async fn create(ctx: &Ctx, mut spec: ClientConfig, meta: &RequestMeta) -> Result<Created, AppError> {
    let generated = match (&spec.secret, spec.token_endpoint_auth_method.as_deref()) {
        (None, Some(method)) if method != "none" && method != "private_key_jwt" => {
            let secret = client_metadata::generate_secret();
            spec.secret = Some(secret.clone());
            Some(secret)
        }
        _ => None,
    };
    let client = client_metadata::validate(&spec, &ctx.config, MANAGED_BY_DATABASE, ctx.now()).map_err(AppError::BadRequest)?;
    match ctx.store.insert_client(&client).await {
        Ok(()) => {}
        Err(StoreError::Conflict { .. }) => return Err(AppError::Conflict(format!("a client with id {:?} already exists", client.id))),
        Err(e) => return Err(e.into()),
    }
    ctx.audit(
        "client_created",
        meta,
        None,
        Some(&client.id),
        json!({ "auth_method": client.auth_method, "redirect_uris": client.redirect_uris, "grant_types": client.grant_types }),
    )
    .await;
    ctx.clients.reload().await?;
    Ok(Created { client, secret: generated })
}

pub async fn list(ctx: &Ctx) -> Result<Vec<ClientRecord>, AppError> {
    Ok(ctx.store.all_clients().await?)
}

async fn editable(ctx: &Ctx, id: &str) -> Result<ClientRecord, AppError> {
    let client = ctx.store.client_by_id(id).await?.ok_or_else(|| AppError::NotFound(format!("no client with id {id:?}")))?;
    if client.managed_by == MANAGED_BY_CONFIG {
        return Err(AppError::Forbidden(format!("client {id:?} is declared in the config file; change it there")));
    }
    Ok(client)
}

/// Removes a client with everything issued to it.
pub async fn remove(ctx: &Ctx, id: &str, meta: &RequestMeta) -> Result<(), AppError> {
    editable(ctx, id).await?;
    ctx.store.delete_client(id).await?;
    ctx.audit("client_removed", meta, None, Some(id), json!({})).await;
    ctx.clients.reload().await?;
    Ok(())
}

/// Replaces a confidential client's secret and returns the new one (shown once).
pub async fn rotate_secret(ctx: &Ctx, id: &str, meta: &RequestMeta) -> Result<String, AppError> {
    let client = editable(ctx, id).await?;
    if client.secret_hash.is_none() {
        return Err(AppError::bad_request(format!("client {id:?} is public and has no secret")));
    }
    let secret = client_metadata::generate_secret();
    ctx.store.set_client_secret_hash(id, &crypto::token_hash(&secret), ctx.now()).await?;
    ctx.audit("client_secret_rotated", meta, None, Some(id), json!({})).await;
    ctx.clients.reload().await?;
    Ok(secret)
}
