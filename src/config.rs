//! Configuration: built-in defaults that run with no file at all, then `oneid.toml`
//! (or `--config`/`ONEID_CONFIG`), then `ONEID_<SECTION>__<KEY>` environment variables.
//! Unknown keys are errors, and every value is checked before anything starts.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::brands::BrandConfig;

mod registrations;
mod validation;
pub use registrations::{ClientConfig, ResourceConfig};
use validation::issuer_url;

pub const DEFAULT_CONFIG_FILE: &str = "oneid.toml";

/// The upper bound of every access and ID token lifetime (one day).
pub const MAX_JWT_TTL: i64 = 86_400;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The issuer identifier: scheme, host, optional port and path; no query or fragment.
    pub issuer: String,
    pub bind: SocketAddr,
    /// Load balancers and reverse proxies (addresses or ranges like `10.0.0.0/8`) whose
    /// `X-Forwarded-For` names the client; from anyone else the header is ignored.
    pub trusted_proxies: Vec<String>,
    pub database: DatabaseConfig,
    pub keys: KeysConfig,
    pub tokens: TokensConfig,
    pub session: SessionConfig,
    pub hashing: HashingConfig,
    pub log: LogConfig,
    pub mail: MailConfig,
    pub sms: SmsConfig,
    pub accounts: AccountsConfig,
    pub lockout: LockoutConfig,
    pub devices: DevicesConfig,
    pub pin: PinConfig,
    pub dpop: DpopConfig,
    pub second_factor: SecondFactorConfig,
    /// Declaring any brand replaces the shipped ones; the `oneid` brand is required.
    pub brands: Vec<BrandConfig>,
    /// Clients declared here are created or updated at start, and removed when they
    /// disappear from the file.
    pub clients: Vec<ClientConfig>,
    /// Resource servers (APIs) that take oneid's access tokens: a client names one with
    /// `resource` (RFC 8707) and gets a token whose audience is that API alone.
    pub resources: Vec<ResourceConfig>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// `smtp://[user:password@]host[:port]` (add `?tls=required` for STARTTLS) or
    /// `smtps://...` (TLS). Unset: messages become `.eml` files in `outbox_dir` and
    /// their links are logged.
    pub smtp_url: Option<String>,
    pub outbox_dir: PathBuf,
    /// Attempts per message before it is given up (logged and counted).
    pub max_attempts: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsConfig {
    /// An HTTP gateway that takes `POST {"to": "+4915…", "from": sender, "text": "…"}`.
    /// Unset: messages are written to `outbox_dir` and logged (development).
    pub gateway_url: Option<String>,
    /// Sent as the `Authorization` header, for example `Bearer …`; never logged.
    pub gateway_authorization: Option<String>,
    /// The sender name or number the gateway shows.
    pub sender: String,
    pub outbox_dir: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DevicesConfig {
    /// Every sign-in on a browser that is not trusted yet confirms a code by text or
    /// email (clients can also ask for it with the `urn:oneid:acr:device` acr value).
    pub require: bool,
    /// How long "remember this device" lasts.
    pub remember_days: i64,
}

/// Where every sign-in needs a second factor, whatever the user chose: the clients and
/// the brands (all their clients) named here. Users without an authenticator app or
/// passkey confirm a code sent by email.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecondFactorConfig {
    pub brands: Vec<String>,
    pub clients: Vec<String>,
}

impl SecondFactorConfig {
    pub fn required_for(&self, client_id: &str, brand: &str) -> bool {
        self.clients.iter().any(|c| c == client_id) || self.brands.iter().any(|b| b == brand)
    }
}

/// DPoP (RFC 9449) proofs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DpopConfig {
    /// Every proof must carry a nonce oneid handed out (`DPoP-Nonce`), which limits
    /// proofs made in advance on a compromised device (RFC 9449 §8, §11.2).
    pub require_nonce: bool,
}

