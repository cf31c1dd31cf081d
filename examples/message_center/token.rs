//! How an API checks oneid's access tokens (RFC 9068 JWTs) by itself: the key from the
//! issuer's JWKS (cached; fetched again when a token names a key it has not seen, at
//! most once a minute, so a key rotation needs no restart), then the signature, `typ`,
//! `iss`, `aud` (this API's resource indicator), `exp` and the scope.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use josekit::jwk::Jwk;
use josekit::jws::{EdDSA, ES256, JwsVerifier, RS256};
use serde_json::Value;

/// Why a token is refused (the API answers 401, or 403 for a missing scope).
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Invalid(&'static str),
    Scope(&'static str),
}

/// The facts of an accepted token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The person.
    pub sub: String,
    /// Their address, when oneid lets this API see it (`claims = ["email"]`).
    pub email: Option<String>,
}

pub struct TokenVerifier {
    issuer: String,
    audience: String,
    jwks_uri: String,
    http: reqwest::Client,
    keys: Mutex<(HashMap<String, Jwk>, Option<Instant>)>,
    /// Unix seconds now (a test moves it).
    pub clock: fn() -> i64,
}

const REFETCH_AFTER: Duration = Duration::from_secs(60);
const LEEWAY: i64 = 30;

pub fn system_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl TokenVerifier {
    /// Finds the JWKS through the issuer's discovery document.
    pub async fn discover(issuer: &str, audience: &str) -> Result<TokenVerifier, String> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().map_err(|e| e.to_string())?;
        let discovery: Value = http.get(format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'))).send().await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())?;
        let jwks_uri = discovery["jwks_uri"].as_str().ok_or("the discovery document has no jwks_uri")?.to_string();
        if discovery["issuer"].as_str() != Some(issuer) {
            return Err("the discovery document names another issuer".into());
        }
        Ok(TokenVerifier { issuer: issuer.into(), audience: audience.into(), jwks_uri, http, keys: Mutex::new((HashMap::new(), None)), clock: system_now })
    }

    async fn key(&self, kid: &str) -> Option<Jwk> {
        {
            let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(jwk) = keys.0.get(kid) {
                return Some(jwk.clone());
            }
            // One fetch a minute at most, however many unknown key ids arrive; the
            // attempt counts whether or not it succeeds.
            if keys.1.is_some_and(|at| at.elapsed() < REFETCH_AFTER) {
                return None;
            }
            keys.1 = Some(Instant::now());
        }
        let fetched: Value = self.http.get(&self.jwks_uri).send().await.ok()?.json().await.ok()?;
        let mut map = HashMap::new();
        for key in fetched["keys"].as_array().into_iter().flatten() {
            if let (Some(id), Ok(jwk)) = (key["kid"].as_str(), Jwk::from_map(key.as_object().cloned().unwrap_or_default())) {
                map.insert(id.to_string(), jwk);
            }
        }
        let found = map.get(kid).cloned();
        // A broken or empty answer keeps the keys already known.
        if !map.is_empty() {
            self.keys.lock().unwrap_or_else(|p| p.into_inner()).0 = map;
        }
        found
    }

    /// The caller of a request with `token`, if it may use `scope`.
    pub async fn check(&self, token: &str, scope: &'static str) -> Result<Caller, Refused> {
        let header = josekit::jwt::decode_header(token).map_err(|_| Refused::Invalid("not a JWT"))?;
        let kid = header.claim("kid").and_then(Value::as_str).ok_or(Refused::Invalid("the token names no key"))?;
        let alg = header.claim("alg").and_then(Value::as_str).unwrap_or("");
        let typ = header.claim("typ").and_then(Value::as_str).unwrap_or("");
        if !typ.eq_ignore_ascii_case("at+jwt") && !typ.eq_ignore_ascii_case("application/at+jwt") {
            return Err(Refused::Invalid("not an access token (typ at+jwt, RFC 9068)"));
        }
        let jwk = self.key(kid).await.ok_or(Refused::Invalid("signed with a key the issuer does not publish"))?;
        let verifier: Box<dyn JwsVerifier> = match alg {
            "ES256" => Box::new(ES256.verifier_from_jwk(&jwk).map_err(|_| Refused::Invalid("unusable key"))?),
            "RS256" => Box::new(RS256.verifier_from_jwk(&jwk).map_err(|_| Refused::Invalid("unusable key"))?),
            "EdDSA" | "Ed25519" => Box::new(EdDSA.verifier_from_jwk(&jwk).map_err(|_| Refused::Invalid("unusable key"))?),
            _ => return Err(Refused::Invalid("unsupported algorithm")),
        };
        let (payload, _) = josekit::jwt::decode_with_verifier(token, &*verifier).map_err(|_| Refused::Invalid("bad signature"))?;
        let claim = |name: &str| payload.claim(name).and_then(Value::as_str).map(str::to_string);
        if claim("iss").as_deref() != Some(self.issuer.as_str()) {
            return Err(Refused::Invalid("from another issuer"));
        }
        let audience_ok = match payload.claim("aud") {
            Some(Value::String(aud)) => *aud == self.audience,
            Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(self.audience.as_str())),
            _ => false,
        };
        if !audience_ok {
            return Err(Refused::Invalid("for another audience"));
        }
        let exp = payload.claim("exp").and_then(Value::as_i64).ok_or(Refused::Invalid("no expiry"))?;
        if exp + LEEWAY <= (self.clock)() {
            return Err(Refused::Invalid("expired"));
        }
        if !claim("scope").unwrap_or_default().split(' ').any(|s| s == scope) {
            return Err(Refused::Scope(scope));
        }
        // A DPoP-bound token (RFC 9449) is only good with a proof, which this API does
        // not take: refuse it rather than accept it as a bearer token.
        if payload.claim("cnf").is_some() {
            return Err(Refused::Invalid("DPoP-bound tokens are not accepted here"));
        }
        // Messages belong to people: a client's own token (client credentials, whose
        // `sub` is the client) has no person behind it.
        if payload.claim("auth_time").is_none() || claim("sub") == claim("client_id") {
            return Err(Refused::Invalid("a person's sign-in is needed, not a client's own token"));
        }
        Ok(Caller { sub: claim("sub").unwrap_or_default(), email: claim("email") })
    }
}
