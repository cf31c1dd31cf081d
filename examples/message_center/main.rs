//! The secure message center, a reference API for oneid. Register it with oneid as a
//! resource whose tokens may carry the person's address (for reply notifications):
//!
//! ```toml
//! [[resources]]
//! uri = "http://localhost:8090"
//! scopes = ["messages:read", "messages:write"]
//! claims = ["email"]
//! ```
//!
//! ```sh
//! cargo run --example message_center                      # the API
//! cargo run --example message_center -- threads           # threads awaiting a reply
//! cargo run --example message_center -- reply 3 "Text"   # answer thread 3; emails the person
//! ```
//!
//! Environment: `ONEID_ISSUER` (default `http://localhost:8080`), `MESSAGES_URI` (its
//! resource indicator, default `http://localhost:8090`), `MESSAGES_BIND` (default
//! `127.0.0.1:8090`), `MESSAGES_DATABASE` (`sqlite://messages.db?mode=rwc`). Replies
//! are emailed with oneid's mail settings (`ONEID_CONFIG` or `oneid.toml`, as oneid
//! reads them), from `MESSAGES_MAIL_FROM` (default: the first brand's sender), with a
//! link to `PORTAL_URL` (`http://localhost:8091`).

mod app;
mod reply;
mod store;
mod token;

use std::process::exit;
use std::sync::Arc;

const USAGE: &str = "usage: message_center [serve | threads | reply THREAD TEXT]";

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

fn fail(what: &str) -> ! {
    eprintln!("message center: {what}");
    exit(1)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let database = env("MESSAGES_DATABASE", "sqlite://messages.db?mode=rwc");
    let store = store::Store::open(&database).await.unwrap_or_else(|e| fail(&format!("cannot open {database}: {e}")));
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] | ["serve"] => serve(store).await,
        ["threads"] => {
            let waiting = store.awaiting_reply().await.unwrap_or_else(|e| fail(&e));
            if waiting.is_empty() {
                println!("no thread awaits a reply");
            }
            for thread in waiting {
                println!("{:>5}  {:<9} {:<20} {}", thread.id, thread.topic, thread.account.as_deref().unwrap_or("-"), thread.email.as_deref().unwrap_or("(no address)"));
            }
        }
        ["reply", id, text @ ..] if !text.is_empty() => {
            let id: u64 = id.parse().unwrap_or_else(|_| fail(&format!("{id:?} is not a thread number")));
            let config = oneid::config::Config::load(std::env::var_os("ONEID_CONFIG").as_deref().map(std::path::Path::new)).unwrap_or_else(|e| fail(&format!("oneid's configuration: {e}")));
            let from = std::env::var("MESSAGES_MAIL_FROM").ok().or_else(|| config.brands.first().map(|b| b.mail_from.clone())).unwrap_or_else(|| "Service team <no-reply@localhost>".into());
            let notifier = reply::Notifier::new(&config.mail, &from, &env("PORTAL_URL", "http://localhost:8091")).unwrap_or_else(|e| fail(&e));
            match reply::reply(&store, &notifier, id, &text.join(" "), token::system_now()).await {
                Ok(thread) => println!("answered thread {} ({})", thread.id, thread.topic),
                Err(e) => fail(&e),
            }
        }
        _ => {
            eprintln!("{USAGE}");
            exit(2)
        }
    }
}

async fn serve(store: store::Store) {
    let issuer = env("ONEID_ISSUER", "http://localhost:8080");
    let audience = env("MESSAGES_URI", "http://localhost:8090");
    let bind = env("MESSAGES_BIND", "127.0.0.1:8090");
    // oneid may still be starting: try for half a minute.
    let mut attempts = 0;
    let verifier = loop {
        match token::TokenVerifier::discover(&issuer, &audience).await {
            Ok(verifier) => break verifier,
            Err(e) if attempts == 30 => fail(&format!("cannot reach the issuer {issuer}: {e}")),
            Err(_) => {
                if attempts == 0 {
                    println!("waiting for the issuer {issuer} ...");
                }
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    };
    let center = Arc::new(app::Center { verifier, store });
    let listener = tokio::net::TcpListener::bind(&bind).await.unwrap_or_else(|e| fail(&format!("cannot listen on {bind}: {e}")));
    println!("message center on http://{bind}, taking tokens of {issuer} for {audience}");
    if let Err(e) = axum::serve(listener, app::router(center)).await {
        fail(&format!("stopped: {e}"));
    }
}
