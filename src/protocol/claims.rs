//! Standard user claims by scope (OIDC Core §5.1, §5.4).

use serde_json::{Map, Value, json};

use crate::store::User;

use super::scopes::Scopes;

/// The claims about the sign-in itself.
pub const PROTOCOL: &[&str] = &["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid", "at_hash"];

/// The claims about the person, released by scope.
pub const USER: &[&str] = &[
    "name", "given_name", "family_name", "locale", "picture", "updated_at",
    "email", "email_verified", "phone_number", "phone_number_verified", "address",
];

/// The claims `scopes` release about `user`; `issuer` makes the `picture` URL.
/// Claims without a value are left out.
pub fn for_scopes(user: &User, scopes: &Scopes, issuer: &str) -> Map<String, Value> {
    let mut claims = Map::new();
    let mut put = |name: &str, value: Option<Value>| {
        if let Some(v) = value {
            claims.insert(name.to_string(), v);
        }
    };
    if scopes.contains("profile") {
        let full = [user.given_name.as_deref(), user.family_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        put("name", Some(full).filter(|n| !n.is_empty()).map(Value::from));
        put("given_name", user.given_name.clone().map(Value::from));
        put("family_name", user.family_name.clone().map(Value::from));
        put("locale", user.locale.clone().map(Value::from));
        put("picture", user.picture.as_deref().map(|id| Value::from(crate::account::picture::url(issuer, id))));
        put("updated_at", Some(json!(user.updated_at)));
    }
    if scopes.contains("email") {
        put("email", Some(json!(user.email)));
        put("email_verified", Some(json!(user.email_verified)));
    }
    if scopes.contains("phone") && user.phone_number.is_some() {
        put("phone_number", user.phone_number.clone().map(Value::from));
        put("phone_number_verified", Some(json!(user.phone_number_verified)));
    }
    if scopes.contains("address") {
        put("address", user.address.as_deref().and_then(|a| serde_json::from_str::<Value>(a).ok()).filter(Value::is_object));
    }
    claims
}
