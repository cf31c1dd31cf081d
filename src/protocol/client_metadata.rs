//! Client registration rules, shared by clients declared in the config file and clients
//! added with the CLI: what a redirect URI may look like (RFC 9700 §2.1, RFC 8252 §7),
//! which grant types and auth methods go together, how secrets are made and stored, and
//! the URLs oneid calls itself (JWKS, back-channel logout).

use crate::clock::UnixTime;
use crate::config::{ClientConfig, Config, MAX_JWT_TTL};
use crate::crypto;
use crate::keys::Alg;
use crate::store::{ClientRecord, Store, StoreError};

use super::client_keys;
use super::clients::{AuthMethod, GrantType};
use super::scopes::{Scopes, USER_SCOPES};

pub const MANAGED_BY_CONFIG: &str = "config";
pub const MANAGED_BY_DATABASE: &str = "database";
const MIN_SECRET_LEN: usize = 32;

/// A newly generated client secret: 256 random bits. Shown once, stored as a hash.
pub fn generate_secret() -> String {
    crypto::random_token()
}

/// Checks a client definition and turns it into the row to store.
pub fn validate(spec: &ClientConfig, config: &Config, managed_by: &str, now: UnixTime) -> Result<ClientRecord, Vec<String>> {
    let mut problems = Vec::new();
    let id = &spec.id;
    if id.is_empty() || id.len() > 128 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')) {
        problems.push("id: 1 to 128 characters of letters, digits, '-', '.', '_' or '~'".to_string());
    }

    let has_keys = spec.jwks.is_some() || spec.jwks_uri.is_some();
    let method = match (&spec.token_endpoint_auth_method, &spec.secret) {
        (None, Some(_)) => Some(AuthMethod::ClientSecretBasic),
        (None, None) if has_keys => Some(AuthMethod::PrivateKeyJwt),
        (None, None) => Some(AuthMethod::None),
        (Some(name), _) => AuthMethod::parse(name),
    };
    let method = match method {
        Some(m) => m,
        None => {
            problems.push("token_endpoint_auth_method: must be client_secret_basic, client_secret_post, private_key_jwt or none".into());
            AuthMethod::None
        }
    };
    match (method, &spec.secret) {
        (AuthMethod::None | AuthMethod::PrivateKeyJwt, Some(_)) => problems.push(format!("secret: a client with auth method {} has no secret", method.name())),
        (AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost, None) => {
            problems.push(format!("secret: {} needs a secret", method.name()));
        }
        (_, Some(secret)) if secret.len() < MIN_SECRET_LEN => problems.push(format!(
            "secret: must be at least {MIN_SECRET_LEN} characters (generate one with `openssl rand -base64 32`)"
        )),
        _ => {}
    }
    let jwks = match (&spec.jwks, &spec.jwks_uri) {
        (Some(_), Some(_)) => {
            problems.push("jwks, jwks_uri: give the keys one way, not both".into());
            None
        }
        (Some(set), None) => match client_keys::parse_set(set) {
            Ok(_) => Some(set.to_string()),
            Err(e) => {
                problems.push(format!("jwks: {e}"));
                None
            }
        },
        (None, Some(uri)) => {
            if let Err(e) = check_server_uri(uri) {
                problems.push(format!("jwks_uri: {uri:?} {e}"));
            }
            None
        }
        (None, None) => None,
    };
    if method == AuthMethod::PrivateKeyJwt && !has_keys {
        problems.push("jwks or jwks_uri: private_key_jwt needs the client's public keys".into());
    }
    if method != AuthMethod::PrivateKeyJwt && has_keys {
        problems.push("jwks, jwks_uri: keys are only for token_endpoint_auth_method = private_key_jwt".into());
    }
    if let Some(uri) = &spec.backchannel_logout_uri
        && let Err(e) = check_server_uri(uri) {
            problems.push(format!("backchannel_logout_uri: {uri:?} {e}"));
        }
    let public = method == AuthMethod::None;

    let default_grants = ["authorization_code", "refresh_token"].map(String::from).to_vec();
    let mut grant_types = Vec::new();
    for name in spec.grant_types.as_ref().unwrap_or(&default_grants) {
        match GrantType::parse(name) {
            Some(g) if !grant_types.contains(&g) => grant_types.push(g),
            Some(_) => {}
            None => problems.push(format!(
                "grant_types: {name:?} is not supported (authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:device_code)"
            )),
        }
    }
    if grant_types.is_empty() {
        problems.push("grant_types: at least one is needed".into());
    }
    if public && grant_types.contains(&GrantType::ClientCredentials) {
        problems.push("grant_types: client_credentials needs a confidential client".into());
    }
    let user_grant = grant_types.contains(&GrantType::AuthorizationCode) || grant_types.contains(&GrantType::DeviceCode);
    if grant_types.contains(&GrantType::RefreshToken) && !user_grant {
        problems.push("grant_types: refresh_token comes only with authorization_code or the device_code grant".into());
    }
    let code_flow = grant_types.contains(&GrantType::AuthorizationCode);
    if code_flow && spec.redirect_uris.is_empty() {
        problems.push("redirect_uris: the authorization_code grant needs at least one".into());
    }
    for (field, uris) in [("redirect_uris", &spec.redirect_uris), ("post_logout_redirect_uris", &spec.post_logout_redirect_uris)] {
        for uri in uris {
            if let Err(e) = check_redirect_uri(uri, public) {
                problems.push(format!("{field}: {uri:?} {e}"));
            }
        }
    }

    let default_scopes: Vec<String> = if user_grant { USER_SCOPES.iter().map(|s| s.to_string()).collect() } else { Vec::new() };
    let scope_names = spec.scopes.as_ref().unwrap_or(&default_scopes);
    let scopes = match Scopes::from_names(scope_names.iter().map(String::as_str)) {
        Some(s) if scope_names.iter().all(|n| !n.is_empty() && !n.contains(' ')) => s,
        _ => {
            problems.push("scopes: each scope is one word of printable ASCII without '\"' or '\\'".into());
            Scopes::empty()
        }
    };

    let brand = spec.brand.clone().unwrap_or_else(|| "oneid".into());
    if brand.is_empty() || brand.len() > 32 || !brand.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        problems.push("brand: 1 to 32 characters of a-z, 0-9 and '-'".into());
    }
    let alg_name = spec.id_token_signed_response_alg.clone().unwrap_or_else(|| config.tokens.signing_alg.clone());
    match Alg::parse(&alg_name) {
        Some(Alg::EdDsa) if !config.keys.eddsa => {
            problems.push("id_token_signed_response_alg: EdDSA needs keys.eddsa = true".into());
        }
        Some(_) => {}
        None => problems.push(format!("id_token_signed_response_alg: {alg_name:?} is not supported (ES256, RS256, EdDSA)")),
    }

    if let Some(ttl) = spec.access_token_ttl
        && !(30..=MAX_JWT_TTL).contains(&ttl) {
            problems.push(format!("access_token_ttl: must be between 30 and {MAX_JWT_TTL} seconds"));
        }
    if let Some(ttl) = spec.refresh_token_ttl
        && !(60..=400 * 86_400).contains(&ttl) {
            problems.push("refresh_token_ttl: must be between 60 seconds and 400 days".into());
        }
    if spec.name.as_ref().is_some_and(|n| n.chars().count() > 200) {
        problems.push("name: at most 200 characters".into());
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ClientRecord {
        id: id.clone(),
        name: spec.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| id.clone()),
        secret_hash: spec.secret.as_deref().map(crypto::token_hash),
        auth_method: method.name().into(),
        redirect_uris: serde_json::Value::from(spec.redirect_uris.clone()).to_string(),
        post_logout_redirect_uris: serde_json::Value::from(spec.post_logout_redirect_uris.clone()).to_string(),
        scopes: scopes.to_string(),
        grant_types: grant_types.iter().map(|g| g.name()).collect::<Vec<_>>().join(" "),
        brand,
        id_token_alg: alg_name,
        skip_consent: spec.skip_consent,
        managed_by: managed_by.into(),
        created_at: now,
        updated_at: now,
        jwks,
        jwks_uri: spec.jwks_uri.clone(),
        backchannel_logout_uri: spec.backchannel_logout_uri.clone(),
        backchannel_logout_session_required: spec.backchannel_logout_session_required,
        require_pushed_authorization_requests: spec.require_pushed_authorization_requests,
        dpop_bound_access_tokens: spec.dpop_bound_access_tokens,
        access_token_ttl: spec.access_token_ttl,
        refresh_token_ttl: spec.refresh_token_ttl,
    })
}

