//! Proving who the user is: passwords, browser sessions, and how strongly a login was
//! made (acr/amr), which new passwords are acceptable, and proof of work.

pub mod acr;
pub mod devices;
pub mod otp;
pub mod lockout;
pub mod login;
pub mod passkeys;
pub mod password;
pub mod session;
pub mod password_policy;
pub mod pin;
pub mod pow;
pub mod rate_limit;
pub mod second_factor;
pub mod totp;
