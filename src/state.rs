//! The shared state, built once at start: `Ctx` is what services take (configuration,
//! storage, keys, clients, clock, hashing); `AppState` adds what only the HTTP layer
//! needs (templates, CSRF key, precomputed documents, metrics).

use std::sync::Arc;

use crate::auth::password::Hasher;
use crate::auth::rate_limit::RateLimiter;
use crate::brands::Brands;
use crate::i18n::Catalogs;
use crate::mail::Mailer;
use crate::outbound::Outbound;
use crate::sms::SmsSender;
use crate::clock::{Clock, UnixTime};
use crate::config::Config;
use crate::policy::Policies;
use crate::keys::kek::Kek;
use crate::keys::{Alg, Keys};
use crate::protocol::backchannel::Backchannel;
use crate::protocol::client_keys::ClientKeys;
use crate::protocol::clients::Clients;
use crate::store::Store;
use crate::templates::Templates;

pub struct Ctx {
    /// The configuration as the file and environment gave it; policy values may have
    /// changed since: read those through [`Ctx::policy`].
    pub config: Config,
    pub policies: Policies,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub keys: Keys,
    pub clients: Clients,
    /// Calls oneid makes to relying parties (their JWKS, back-channel logout).
    pub outbound: Outbound,
    /// Wakes the back-channel logout worker.
    pub backchannel: Backchannel,
    /// Clients' public keys fetched from their `jwks_uri` (private_key_jwt).
    pub client_keys: ClientKeys,
    pub hasher: Hasher,
    pub kek: Kek,
    pub brands: Brands,
    pub catalogs: Arc<Catalogs>,
    pub templates: Arc<Templates>,
    pub mailer: Mailer,
    pub sms: SmsSender,
    /// The WebAuthn relying party (passkeys); `None` when the issuer's host is an IP
    /// address, which WebAuthn refuses.
    pub webauthn: Option<webauthn_rs::Webauthn>,
    /// Forms each client address may post (sign-in, registration, resets).
    pub form_limiter: RateLimiter,
    /// `trusted_proxies`, parsed.
    pub trusted_proxies: Vec<crate::http::client_addr::Network>,
    /// Profile images decoded at once (see `account::picture`).
    pub picture_slots: Arc<tokio::sync::Semaphore>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartError(pub String);

fn fail(what: &str) -> impl Fn(&dyn std::fmt::Display) -> StartError + '_ {
    move |e| StartError(format!("{what}: {e}"))
}

impl Ctx {
    /// Connects and migrates the database, and loads the key-encryption key and signing
    /// keys (generating them on first start).
    pub async fn open(config: Config, clock: Arc<dyn Clock>) -> Result<Ctx, StartError> {
        // The store's errors say "database:" themselves.
        let store = Store::connect(&config.database.url, config.database.pool_size()).await.map_err(|e| StartError(e.to_string()))?;
        store.migrate().await.map_err(|e| fail("migration")(&e))?;
        store.sync_revocations(clock.now(), config.max_jwt_ttl()).await.map_err(|e| fail("revocations")(&e))?;
        let kek = Kek::load(config.keys.master_key.as_deref(), &config.keys.master_key_file, true).map_err(|e| fail("master key")(&e))?;
        let mut algs = vec![Alg::Es256, Alg::Rs256];
        if config.keys.eddsa {
            algs.push(Alg::EdDsa);
        }
        let now = clock.now();
        let keys = Keys::load(store.clone(), kek.clone(), algs, config.keys.rsa_bits, now).await.map_err(|e| fail("signing keys")(&e))?;
        let clients = Clients::load(store.clone()).await.map_err(|e| fail("clients")(&e))?;
        let outbound = Outbound::default();
        let client_keys = ClientKeys::new(outbound.clone());
        let hasher = Hasher::new(&config.hashing, config.hashing_concurrency()).map_err(|e| fail("password hashing")(&e))?;
        let catalogs = Arc::new(Catalogs::default());
        let templates = Templates::new(&config.path_prefix(), config.issuer(), config.accounts.password_min_length, catalogs.clone());
        let templates = Arc::new(templates);
        let mailer = Mailer::start(&config.mail, templates.clone(), catalogs.clone()).map_err(|e| fail("mail")(&e))?;
        let brands = Brands::load(store.clone()).await.map_err(|e| fail("brands")(&e))?;
        let policies = Policies::load(config.clone(), &store).await.map_err(|e| fail("policy")(&e))?;
        let form_limiter = RateLimiter::new(config.lockout.per_ip_per_minute);
        // Checked when the configuration was loaded.
        let trusted_proxies = config.trusted_proxies.iter().filter_map(|p| crate::http::client_addr::Network::parse(p).ok()).collect();
        let sms = SmsSender::new(&config.sms).map_err(|e| fail("sms")(&e))?;
        let webauthn = crate::auth::passkeys::relying_party(&config.issuer_url(), &rp_name(&config)).map_err(|e| fail("passkeys")(&e))?;
        if webauthn.is_none() {
            tracing::warn!("passkeys are off: WebAuthn needs a host name in the issuer, not an IP address");
        }
        Ok(Ctx { config, policies, store, clock, keys, clients, outbound, backchannel: Backchannel::default(), client_keys, hasher, kek, brands, catalogs, templates, mailer, sms, webauthn, form_limiter, trusted_proxies, picture_slots: Arc::new(tokio::sync::Semaphore::new(1)) })
    }

    pub fn now(&self) -> UnixTime {
        self.clock.now()
    }

    /// The configuration with the administrator's policy changes applied: read every
    /// policy value (lockout, PIN, lifetimes, password, second factor) through this.
    pub fn policy(&self) -> Arc<Config> {
        self.policies.current()
    }
}

/// The passkey relying party's name: the default brand's.
fn rp_name(config: &Config) -> String {
    config.brands.iter().find(|b| b.id == crate::brands::DEFAULT_BRAND).map_or_else(|| "oneid".into(), |b| b.name.clone())
}

/// What the HTTP layer shares, behind one `Arc`: every request clones it, at the cost
/// of one reference count.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub ctx: Arc<Ctx>,
    /// HMAC key for CSRF tokens, derived from the key-encryption key so that every
    /// instance agrees.
    pub csrf_key: [u8; 32],
    /// The discovery document, serialised once.
    pub discovery: Arc<[u8]>,
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// The issuer's path, under which every route is mounted ("" for none).
    pub path_prefix: String,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }

    pub fn ctx(&self) -> &Ctx {
        &self.0.ctx
    }

    /// A path of ours as the browser must request it: under the issuer's path.
    pub fn url_path(&self, path: &str) -> String {
        format!("{}{path}", self.0.path_prefix)
    }
}
