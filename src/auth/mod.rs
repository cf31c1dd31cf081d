//! Proving who the user is: passwords, browser sessions, and how strongly a login was
//! made (acr/amr).

pub mod acr;
pub mod login;
pub mod password;
pub mod session;