/// The mobile app's PIN (F30): digits only, trivial ones refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PinConfig {
    pub min_length: usize,
    pub max_length: usize,
    /// Wrong PINs in a row after which the app's sign-in is revoked.
    pub max_attempts: i32,
    /// After an unlock (or setting the PIN) the app refreshes its tokens without the PIN
    /// for this many seconds; after that its refresh token works only with the PIN.
    pub unlock_ttl: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LockoutConfig {
    /// Wrong passwords in a row before the account locks (for browsers it does not know).
    pub threshold: i32,
    /// The first lock lasts this many seconds; each lock in a row lasts `growth` times
    /// longer, up to `max_duration`.
    pub base_duration: i64,
    pub growth: i64,
    pub max_duration: i64,
    /// After this many wrong passwords, the next attempts must solve a proof of work.
    pub pow_after: i32,
    /// A browser where the owner signed in before has its own count, so that somebody
    /// else's guessing does not lock the owner out; this is its threshold.
    pub known_device_threshold: i32,
    /// Sign-in, registration and reset forms each client address may send per minute.
    pub per_ip_per_minute: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountsConfig {
    /// Whether people may create accounts themselves.
    pub registration: bool,
    /// NIST SP 800-63B: at least 8; passwords up to `PASSWORD_MAX` characters are accepted.
    pub password_min_length: usize,
    pub activation_ttl: i64,
    pub reset_ttl: i64,
    pub email_change_ttl: i64,
    /// Seconds before another activation email may be requested for the same account.
    pub resend_cooldown: i64,
    /// Leading zero bits the proof-of-work puzzle asks for (0 turns it off).
    pub pow_difficulty: u32,
    /// Shown next to "I accept the terms" on the registration form.
    pub terms_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub url: String,
    /// Pool size: readers on SQLite (writes go through one connection), all connections
    /// on PostgreSQL. 0 (the default) picks: on SQLite one reader per core (at least 2),
    /// since each reader is a thread and more of them than cores only switch between
    /// each other; on PostgreSQL 8, and a quarter as many again (at least 2) for
    /// short-lived writes (`Store::transient`).
    pub max_connections: u32,
}

impl DatabaseConfig {
    /// `max_connections`, or what 0 stands for.
    pub fn pool_size(&self) -> u32 {
        match self.max_connections {
            0 if self.url.starts_with("sqlite:") => std::thread::available_parallelism().map_or(2, |n| n.get() as u32).max(2),
            0 => 8,
            n => n,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeysConfig {
    /// The key-encryption key, 32 bytes in base64. When unset it is read from
    /// `master_key_file`, which is created (mode 0600) on first start.
    pub master_key: Option<String>,
    pub master_key_file: PathBuf,
    /// Also publish and offer an Ed25519 key (EdDSA).
    pub eddsa: bool,
    pub rsa_bits: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokensConfig {
    /// Signs access tokens, and ID tokens of clients that do not ask for another algorithm.
    pub signing_alg: String,
    pub access_token_ttl: i64,
    pub id_token_ttl: i64,
    pub code_ttl: i64,
    /// A refresh token unused for this long expires.
    pub refresh_token_idle_ttl: i64,
    /// No refresh family outlives this, however often it is used.
    pub refresh_token_max_ttl: i64,
    /// A rotated refresh token presented again within this many seconds is taken as a
    /// concurrent duplicate, not as theft.
    pub refresh_reuse_grace: i64,
    /// How long a started sign-in (login and consent pages) stays valid.
    pub authorization_request_ttl: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    /// Lifetime of a browser session after login.
    pub ttl: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HashingConfig {
    /// Password hashes computed at once, each on a hashing thread of its own; 0 means
    /// one per CPU core.
    pub concurrency: usize,
    /// Hash requests allowed to wait; beyond that the server answers 503.
    pub queue: usize,
    /// argon2id cost (OWASP: 19 MiB, 2 passes, 1 lane). Changing it rehashes each
    /// password at its owner's next login.
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A tracing filter such as `info` or `oneid=debug,info`.
    pub level: String,
    /// `json` (one object per line) or `text`.
    pub format: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            issuer: "http://localhost:8080".into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            trusted_proxies: Vec::new(),
            database: DatabaseConfig::default(),
            keys: KeysConfig::default(),
            tokens: TokensConfig::default(),
            session: SessionConfig::default(),
            hashing: HashingConfig::default(),
            log: LogConfig::default(),
            mail: MailConfig::default(),
            sms: SmsConfig::default(),
            accounts: AccountsConfig::default(),
            lockout: LockoutConfig::default(),
            devices: DevicesConfig::default(),
            pin: PinConfig::default(),
            dpop: DpopConfig::default(),
            second_factor: SecondFactorConfig::default(),
            brands: crate::brands::default_brands(),
            clients: Vec::new(),
            resources: Vec::new(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig { url: "sqlite://data/oneid.db".into(), max_connections: 0 }
    }
}

impl Default for KeysConfig {
    fn default() -> Self {
        KeysConfig { master_key: None, master_key_file: "keys/master.key".into(), eddsa: false, rsa_bits: 2048 }
    }
}

impl Default for TokensConfig {
    fn default() -> Self {
        TokensConfig {
            signing_alg: "ES256".into(),
            access_token_ttl: 600,
            id_token_ttl: 600,
            code_ttl: 60,
            refresh_token_idle_ttl: 30 * 86_400,
            refresh_token_max_ttl: 90 * 86_400,
            refresh_reuse_grace: 5,
            authorization_request_ttl: 1800,
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig { ttl: 86_400 }
    }
}

impl Default for HashingConfig {
    fn default() -> Self {
        HashingConfig { concurrency: 0, queue: 256, memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig { smtp_url: None, outbox_dir: "data/outbox".into(), max_attempts: 5 }
    }
}

impl Default for AccountsConfig {
    fn default() -> Self {
        AccountsConfig {
            registration: true,
            password_min_length: 8,
            activation_ttl: 86_400,
            reset_ttl: 3600,
            email_change_ttl: 86_400,
            resend_cooldown: 60,
            pow_difficulty: 16,
            terms_url: None,
        }
    }
}

impl Default for SmsConfig {
    fn default() -> Self {
        SmsConfig { gateway_url: None, gateway_authorization: None, sender: "oneid".into(), outbox_dir: "data/sms-outbox".into() }
    }
}

impl Default for DevicesConfig {
    fn default() -> Self {
        DevicesConfig { require: false, remember_days: 90 }
    }
}

impl Default for PinConfig {
    fn default() -> Self {
        PinConfig { min_length: 4, max_length: 6, max_attempts: 3, unlock_ttl: 3600 }
    }
}

impl Default for LockoutConfig {
    fn default() -> Self {
        LockoutConfig { threshold: 5, base_duration: 60, growth: 2, max_duration: 3600, pow_after: 3, known_device_threshold: 10, per_ip_per_minute: 30 }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig { level: "info".into(), format: "json".into() }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Defaults, then the file (an explicit path must exist; the default one may not),
    /// then the environment; then [`Config::validate`].
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::new().merge(Serialized::defaults(Config::default()));
        match path {
            Some(path) if !path.exists() => {
                return Err(ConfigError(format!("config file {} does not exist", path.display())));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new(DEFAULT_CONFIG_FILE).exists() => figment = figment.merge(Toml::file_exact(DEFAULT_CONFIG_FILE)),
            None => {}
        }
        let env = Env::prefixed("ONEID_")
            .split("__")
            // ONEID_CONFIG names the file; ONEID_TEST_* belong to the test suite.
            .filter(|key| key != "config" && !key.as_str().starts_with("test_"));
        let config: Config = figment.merge(env).extract().map_err(|e| ConfigError(e.into_iter().map(describe).collect::<Vec<_>>().join("\n")))?;
        config.validate()?;
        Ok(config)
    }

    pub fn issuer_url(&self) -> Url {
        issuer_url(&self.issuer).unwrap_or_else(|_| unreachable!("validated at load"))
    }

    /// The issuer without a trailing slash, the prefix of every URL oneid generates.
    pub fn issuer(&self) -> &str {
        self.issuer.trim_end_matches('/')
    }

    /// Cookies may drop `Secure` only for a plain-http development issuer on localhost.
    pub fn is_https(&self) -> bool {
        self.issuer.starts_with("https://")
    }

    /// The path part of the issuer, under which every route is mounted ("" for none).
    pub fn path_prefix(&self) -> String {
        self.issuer_url().path().trim_end_matches('/').to_string()
    }

    /// The largest lifetime any JWT oneid signs may have, whatever the policy or a client
    /// says (both are checked against it): how long a retired key stays published and
    /// revocations are remembered, so a policy change can never outrun either.
    pub fn max_jwt_ttl(&self) -> i64 {
        MAX_JWT_TTL
    }

    pub fn hashing_concurrency(&self) -> usize {
        match self.hashing.concurrency {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

/// One figment error as `key: problem (in source)`.
fn describe(e: figment::Error) -> String {
    use figment::error::Kind;
    // The path already ends with the offending key for unknown fields.
    let key = e.path.join(".");
    let problem = match &e.kind {
        Kind::UnknownField(_, expected) => format!("unknown key; expected one of: {}", expected.join(", ")),
        other => other.to_string(),
    };
    let source = e.metadata.as_ref().map(|m| match &m.source {
        Some(source) => format!(" (in {source})"),
        None => format!(" (in {})", m.name),
    });
    format!("{key}: {problem}{}", source.unwrap_or_default())
}