/// A URL oneid itself calls (a client's JWKS, its back-channel logout endpoint): https,
/// or plain http on localhost and loopback addresses for development.
pub fn check_server_uri(uri: &str) -> Result<(), &'static str> {
    let url = url::Url::parse(uri).map_err(|_| "is not an absolute URI")?;
    if url.fragment().is_some() {
        return Err("must not contain a fragment");
    }
    match (url.scheme(), url.host_str()) {
        ("https", Some(_)) => Ok(()),
        ("http", Some("localhost" | "127.0.0.1" | "[::1]")) => Ok(()),
        _ => Err("must use https (plain http is allowed only on localhost and loopback addresses)"),
    }
}

/// Exact-match redirect targets: https anywhere; plain http only on the loopback
/// (RFC 8252 §7.3); a private-use scheme in reverse-domain form only for public
/// (native) clients (RFC 8252 §7.1). Never a fragment (RFC 6749 §3.1.2).
pub fn check_redirect_uri(uri: &str, public: bool) -> Result<(), &'static str> {
    let url = url::Url::parse(uri).map_err(|_| "is not an absolute URI")?;
    if url.fragment().is_some() || uri.contains('#') {
        return Err("must not contain a fragment");
    }
    match url.scheme() {
        "https" if url.host_str().is_some() => Ok(()),
        "http" if matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")) => Ok(()),
        "http" => Err("must use https (plain http is allowed only on localhost and loopback addresses)"),
        scheme if public && scheme.contains('.') => Ok(()),
        _ if public => Err("uses a private-use scheme that is not in reverse-domain form (e.g. com.example.app:/callback)"),
        _ => Err("must use https"),
    }
}

