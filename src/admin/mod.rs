//! Administrative operations on clients, users and keys. The CLI calls these today; the
//! admin API and console will call the same functions.

pub mod clients;
pub mod keys;
pub mod users;
