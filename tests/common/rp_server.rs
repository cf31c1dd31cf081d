//! A relying party's own server, as oneid reaches it: it publishes the client's keys
//! (`jwks_uri`, for private_key_jwt) and receives back-channel logout tokens, failing
//! on request a number of times first (to exercise retries).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{Value, json};

#[derive(Default)]
struct Shared {
    jwks: Mutex<Value>,
    jwks_fetches: AtomicUsize,
    logout_tokens: Mutex<Vec<String>>,
    failures_left: AtomicUsize,
    logout_attempts: AtomicUsize,
}

#[derive(Clone)]
pub struct RpServer {
    pub base: String,
    shared: Arc<Shared>,
}

impl RpServer {
    pub async fn start() -> RpServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind relying party");
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let shared = Arc::new(Shared { jwks: Mutex::new(json!({ "keys": [] })), ..Default::default() });
        let app = Router::new().route("/jwks.json", get(jwks)).route("/backchannel", post(backchannel)).with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        RpServer { base, shared }
    }

    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks.json", self.base)
    }

    pub fn backchannel_uri(&self) -> String {
        format!("{}/backchannel", self.base)
    }

    pub fn publish(&self, jwks: Value) {
        *self.shared.jwks.lock().unwrap() = jwks;
    }

    pub fn jwks_fetches(&self) -> usize {
        self.shared.jwks_fetches.load(Ordering::SeqCst)
    }

    /// The next `n` logout deliveries are answered with 503.
    pub fn fail_next(&self, n: usize) {
        self.shared.failures_left.store(n, Ordering::SeqCst);
    }

    pub fn logout_attempts(&self) -> usize {
        self.shared.logout_attempts.load(Ordering::SeqCst)
    }

    pub fn logout_tokens(&self) -> Vec<String> {
        self.shared.logout_tokens.lock().unwrap().clone()
    }

    /// Waits (up to ten seconds) until `count` logout tokens arrived.
    pub async fn wait_for_logouts(&self, count: usize) -> Vec<String> {
        super::wait_until(&format!("{count} logout tokens"), || async { self.logout_tokens().len() >= count }).await;
        self.logout_tokens()
    }
}

async fn jwks(State(shared): State<Arc<Shared>>) -> Json<Value> {
    shared.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    Json(shared.jwks.lock().unwrap().clone())
}

async fn backchannel(State(shared): State<Arc<Shared>>, Form(form): Form<std::collections::HashMap<String, String>>) -> StatusCode {
    shared.logout_attempts.fetch_add(1, Ordering::SeqCst);
    if shared.failures_left.load(Ordering::SeqCst) > 0 {
        shared.failures_left.fetch_sub(1, Ordering::SeqCst);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    match form.get("logout_token") {
        Some(token) => {
            shared.logout_tokens.lock().unwrap().push(token.clone());
            StatusCode::OK
        }
        None => StatusCode::BAD_REQUEST,
    }
}
