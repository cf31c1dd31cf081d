//! Every route path, written once: the router mounts these and the discovery
//! document advertises them, so the two cannot disagree.

pub const DISCOVERY: &str = "/.well-known/openid-configuration";
pub const AS_METADATA: &str = "/.well-known/oauth-authorization-server";
pub const JWKS: &str = "/jwks";
pub const AUTHORIZE: &str = "/authorize";
pub const AUTHORIZE_RESUME: &str = "/authorize/resume";
pub const AUTHORIZE_CANCEL: &str = "/authorize/cancel";
pub const LOGIN: &str = "/login";
pub const LOGIN_CODE: &str = "/login/code";
pub const LOGIN_CODE_RESEND: &str = "/login/code/resend";
pub const LOGIN_TOTP: &str = "/login/totp";
pub const LOGIN_DEVICE: &str = "/login/device";
pub const LOGIN_PASSKEY: &str = "/login/passkey";
pub const LOGIN_PASSKEY_OPTIONS: &str = "/login/passkey/options";
pub const CONSENT: &str = "/consent";
pub const TOKEN: &str = "/token";
pub const USERINFO: &str = "/userinfo";
pub const REVOKE: &str = "/revoke";
pub const INTROSPECT: &str = "/introspect";
pub const DEVICE_AUTHORIZATION: &str = "/device_authorization";
/// RFC 9126 pushed authorization requests.
pub const PAR: &str = "/par";
/// The mobile app's PIN (F30): policy and setting it.
pub const APP_PIN: &str = "/app/pin";
/// Where a person types the code a device shows (RFC 8628 `verification_uri`).
pub const DEVICE: &str = "/device";
pub const DEVICE_DECIDE: &str = "/device/decide";
pub const LOGOUT: &str = "/logout";
pub const HOME: &str = "/";
pub const REGISTER: &str = "/register";
pub const ACTIVATE: &str = "/register/activate";
pub const RESEND_ACTIVATION: &str = "/register/resend";
pub const PASSWORD_FORGOT: &str = "/password/forgot";
pub const PASSWORD_RESET: &str = "/password/reset";
pub const ACCOUNT: &str = "/account";
pub const ACCOUNT_PASSWORD: &str = "/account/password";
pub const ACCOUNT_EMAIL: &str = "/account/email";
pub const ACCOUNT_EMAIL_CONFIRM: &str = "/account/email/confirm";
pub const ACCOUNT_EXPORT: &str = "/account/export";
pub const ACCOUNT_DELETE: &str = "/account/delete";
pub const ACCOUNT_SECURITY: &str = "/account/security";
pub const ACCOUNT_TOTP: &str = "/account/totp";
pub const ACCOUNT_NOT_ME: &str = "/account/not-me";
pub const ACCOUNT_PHONE: &str = "/account/phone";
pub const ACCOUNT_DEVICES: &str = "/account/devices";
pub const ACCOUNT_QUESTION: &str = "/account/question";
pub const ACCOUNT_SESSIONS: &str = "/account/sessions";
pub const ACCOUNT_PASSKEYS: &str = "/account/passkeys";
pub const ACCOUNT_PASSKEYS_OPTIONS: &str = "/account/passkeys/options";
pub const ACCOUNT_PASSKEYS_REMOVE: &str = "/account/passkeys/remove";
pub const ACCOUNT_SECURITY_CODE: &str = "/account/security/code";
pub const ACCOUNT_SECURITY_CODE_RESEND: &str = "/account/security/code/resend";
/// The settings console (F50) and its OIDC redirect URI (F52).
pub const ADMIN: &str = "/admin";
pub const ADMIN_CALLBACK: &str = "/admin/callback";
pub const ADMIN_SIGNIN: &str = "/admin/signin";
pub const ADMIN_SIGNOUT: &str = "/admin/signout";
/// The admin API (F51) and its OpenAPI document.
pub const ADMIN_API: &str = "/admin/api/v1";
pub const ADMIN_OPENAPI: &str = "/admin/api/v1/openapi.json";
/// The account API (F12 for apps, under `/me`) and its OpenAPI document.
pub const ACCOUNT_API: &str = "/api/v1";
pub const ACCOUNT_OPENAPI: &str = "/api/v1/openapi.json";
/// Profile images, by their random id (the OIDC `picture` claim).
pub const PICTURES: &str = "/pictures";
pub const ACCOUNT_PICTURE: &str = "/account/picture";
pub const ACCOUNT_PICTURE_REMOVE: &str = "/account/picture/remove";
pub const STATIC: &str = "/static";
pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
pub const METRICS: &str = "/metrics";
