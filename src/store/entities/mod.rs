//! sea-orm entities, one per table of `migrations/`; used only inside `store`.

pub mod users;
pub mod clients;
pub mod browser_sessions;
pub mod authorization_requests;
pub mod grants;
pub mod authorization_codes;
pub mod refresh_tokens;
pub mod revoked_access_tokens;
pub mod consents;
pub mod signing_keys;
pub mod audit_events;
pub mod one_time_tokens;
pub mod spent_challenges;
pub mod login_throttles;
pub mod otp_codes;
pub mod pending_logins;
pub mod recovery_codes;
pub mod totp_credentials;
pub mod trusted_devices;
pub mod ceremonies;
pub mod passkeys;
pub mod device_codes;
pub mod app_pins;
pub mod logout_deliveries;
pub mod brands;
pub mod settings;
