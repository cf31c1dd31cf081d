//! Registered clients as the protocol sees them, and the in-memory registry every
//! request reads. The registry is reloaded from the database every few seconds, so a
//! change made elsewhere (CLI, another instance) is seen within `RELOAD_INTERVAL`; an
//! id the cache does not know is always looked up directly, so new clients work at once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::crypto;
use crate::keys::Alg;
use crate::store::{ClientRecord, Store, StoreError};

use super::scopes::Scopes;

pub const RELOAD_INTERVAL: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    /// RFC 7523 §2.2: a JWT signed with the client's own key (registered `jwks` or `jwks_uri`).
    PrivateKeyJwt,
    /// A public client: identified by `client_id`, protected by PKCE.
    None,
}

impl AuthMethod {
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::None => "none",
        }
    }

    pub fn parse(name: &str) -> Option<AuthMethod> {
        match name {
            "client_secret_basic" => Some(AuthMethod::ClientSecretBasic),
            "client_secret_post" => Some(AuthMethod::ClientSecretPost),
            "private_key_jwt" => Some(AuthMethod::PrivateKeyJwt),
            "none" => Some(AuthMethod::None),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
    /// RFC 8628: devices without a browser (the car's screen).
    DeviceCode,
}

impl GrantType {
    pub const ALL: [GrantType; 4] = [GrantType::AuthorizationCode, GrantType::RefreshToken, GrantType::ClientCredentials, GrantType::DeviceCode];

    pub fn name(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
            GrantType::DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
        }
    }

    pub fn parse(name: &str) -> Option<GrantType> {
        GrantType::ALL.into_iter().find(|g| g.name() == name)
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub name: String,
    secret_hash: Option<String>,
    pub auth_method: AuthMethod,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: Scopes,
    pub grant_types: Vec<GrantType>,
    pub brand: String,
    pub id_token_alg: Alg,
    pub skip_consent: bool,
    pub managed_by: String,
    /// Public keys for `private_key_jwt`, registered inline...
    pub jwks: Vec<serde_json::Map<String, serde_json::Value>>,
    /// ...or fetched from here.
    pub jwks_uri: Option<String>,
    pub backchannel_logout_uri: Option<String>,
    pub backchannel_logout_session_required: bool,
    /// Authorization requests only through PAR (RFC 9126 §6).
    pub require_par: bool,
    /// Every token request must prove a DPoP key (RFC 9449 §5.2).
    pub require_dpop: bool,
    /// Lifetimes for this client instead of the policy's.
    pub access_token_ttl: Option<i64>,
    pub refresh_token_ttl: Option<i64>,
}

impl Client {
    pub fn is_public(&self) -> bool {
        self.auth_method == AuthMethod::None
    }

    pub fn allows(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// RFC 9700 §2.1: redirect URIs match by exact string comparison, with one
    /// exception: for a loopback IP literal (`http://127.0.0.1/…`, `http://[::1]/…`) a
    /// native app may use any port (RFC 8252 §7.3), everything else still exact.
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri || loopback_match(r, uri))
    }

    pub fn has_post_logout_redirect_uri(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|r| r == uri)
    }

    /// Constant-time comparison of SHA-256 digests; client secrets are 256-bit random
    /// values, so a fast hash is the right tool.
    pub fn secret_matches(&self, secret: &str) -> bool {
        match &self.secret_hash {
            Some(hash) => crypto::constant_time_eq(crypto::token_hash(secret).as_bytes(), hash.as_bytes()),
            None => false,
        }
    }

    pub fn from_record(record: ClientRecord) -> Result<Client, String> {
        let list = |json: &str| serde_json::from_str::<Vec<String>>(json).map_err(|e| e.to_string());
        let jwks = match record.jwks.as_deref() {
            Some(json) => super::client_keys::parse_set(&serde_json::from_str(json).map_err(|e| e.to_string())?)?,
            None => Vec::new(),
        };
        Ok(Client {
            jwks,
            jwks_uri: record.jwks_uri,
            backchannel_logout_uri: record.backchannel_logout_uri,
            backchannel_logout_session_required: record.backchannel_logout_session_required,
            require_par: record.require_pushed_authorization_requests,
            require_dpop: record.dpop_bound_access_tokens,
            access_token_ttl: record.access_token_ttl,
            refresh_token_ttl: record.refresh_token_ttl,
            auth_method: AuthMethod::parse(&record.auth_method).ok_or("unknown auth method")?,
            redirect_uris: list(&record.redirect_uris)?,
            post_logout_redirect_uris: list(&record.post_logout_redirect_uris)?,
            scopes: Scopes::parse(&record.scopes).ok_or("invalid scopes")?,
            grant_types: record.grant_types.split_whitespace().filter_map(GrantType::parse).collect(),
            id_token_alg: Alg::parse(&record.id_token_alg).ok_or("unknown id_token algorithm")?,
            id: record.id,
            name: record.name,
            secret_hash: record.secret_hash,
            brand: record.brand,
            skip_consent: record.skip_consent,
            managed_by: record.managed_by,
        })
    }
}