/// Makes the clients table match the `[[clients]]` of the config file: creates and
/// updates what is declared there, removes config-declared clients no longer listed.
pub async fn sync_config_clients(store: &Store, config: &Config, now: UnixTime) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut records = Vec::new();
    for spec in &config.clients {
        match validate(spec, config, MANAGED_BY_CONFIG, now) {
            Ok(record) => records.push(record),
            Err(p) => problems.extend(p.into_iter().map(|p| format!("clients[{}].{p}", spec.id))),
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let store_err = |e: StoreError| e.to_string();
    let existing = store.all_clients().await.map_err(store_err)?;
    for record in &records {
        match existing.iter().find(|c| c.id == record.id) {
            Some(c) if c.managed_by != MANAGED_BY_CONFIG => {
                return Err(format!(
                    "clients[{}]: a client with this id was created with the CLI; remove it there first or pick another id",
                    record.id
                ));
            }
            found => write_over(store, found, record).await.map_err(store_err)?,
        }
    }
    for gone in existing.iter().filter(|c| c.managed_by == MANAGED_BY_CONFIG && !records.iter().any(|r| r.id == c.id)) {
        store.delete_client(&gone.id).await.map_err(store_err)?;
        tracing::info!(client_id = %gone.id, "removed client no longer declared in the config file");
    }
    Ok(())
}

/// Stores `record` in place of `existing` (the row with its id, if any), keeping the
/// creation time; writes nothing when the definition did not change.
pub async fn write_over(store: &Store, existing: Option<&ClientRecord>, record: &ClientRecord) -> Result<(), StoreError> {
    match existing {
        Some(c) if same_definition(c, record) => Ok(()),
        Some(c) => store.upsert_client(&ClientRecord { created_at: c.created_at, ..record.clone() }).await,
        None => store.upsert_client(record).await,
    }
}

/// Whether two rows register the same client (times aside).
fn same_definition(a: &ClientRecord, b: &ClientRecord) -> bool {
    ClientRecord { created_at: 0, updated_at: 0, ..a.clone() } == ClientRecord { created_at: 0, updated_at: 0, ..b.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ClientConfig {
        ClientConfig {
            id: "portal".into(),
            name: None,
            secret: Some("s".repeat(40)),
            token_endpoint_auth_method: None,
            redirect_uris: vec!["https://portal.example.com/callback".into()],
            post_logout_redirect_uris: vec![],
            scopes: None,
            grant_types: None,
            brand: None,
            id_token_signed_response_alg: None,
            skip_consent: false,
            jwks: None,
            jwks_uri: None,
            backchannel_logout_uri: None,
            backchannel_logout_session_required: false,
            require_pushed_authorization_requests: false,
            dpop_bound_access_tokens: false,
            access_token_ttl: None,
            refresh_token_ttl: None,
        }
    }

    #[test]
    fn confidential_client_defaults() {
        let record = validate(&spec(), &Config::default(), MANAGED_BY_CONFIG, 1).unwrap();
        assert_eq!(record.auth_method, "client_secret_basic");
        assert_eq!(record.grant_types, "authorization_code refresh_token");
        assert_eq!(record.id_token_alg, "ES256");
        assert_ne!(record.secret_hash.as_deref(), Some("s".repeat(40).as_str()));
    }

    #[test]
    fn rejects_what_rfc_9700_forbids() {
        let mut bad = spec();
        bad.secret = Some("short".into());
        bad.redirect_uris = vec!["http://portal.example.com/cb".into(), "https://x.example.com/cb#frag".into()];
        bad.grant_types = Some(vec!["implicit".into()]);
        let problems = validate(&bad, &Config::default(), MANAGED_BY_CONFIG, 1).unwrap_err().join("\n");
        for expected in ["secret: must be at least 32", "\"implicit\" is not supported", "must use https", "must not contain a fragment"] {
            assert!(problems.contains(expected), "{expected:?} missing from:\n{problems}");
        }
    }

    #[test]
    fn redirect_uri_forms() {
        assert!(check_redirect_uri("https://a.example.com/cb", false).is_ok());
        assert!(check_redirect_uri("http://localhost:3000/cb", false).is_ok());
        assert!(check_redirect_uri("http://127.0.0.1/cb", true).is_ok());
        assert!(check_redirect_uri("com.example.app:/cb", true).is_ok());
        assert!(check_redirect_uri("com.example.app:/cb", false).is_err());
        assert!(check_redirect_uri("myapp:/cb", true).is_err());
        assert!(check_redirect_uri("/relative", true).is_err());
    }
}
