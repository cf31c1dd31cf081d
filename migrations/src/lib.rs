//! oneid's schema, one backend-neutral set of migrations for SQLite and PostgreSQL.
//! Times are integer Unix seconds, ids are text, secrets are stored only as hashes
//! (or, for signing keys, encrypted with the key-encryption key).

pub use sea_orm_migration::MigratorTrait;
use sea_orm_migration::prelude::*;

mod m20261123_000001_init;
mod m20261201_000001_accounts;
mod m20261202_000001_lockout;
mod m20261203_000001_email_otp;
mod m20261204_000001_totp;
mod m20261205_000001_trusted_devices;
mod m20261206_000001_security_question;
mod m20261207_000001_passkeys;
mod m20261208_000001_device_codes;
mod m20261209_000001_app_pins;
mod m20261210_000001_client_metadata;
mod m20261211_000001_logout_deliveries;
mod m20261212_000001_admin;
mod m20261213_000001_sms_codes;
mod m20261214_000001_pictures;
mod m20261215_000001_request_counts;
mod schema;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_init::Migration),
            Box::new(m20261201_000001_accounts::Migration),
            Box::new(m20261202_000001_lockout::Migration),
            Box::new(m20261203_000001_email_otp::Migration),
            Box::new(m20261204_000001_totp::Migration),
            Box::new(m20261205_000001_trusted_devices::Migration),
            Box::new(m20261206_000001_security_question::Migration),
            Box::new(m20261207_000001_passkeys::Migration),
            Box::new(m20261208_000001_device_codes::Migration),
            Box::new(m20261209_000001_app_pins::Migration),
            Box::new(m20261210_000001_client_metadata::Migration),
            Box::new(m20261211_000001_logout_deliveries::Migration),
            Box::new(m20261212_000001_admin::Migration),
            Box::new(m20261213_000001_sms_codes::Migration),
            Box::new(m20261214_000001_pictures::Migration),
            Box::new(m20261215_000001_request_counts::Migration),
        ]
    }
}
