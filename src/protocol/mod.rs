//! OAuth 2.0 and OpenID Connect rules, free of HTTP: request validation, grants, tokens,
//! claims, discovery and logout. Handlers in `http` call these and render the result.

pub mod access_token;
pub mod app_pin;
pub mod audience;
pub mod authorize;
pub mod backchannel;
pub mod claims;
pub mod client_auth;
pub mod client_keys;
pub mod client_metadata;
pub mod device;
pub mod clients;
pub mod discovery;
pub mod dpop;
pub mod error;
pub mod grants;
pub mod id_token;
pub mod introspect;
pub mod logout;
pub mod params;
pub mod par;
pub mod resource;
pub mod pkce;
pub mod revoke;
pub mod scopes;
pub mod token;
pub mod userinfo;

pub use error::{ErrorCode, OAuthError};
pub use params::Params;
