//! What registers with oneid from outside: clients (relying parties) and resources
//! (APIs that take its tokens), as the config file, the CLI, the admin API and the
//! console write them.

use serde::{Deserialize, Serialize};

/// A client's registration, one shape everywhere: the config file, the CLI, the admin
/// API and the console.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// Letters, digits, '-', '.', '_', '~' (the admin API generates one when it is empty).
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// The client secret of a confidential client; at least 32 characters. Only in the
    /// config file: the CLI, the admin API and the console generate secrets.
    #[serde(default)]
    #[schema(write_only)]
    pub secret: Option<String>,
    /// `client_secret_basic` (default with a secret), `client_secret_post`,
    /// `private_key_jwt` (with `jwks` or `jwks_uri`), or `none` (public client, default
    /// without a secret or keys).
    #[serde(default)]
    pub token_endpoint_auth_method: Option<String>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub grant_types: Option<Vec<String>>,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub id_token_signed_response_alg: Option<String>,
    /// First-party clients may skip the consent page.
    #[serde(default)]
    pub skip_consent: bool,
    /// `private_key_jwt` (RFC 7523): the client's public keys as a JWK Set, inline...
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub jwks: Option<serde_json::Value>,
    /// ...or at a URL oneid fetches (and caches).
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// OIDC Back-Channel Logout 1.0: where logout tokens are POSTed.
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    /// The client needs `sid` in every logout token (one per session).
    #[serde(default)]
    pub backchannel_logout_session_required: bool,
    /// RFC 9126 §6: authorization requests only through the PAR endpoint.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// RFC 9449 §5.2: every token request must carry a DPoP proof.
    #[serde(default)]
    pub dpop_bound_access_tokens: bool,
    /// This client's access tokens live this many seconds instead of the policy's.
    #[serde(default)]
    pub access_token_ttl: Option<i64>,
    /// This client's sign-ins (refresh families) last at most this many seconds
    /// instead of the policy's `tokens.refresh_token_max_ttl`.
    #[serde(default)]
    pub refresh_token_ttl: Option<i64>,
}

/// An API that takes oneid's access tokens, and the scopes that belong to it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResourceConfig {
    /// The resource indicator: an absolute URI without a fragment (RFC 8707 §2), the
    /// `aud` of its tokens.
    pub uri: String,
    pub scopes: Vec<String>,
    /// Claims about the person its access tokens carry (RFC 9068 §2.2.3.1), each only
    /// when the sign-in's scopes release it, as at UserInfo: `["email"]` lets the API
    /// write to the person without asking oneid.
    #[serde(default)]
    pub claims: Vec<String>,
}
