//! The secure message center, a reference API for oneid (run: `cargo run --example
//! message_center`). Register it with oneid as a resource:
//!
//! ```toml
//! [[resources]]
//! uri = "http://localhost:8090"
//! scopes = ["messages:read", "messages:write"]
//! ```
//!
//! Environment: `ONEID_ISSUER` (default `http://localhost:8080`), `MESSAGES_URI` (its
//! resource indicator, default `http://localhost:8090`), `MESSAGES_BIND` (default
//! `127.0.0.1:8090`), `MESSAGES_DATABASE` (`sqlite://messages.db?mode=rwc`).

mod app;
mod store;
mod token;

use std::sync::Arc;

#[tokio::main]
async fn main() {
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
    let issuer = env("ONEID_ISSUER", "http://localhost:8080");
    let audience = env("MESSAGES_URI", "http://localhost:8090");
    let bind = env("MESSAGES_BIND", "127.0.0.1:8090");
    let verifier = match token::TokenVerifier::discover(&issuer, &audience).await {
        Ok(verifier) => verifier,
        Err(e) => {
            eprintln!("message center: cannot reach the issuer {issuer}: {e}");
            std::process::exit(1);
        }
    };
    let database = env("MESSAGES_DATABASE", "sqlite://messages.db?mode=rwc");
    let store = match store::Store::open(&database).await {
        Ok(store) => store,
        Err(e) => {
            eprintln!("message center: cannot open {database}: {e}");
            std::process::exit(1);
        }
    };
    let center = Arc::new(app::Center { verifier, store });
    let listener = match tokio::net::TcpListener::bind(&bind).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("message center: cannot listen on {bind}: {e}");
            std::process::exit(1);
        }
    };
    println!("message center on http://{bind}, taking tokens of {issuer} for {audience}");
    if let Err(e) = axum::serve(listener, app::router(center)).await {
        eprintln!("message center stopped: {e}");
    }
}
