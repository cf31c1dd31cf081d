//! Provider metadata (OIDC Discovery 1.0 §3, RFC 8414 §2), built once from the route
//! table in `paths` and the configuration.

use serde_json::{Value, json};

use crate::auth::acr;
use crate::config::Config;
use crate::keys::Alg;
use crate::paths;

use super::{claims, client_auth, dpop, token};
use super::scopes::USER_SCOPES;

pub fn document(config: &Config, algs: &[Alg]) -> Value {
    let issuer = config.issuer();
    let url = |path: &str| format!("{issuer}{path}");
    let algs: Vec<&str> = algs.iter().map(|a| a.name()).collect();
    let auth_methods = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"];
    json!({
        "issuer": issuer,
        "authorization_endpoint": url(paths::AUTHORIZE),
        "token_endpoint": url(paths::TOKEN),
        "userinfo_endpoint": url(paths::USERINFO),
        "jwks_uri": url(paths::JWKS),
        "revocation_endpoint": url(paths::REVOKE),
        "device_authorization_endpoint": url(paths::DEVICE_AUTHORIZATION),
        "pushed_authorization_request_endpoint": url(paths::PAR),
        "require_pushed_authorization_requests": false,
        "introspection_endpoint": url(paths::INTROSPECT),
        "end_session_endpoint": url(paths::LOGOUT),
        "scopes_supported": USER_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code", token::PIN_GRANT],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": client_auth::ASSERTION_ALGS,
        "revocation_endpoint_auth_signing_alg_values_supported": client_auth::ASSERTION_ALGS,
        "introspection_endpoint_auth_signing_alg_values_supported": client_auth::ASSERTION_ALGS,
        "dpop_signing_alg_values_supported": dpop::ALGS,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": claims::PROTOCOL.iter().chain(claims::USER).collect::<Vec<_>>(),
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "acr_values_supported": acr::SUPPORTED,
        "ui_locales_supported": ["en"],
        "claims_locales_supported": ["en"],
        "authorization_response_iss_parameter_supported": true,
        "frontchannel_logout_supported": false,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
    })
}
