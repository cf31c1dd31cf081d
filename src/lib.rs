//! oneid: a standalone OAuth 2.0 / OpenID Connect provider.
//!
//! Layers, arrows pointing down: `http` (axum) → `protocol`, `auth`, `admin` (the rules)
//! → `store` (sea-orm). Everything may use `keys`, `clock`, `config`, `crypto`.

pub mod account;
pub mod admin;
pub mod allocator;
pub mod audit;
pub mod auth;
pub mod brands;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod error;
pub mod http;
pub mod i18n;
pub mod keys;
pub mod mail;
pub mod outbound;
pub mod paths;
pub mod policy;
pub mod protocol;
pub mod sms;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod templates;

use std::sync::Arc;
use std::time::Duration;

use clock::Clock;
use config::Config;
use state::{AppState, Ctx, Shared, StartError};

/// How often expired rows are removed.
const CLEANUP_INTERVAL: Duration = Duration::from_secs(300);
/// The first cleanup waits this long after the start.
const CLEANUP_DELAY: Duration = Duration::from_secs(10);
const REVOCATION_SYNC_INTERVAL: Duration = Duration::from_secs(1);
const LOGOUT_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Redeemed codes outlive their expiry this long, so a late replay still revokes.
const CODE_REPLAY_WINDOW: i64 = 3600;

/// Opens everything the server needs: database, keys, templates; and makes the clients
/// table match the clients declared in the config file (only the server does that, so
/// an administrative command run with another configuration cannot remove them).
pub async fn build(config: Config, clock: Arc<dyn Clock>) -> Result<AppState, StartError> {
    let ctx = Ctx::open(config, clock).await?;
    protocol::client_metadata::sync_config_clients(&ctx.store, &ctx.config, ctx.now())
        .await
        .map_err(|e| StartError(format!("clients in the config file: {e}")))?;
    admin::console::register(&ctx).await.map_err(|e| StartError(format!("settings console: {e}")))?;
    ctx.clients.reload().await.map_err(|e| StartError(format!("clients: {e}")))?;
    brands::sync_config_brands(&ctx.store, &ctx.config.brands, ctx.now()).await.map_err(|e| StartError(format!("brands in the config file: {e}")))?;
    ctx.brands.reload().await.map_err(|e| StartError(format!("brands: {e}")))?;
    match ctx.store.count_admins().await {
        Ok(0) => tracing::warn!(
            console = %format!("{}{}", ctx.config.issuer(), paths::ADMIN),
            "no administrator yet: run `oneid users grant-admin EMAIL` for an account with a passkey or an authenticator app, then open the settings console"
        ),
        Ok(_) => {}
        Err(e) => return Err(StartError(format!("administrators: {e}"))),
    }
    let discovery = protocol::discovery::document(&ctx.config, ctx.keys.algs()).to_string().into_bytes().into();
    let csrf_key = ctx.kek.derive("csrf");
    let path_prefix = ctx.config.path_prefix();
    Ok(AppState::new(Shared { ctx: Arc::new(ctx), csrf_key, discovery, metrics: telemetry::metrics(), path_prefix }))
}

/// Serves on `listener` until `shutdown` completes, with the background work
/// (key and client refresh, revocations, back-channel logouts, shared request counts,
/// cleanup, metrics upkeep) running alongside; flushes the audit log at the end.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let ctx = state.ctx.clone();
    let refresh = tokio::spawn(refresh_caches(ctx.clone()));
    let revocations = tokio::spawn(sync_revocations(ctx.clone()));
    let cleanup = tokio::spawn(clean_up(ctx.clone()));
    let logouts = tokio::spawn(deliver_logouts(ctx.clone()));
    let counts = tokio::spawn(share_request_counts(ctx.clone()));
    let metrics = state.metrics.clone().map(|handle| tokio::spawn(telemetry::fold_latencies(handle)));
    let result = http::serve(state, listener, shutdown).await;
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    counts.abort();
    logouts.abort();
    refresh.abort();
    revocations.abort();
    cleanup.abort();
    ctx.mailer.flush().await;
    ctx.store.flush_audit().await;
    result
}

/// Picks up keys, clients, brands and policy changed by the CLI or by other instances.
async fn refresh_caches(ctx: Arc<Ctx>) {
    let mut tick = tokio::time::interval(protocol::clients::RELOAD_INTERVAL);
    tick.tick().await;
    loop {
        tick.tick().await;
        if let Err(e) = ctx.keys.refresh(ctx.now()).await {
            tracing::warn!(error = %e, "signing keys not refreshed");
        }
        if let Err(e) = ctx.clients.reload().await {
            tracing::warn!(error = %e, "clients not refreshed");
        }
        if let Err(e) = ctx.brands.reload().await {
            tracing::warn!(error = %e, "brands not refreshed");
        }
        if let Err(e) = ctx.policies.reload(&ctx.store).await {
            tracing::warn!(error = %e, "policy not refreshed");
        }
    }
}

/// Revocations written by the CLI or other instances reach this one within a second.
async fn sync_revocations(ctx: Arc<Ctx>) {
    // The start synchronised them already.
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + REVOCATION_SYNC_INTERVAL, REVOCATION_SYNC_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = ctx.store.sync_revocations(ctx.now(), ctx.config.max_jwt_ttl()).await {
            tracing::warn!(error = %e, "revocations not synchronised");
        }
    }
}

async fn share_request_counts(ctx: Arc<Ctx>) {
    let mut tick = tokio::time::interval(auth::rate_limit::FLUSH_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        auth::rate_limit::flush(&ctx).await;
    }
}

/// Sends back-channel logout tokens as soon as they are queued here, and every second
/// those queued by other instances or due for a retry.
async fn deliver_logouts(ctx: Arc<Ctx>) {
    loop {
        let _ = tokio::time::timeout(LOGOUT_POLL_INTERVAL, ctx.backchannel.queued.notified()).await;
        if let Err(e) = protocol::backchannel::deliver_due(&ctx).await {
            tracing::warn!(error = %e, "back-channel logouts not delivered");
        }
    }
}

async fn clean_up(ctx: Arc<Ctx>) {
    // Not in the first moments, which belong to the first requests.
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + CLEANUP_DELAY, CLEANUP_INTERVAL);
    loop {
        tick.tick().await;
        match ctx.store.delete_expired(ctx.now(), CODE_REPLAY_WINDOW).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "expired rows removed"),
            Err(e) => tracing::warn!(error = %e, "cleanup failed"),
        }
    }
}
