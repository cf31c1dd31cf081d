//! Clients' public keys for `private_key_jwt` (RFC 7523 §2.2, OIDC Core §9): a JWK Set
//! registered inline or fetched from the client's `jwks_uri`. Fetched sets are kept for
//! `FRESH_FOR`; an assertion naming a key the set lacks triggers an early re-fetch (the
//! client rotated), but such forced fetches happen at most every `REFETCH_AFTER`, so a
//! stream of bogus key ids cannot make oneid hammer the client's server.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::keys::foreign;
use crate::outbound::Outbound;

use super::clients::Client;

const FRESH_FOR: Duration = Duration::from_secs(300);
const REFETCH_AFTER: Duration = Duration::from_secs(10);
const MAX_SET_BYTES: usize = 64 * 1024;

pub type JwkSet = Vec<Map<String, Value>>;

/// Checks a JWK Set document: `{"keys": [...]}` with at least one public signing key,
/// and never a private member.
pub fn parse_set(document: &Value) -> Result<JwkSet, String> {
    let keys = document.get("keys").and_then(Value::as_array).ok_or("must be a JWK Set: {\"keys\": [...]}")?;
    let mut set = Vec::new();
    for key in keys {
        let key = key.as_object().ok_or("every key must be a JSON object")?;
        if foreign::PRIVATE_MEMBERS.iter().any(|m| key.contains_key(*m)) {
            return Err("contains private key material; register only public keys".into());
        }
        if key.get("use").and_then(Value::as_str).is_some_and(|u| u != "sig") {
            continue;
        }
        if foreign::is_public_key(key) {
            set.push(key.clone());
        }
    }
    if set.is_empty() {
        return Err("has no usable signing key (EC P-256, Ed25519 or RSA)".into());
    }
    Ok(set)
}

struct Fetched {
    uri: String,
    at: Instant,
    set: JwkSet,
    /// The last fetch an unknown key id caused.
    forced_at: Option<Instant>,
}

/// Key sets fetched from `jwks_uri`s, by client id.
pub struct ClientKeys {
    http: Outbound,
    fetched: Mutex<HashMap<String, Fetched>>,
}

impl ClientKeys {
    /// `http` is oneid's client for calls to relying parties.
    pub fn new(http: Outbound) -> ClientKeys {
        ClientKeys { http, fetched: Mutex::new(HashMap::new()) }
    }

    /// The client's keys; `kid` is the key an assertion names, if any (an unknown one
    /// may mean the client rotated its keys).
    pub async fn keys_for(&self, client: &Client, kid: Option<&str>) -> Result<JwkSet, String> {
        if !client.jwks.is_empty() {
            return Ok(client.jwks.clone());
        }
        let Some(uri) = &client.jwks_uri else { return Err("the client has no keys".into()) };
        let cached = {
            let fetched = self.fetched.lock().unwrap_or_else(|p| p.into_inner());
            fetched.get(&client.id).filter(|f| &f.uri == uri).map(|f| (f.at.elapsed(), f.forced_at, f.set.clone()))
        };
        let mut forced_at = None;
        if let Some((age, forced, set)) = cached {
            let knows_kid = kid.is_none_or(|kid| set.iter().any(|k| k.get("kid").and_then(Value::as_str) == Some(kid)));
            let may_force = forced.is_none_or(|at| at.elapsed() >= REFETCH_AFTER);
            if age < FRESH_FOR && (knows_kid || !may_force) {
                return Ok(set);
            }
            forced_at = if knows_kid { forced } else { Some(Instant::now()) };
        }
        let set = self.fetch(uri).await?;
        let mut fetched = self.fetched.lock().unwrap_or_else(|p| p.into_inner());
        fetched.insert(client.id.clone(), Fetched { uri: uri.clone(), at: Instant::now(), set: set.clone(), forced_at });
        Ok(set)
    }

    async fn fetch(&self, uri: &str) -> Result<JwkSet, String> {
        let response = self.http.client()?.get(uri).header(reqwest::header::ACCEPT, "application/json").send().await.map_err(|e| format!("fetching jwks_uri: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("jwks_uri answered {}", response.status()));
        }
        if response.content_length().is_some_and(|n| n as usize > MAX_SET_BYTES) {
            return Err("jwks_uri document is too large".into());
        }
        let body = response.bytes().await.map_err(|e| format!("reading jwks_uri: {e}"))?;
        if body.len() > MAX_SET_BYTES {
            return Err("jwks_uri document is too large".into());
        }
        let document: Value = serde_json::from_slice(&body).map_err(|_| "jwks_uri did not return JSON".to_string())?;
        parse_set(&document)
    }
}
