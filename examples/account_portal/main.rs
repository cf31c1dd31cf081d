//! "My Account", a reference relying party for oneid (run: `cargo run --example
//! account_portal`). Register it with oneid:
//!
//! ```toml
//! [[clients]]
//! id = "portal"
//! secret = "a-secret-of-at-least-32-characters-here"
//! redirect_uris = ["http://localhost:8091/callback"]
//! post_logout_redirect_uris = ["http://localhost:8091/"]
//! backchannel_logout_uri = "http://localhost:8091/backchannel-logout"
//! scopes = ["openid", "profile", "email", "messages:read", "messages:write"]
//! skip_consent = true
//! ```
//!
//! Environment: `ONEID_ISSUER` (default `http://localhost:8080`), `PORTAL_URL` (default
//! `http://localhost:8091`), `PORTAL_CLIENT_ID` (`portal`), `PORTAL_CLIENT_SECRET`,
//! `PORTAL_BIND` (`127.0.0.1:8091`), `PORTAL_DATABASE` (`sqlite://portal.db?mode=rwc`,
//! seeded with example agreements on first start), `MESSAGES_URL` (the message
//! center, `http://localhost:8090`).

mod agreements;
mod app;
mod backchannel;
mod messages;
mod vin;

use std::sync::Arc;

#[tokio::main]
async fn main() {
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
    let issuer = env("ONEID_ISSUER", "http://localhost:8080");
    let base = env("PORTAL_URL", "http://localhost:8091");
    let secret = env("PORTAL_CLIENT_SECRET", "");
    if secret.len() < 32 {
        eprintln!("account portal: set PORTAL_CLIENT_SECRET to the client's secret (32 characters or more)");
        std::process::exit(2);
    }
    let database = env("PORTAL_DATABASE", "sqlite://portal.db?mode=rwc");
    let client_id = env("PORTAL_CLIENT_ID", "portal");
    let messages = env("MESSAGES_URL", "http://localhost:8090");
    // oneid may still be starting: try for half a minute.
    let mut attempts = 0;
    let portal = loop {
        let settings = app::Settings { issuer: &issuer, client_id: &client_id, secret: &secret, base: &base, database: &database, messages: &messages };
        match app::Portal::new(settings).await {
            Ok(portal) => break portal,
            Err(e) if attempts == 30 => {
                eprintln!("account portal: cannot use the issuer {issuer}: {e}");
                std::process::exit(1);
            }
            Err(_) => {
                if attempts == 0 {
                    println!("waiting for the issuer {issuer} ...");
                }
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    };
    let bind = env("PORTAL_BIND", "127.0.0.1:8091");
    let listener = match tokio::net::TcpListener::bind(&bind).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("account portal: cannot listen on {bind}: {e}");
            std::process::exit(1);
        }
    };
    println!("My Account on {base}, signing in with {issuer}");
    if let Err(e) = axum::serve(listener, app::router(Arc::new(portal))).await {
        eprintln!("account portal stopped: {e}");
    }
}
