//! OpenID Connect Back-Channel Logout 1.0, the relying party's side: oneid POSTs a
//! logout token when a person's oneid session ends (or they are signed out
//! everywhere), and the portal ends its own sessions of that person. The token is
//! checked as §2.6 asks: signed by a key in oneid's JWKS (fetched fresh: logouts are
//! rare and keys rotate), issued by oneid for this client, recent, with the logout
//! event, a `sub` or `sid`, no `nonce`, and a `jti` not seen before.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use josekit::jwk::Jwk;
use josekit::jws::{EdDSA, ES256, JwsVerifier, RS256};
use serde::Deserialize;
use serde_json::{Value, json};

use super::app::{Portal, now};

const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// How old a logout token may be.
const MAX_AGE: i64 = 300;

#[derive(Deserialize)]
pub struct Delivery {
    #[serde(default)]
    logout_token: String,
}

/// Who is to be signed out, and until when the token's `jti` must be remembered.
struct Logout {
    sub: Option<String>,
    sid: Option<String>,
    jti: String,
    expires: i64,
}

pub async fn logout(State(p): State<Arc<Portal>>, Form(delivery): Form<Delivery>) -> Response {
    let answer = |status: StatusCode, body: Value| (status, [(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response();
    match check(&p, &delivery.logout_token).await {
        Ok(logout) if p.first_use(&logout.jti, logout.expires) => {
            let ended = p.end_sessions(logout.sub.as_deref(), logout.sid.as_deref());
            println!("back-channel logout: {ended} session(s) ended");
            answer(StatusCode::OK, json!({}))
        }
        Ok(_) => answer(StatusCode::BAD_REQUEST, json!({ "error": "invalid_request", "error_description": "the logout token was used before" })),
        Err(why) => answer(StatusCode::BAD_REQUEST, json!({ "error": "invalid_request", "error_description": why })),
    }
}

async fn check(p: &Portal, token: &str) -> Result<Logout, &'static str> {
    let header = josekit::jwt::decode_header(token).map_err(|_| "not a JWT")?;
    let kid = header.claim("kid").and_then(Value::as_str).ok_or("the token names no key")?;
    let alg = header.claim("alg").and_then(Value::as_str).unwrap_or("");
    if header.claim("typ").and_then(Value::as_str).is_some_and(|t| !t.eq_ignore_ascii_case("logout+jwt")) {
        return Err("not a logout token");
    }
    let keys: Value = p.http.get(p.jwks_uri()).send().await.map_err(|_| "oneid's keys are unreachable")?.json().await.map_err(|_| "oneid's keys are unreadable")?;
    let key = keys["keys"].as_array().into_iter().flatten().find(|k| k["kid"].as_str() == Some(kid)).ok_or("signed with a key oneid does not publish")?;
    let jwk = Jwk::from_map(key.as_object().cloned().unwrap_or_default()).map_err(|_| "unusable key")?;
    let verifier: Box<dyn JwsVerifier> = match alg {
        "ES256" => Box::new(ES256.verifier_from_jwk(&jwk).map_err(|_| "unusable key")?),
        "RS256" => Box::new(RS256.verifier_from_jwk(&jwk).map_err(|_| "unusable key")?),
        "EdDSA" | "Ed25519" => Box::new(EdDSA.verifier_from_jwk(&jwk).map_err(|_| "unusable key")?),
        _ => return Err("unsupported algorithm"),
    };
    let (payload, _) = josekit::jwt::decode_with_verifier(token, &*verifier).map_err(|_| "bad signature")?;
    let text = |name: &str| payload.claim(name).and_then(Value::as_str).map(str::to_string);
    if text("iss").as_deref() != Some(p.issuer.as_str()) {
        return Err("from another issuer");
    }
    let client_id = p.client.client_id().as_str();
    let for_us = match payload.claim("aud") {
        Some(Value::String(aud)) => aud == client_id,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    };
    if !for_us {
        return Err("for another client");
    }
    let now = now();
    let iat = payload.claim("iat").and_then(Value::as_i64).ok_or("no iat")?;
    let exp = payload.claim("exp").and_then(Value::as_i64).unwrap_or(iat + MAX_AGE);
    if iat > now + 60 || iat + MAX_AGE < now || exp < now {
        return Err("too old or from the future");
    }
    if !payload.claim("events").and_then(|e| e.get(EVENT)).is_some_and(Value::is_object) {
        return Err("no back-channel logout event");
    }
    if payload.claim("nonce").is_some() {
        return Err("a logout token carries no nonce");
    }
    let (sub, sid) = (text("sub"), text("sid"));
    if sub.is_none() && sid.is_none() {
        return Err("neither sub nor sid");
    }
    let jti = text("jti").ok_or("no jti")?;
    Ok(Logout { sub, sid, jti, expires: exp.max(iat + MAX_AGE) })
}