/// `given` is `registered` with a port added, on an http loopback IP literal. The rest
/// is compared as text, so no URL normalisation (dot segments, case) can widen a match.
fn loopback_match(registered: &str, given: &str) -> bool {
    ["http://127.0.0.1", "http://[::1]"].into_iter().any(|origin| {
        let (Some(registered_rest), Some(given_rest)) = (registered.strip_prefix(origin), given.strip_prefix(origin)) else { return false };
        let Some(after_colon) = given_rest.strip_prefix(':') else { return false };
        let digits = after_colon.bytes().take_while(u8::is_ascii_digit).count();
        (1..=5).contains(&digits) && after_colon[..digits].parse::<u16>().is_ok() && &after_colon[digits..] == registered_rest && registered_rest.starts_with('/')
    })
}

pub struct Clients {
    store: Store,
    cache: RwLock<Arc<HashMap<String, Arc<Client>>>>,
}

impl Clients {
    pub async fn load(store: Store) -> Result<Clients, StoreError> {
        let clients = Clients { store, cache: RwLock::new(Arc::default()) };
        clients.reload().await?;
        Ok(clients)
    }

    pub async fn get(&self, id: &str) -> Result<Option<Arc<Client>>, StoreError> {
        let cached = self.cache.read().unwrap_or_else(|p| p.into_inner()).get(id).cloned();
        if cached.is_some() {
            return Ok(cached);
        }
        let Some(record) = self.store.client_by_id(id).await? else { return Ok(None) };
        Ok(Client::from_record(record).ok().map(Arc::new))
    }

    pub async fn reload(&self) -> Result<(), StoreError> {
        let mut map = HashMap::new();
        for record in self.store.all_clients().await? {
            let id = record.id.clone();
            match Client::from_record(record) {
                Ok(client) => {
                    map.insert(id, Arc::new(client));
                }
                Err(e) => tracing::warn!(client_id = %id, error = %e, "skipping unreadable client row"),
            }
        }
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(map);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::loopback_match;

    #[test]
    fn loopback_redirects_may_use_any_port_and_nothing_else_changes() {
        assert!(loopback_match("http://127.0.0.1/callback", "http://127.0.0.1:49152/callback"));
        assert!(loopback_match("http://[::1]/callback", "http://[::1]:8000/callback"));
        assert!(!loopback_match("http://127.0.0.1/callback", "http://127.0.0.1:49152/other"));
        assert!(!loopback_match("http://127.0.0.1/callback", "http://127.0.0.1:49152/callback?x=1"));
        assert!(!loopback_match("http://localhost/callback", "http://localhost:49152/callback"), "names are not loopback literals");
        assert!(!loopback_match("https://app.example.com/cb", "https://app.example.com:444/cb"));
        assert!(!loopback_match("http://127.0.0.1/callback", "http://127.0.0.2:5000/callback"));
        assert!(!loopback_match("http://127.0.0.1/callback", "http://127.0.0.1:5000/x/../callback"));
        assert!(!loopback_match("http://127.0.0.1/callback", "http://127.0.0.1:99999/callback"));
    }
}
