//! Authentication context class references (OIDC Core §2, `acr`) and methods
//! (RFC 8176, `amr`) that oneid reports. Claims are honest: a password alone is single
//! factor and never called phishing resistant.

/// Single-factor authentication (a password).
pub const SINGLE_FACTOR: &str = "urn:oneid:acr:1fa";

/// Every acr value oneid can report, for discovery.
pub const SUPPORTED: &[&str] = &[SINGLE_FACTOR, TWO_FACTOR, DEVICE, PHISHING_RESISTANT];

/// RFC 8176 method: password.
pub const AMR_PASSWORD: &str = "pwd";

/// RFC 8176 method: a one-time password (the authenticator app's, or a code by email).
pub const AMR_OTP: &str = "otp";

/// RFC 8176 method: a code sent by text message (NIST SP 800-63B "restricted").
pub const AMR_SMS: &str = "sms";

/// Two factors, neither phishing resistant (password and an emailed code).
pub const TWO_FACTOR: &str = "urn:oneid:acr:2fa";

/// The password on a browser linked to the account: trusted before, or confirmed just
/// now with a code sent by text or email ("link your account").
pub const DEVICE: &str = "urn:oneid:acr:device";

/// A passkey with user verification: multi-factor and bound to oneid's origin.
pub const PHISHING_RESISTANT: &str = "urn:oneid:acr:phr";

/// RFC 8176 methods of a passkey: a hardware-bound or a software (synced) key, and the
/// user's presence and verification on the authenticator.
pub const AMR_HARDWARE_KEY: &str = "hwk";
pub const AMR_SOFTWARE_KEY: &str = "swk";
pub const AMR_USER_PRESENCE: &str = "user";

/// RFC 8176 methods of the app's PIN unlock: the PIN, and proof of possession of the
/// app's DPoP key when its sign-in is bound to one.
pub const AMR_PIN: &str = "pin";
pub const AMR_PROOF_OF_POSSESSION: &str = "pop";

/// RFC 8176 method: more than one factor was used.
pub const AMR_MFA: &str = "mfa";

/// How strong an `acr` is, for comparing what a client asks with what a session has;
/// values oneid does not know rank lowest.
pub fn strength(acr: &str) -> u8 {
    match acr {
        PHISHING_RESISTANT => 3,
        TWO_FACTOR | DEVICE => 2,
        SINGLE_FACTOR => 1,
        _ => 0,
    }
}
